package uddoktapaytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/simkit"
)

// errNotMatched: no SMS matches the submission and "Pending Payment" is
// off, so the page shows notMatchedText and the payment stays open.
var errNotMatched = errors.New("uddoktapaytest: no SMS matches the transaction and pending payments are off")

// notMatchedText is what UddoktaPay's page says then.
const notMatchedText = "Transaction not found, please try again later."

// submit is the customer submitting a transaction on the page: a matching
// unused SMS (same transaction id, the charged amount) completes the
// payment; otherwise it goes PENDING for the admin, or, with pending off,
// nothing changes and errNotMatched says why. A PENDING payment whose SMS
// arrives is completed by the same match.
func (s *Server) submit(id string, payer simkit.Payer) (simkit.Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched *SMS
	p, err := s.Store.Update(id, func(p *simkit.Payment) error {
		fee, _ := mfspay.ParseAmount(p.Extra[extraFee])
		if m := s.sms[payer.TrxID]; m != nil && m.Amount == p.Amount+fee {
			matched = m
		}
		switch {
		case p.Status != StatusInitiated && (p.Status != StatusPending || matched == nil):
			return errNotOpen
		case matched == nil && !s.pending:
			return errNotMatched
		}
		p.Status, p.UpdatedAt = StatusPending, s.Now()
		if matched != nil {
			p.Status, p.PaidAt = StatusCompleted, p.UpdatedAt
		}
		p.Method, p.Sender, p.TrxID = payer.Method, payer.Sender, payer.TrxID
		return nil
	})
	if err != nil {
		return p, err
	}
	if matched != nil {
		delete(s.sms, payer.TrxID) // used up
	}
	s.announce(p, false)
	return p, nil
}

// decide is the admin approving (COMPLETED) or rejecting (ERROR) a PENDING
// payment in the panel.
func (s *Server) decide(handle, status string) error {
	p, err := s.lookup(handle)
	if err != nil {
		return err
	}
	p, err = s.Store.Update(p.ID, func(p *simkit.Payment) error {
		if p.Status != StatusPending {
			return errNotOpen
		}
		p.Status, p.UpdatedAt = status, s.Now()
		if status == StatusCompleted {
			p.PaidAt = p.UpdatedAt
		}
		return nil
	})
	if err == nil {
		s.announce(p, false)
	}
	return err
}

// Approve is the admin approving a PENDING payment: it completes.
func (s *Server) Approve(_ context.Context, handle string) error {
	return s.decide(handle, StatusCompleted)
}

// Reject is the admin rejecting a PENDING payment: it fails (ERROR), with
// no IPN unless ResendIPN is called.
func (s *Server) Reject(_ context.Context, handle string) error { return s.decide(handle, StatusError) }

// ResendIPN is the panel's "Send IPN": the payment's current state, to its
// webhook_url, with the API key.
func (s *Server) ResendIPN(_ context.Context, handle string) error {
	p, err := s.lookup(handle)
	if err == nil {
		s.announce(p, true)
	}
	return err
}

// announce sends the IPN after a move to COMPLETED or PENDING (unless IPNs
// are manual), or whenever asked to. A payment without webhook_url still
// has its IPN recorded, for Notifications.
func (s *Server) announce(p simkit.Payment, asked bool) {
	if !asked && (s.manualIPN || p.Status != StatusCompleted && p.Status != StatusPending) {
		return
	}
	body, _ := json.Marshal(bodyOf(p)) // strings and verbatim JSON only
	s.Notifier.Send(simkit.Notification{PaymentID: p.ID, URL: p.WebhookURL, Body: body, Header: http.Header{
		KeyHeader: {s.key}, "Content-Type": {"application/json"}, "Accept": {"application/json"},
		"User-Agent": {"UddoktaPay-IPN/2.0"},
	}})
}

// customerReturn is where the browser went back to: a GET of url, or with
// posted set a POST of url with the form invoice_id=posted.
type customerReturn struct{ url, posted string }

// returnTo records and returns the customer's way back after the page:
// for a submission, redirect_url with invoice_id (in the query for GET, a
// form for POST); for a cancel, cancel_url as it is.
func (s *Server) returnTo(p simkit.Payment, cancelled bool) customerReturn {
	ret := customerReturn{url: withInvoice(p.SuccessURL, p.ID)}
	switch {
	case cancelled:
		ret.url = p.CancelURL
	case p.Extra[extraReturnType] == http.MethodPost:
		ret = customerReturn{url: p.SuccessURL, posted: p.ID}
	}
	s.mu.Lock()
	s.returns[p.ID] = append(s.returns[p.ID], ret)
	s.mu.Unlock()
	return ret
}

// Pay is the customer paying on the page: the money arrives (its SMS is
// added) and the submission matches it, so the payment completes. With
// p.Pending the SMS never comes and the payment goes PENDING, which needs
// "Pending Payment" on. Either way the browser goes back to redirect_url
// with invoice_id. Paying a PENDING payment is its SMS arriving late.
func (s *Server) Pay(_ context.Context, handle string, payer simctl.Payer) error {
	p, err := s.lookup(handle)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(methods, func(m simkit.MethodOption) bool {
		return m.Method == payer.Method || payer.Method == "" && m.Method == mfspay.MethodBKash
	})
	if i < 0 {
		return fmt.Errorf("uddoktapaytest: the page offers no %s", payer.Method)
	}
	sub := simkit.Payer{Method: methods[i].Value, Sender: payer.Sender, TrxID: payer.TrxID}
	if sub.Sender == "" {
		sub.Sender = "01700000000"
	}
	if sub.TrxID == "" {
		sub.TrxID = strings.ToUpper(simkit.NewID("TRX", 5))
	}
	if msg := checkPayer(sub.Sender, sub.TrxID); msg != "" {
		return fmt.Errorf("uddoktapaytest: %s", msg)
	}
	if payer.Pending && !s.pending {
		return &mfspay.Error{Kind: mfspay.ErrUnsupported, Provider: "UddoktaPay", Op: "pay",
			Message: "Pending Payment is disabled in this panel"}
	}
	if !payer.Pending {
		fee, _ := mfspay.ParseAmount(p.Extra[extraFee])
		s.AddSMS(SMS{TrxID: sub.TrxID, Amount: p.Amount + fee})
	}
	wasOpen := p.Status == StatusInitiated
	if p, err = s.submit(p.ID, sub); err == nil && wasOpen {
		s.returnTo(p, false)
	}
	return err
}

// Cancel is the customer pressing Cancel on the page: the browser goes to
// cancel_url with nothing added, and nothing changes at UddoktaPay.
func (s *Server) Cancel(_ context.Context, handle string) error {
	p, err := s.lookup(handle)
	if err == nil && p.Status != StatusInitiated {
		err = errNotOpen
	}
	if err == nil {
		s.returnTo(p, true)
	}
	return err
}

// Expire is unsupported: UddoktaPay documents no expiry.
func (s *Server) Expire(context.Context, string) error {
	return &mfspay.Error{Kind: mfspay.ErrUnsupported, Provider: "UddoktaPay", Op: "expire",
		Message: "UddoktaPay documents no expiry"}
}

// Notifications returns the IPNs about the payment named by handle (see
// lookup), in order.
func (s *Server) Notifications(ctx context.Context, handle string) ([]mfspay.WebhookRequest, error) {
	p, err := s.lookup(handle)
	if err != nil {
		return nil, err
	}
	return s.Server.Notifications(ctx, p.ID)
}

// Returns returns the customer's returns for the payment named by handle,
// in order, as the merchant's endpoint receives them.
func (s *Server) Returns(_ context.Context, handle string) ([]mfspay.ReturnRequest, error) {
	p, err := s.lookup(handle)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]mfspay.ReturnRequest, 0, len(s.returns[p.ID]))
	for _, r := range s.returns[p.ID] {
		ret := mfspay.ReturnRequest{Method: http.MethodGet, Query: url.Values{}}
		if u, err := url.Parse(r.url); err == nil {
			ret.Query = u.Query()
		}
		if r.posted != "" {
			ret.Method, ret.Form = http.MethodPost, url.Values{"invoice_id": {r.posted}}
		}
		out = append(out, ret)
	}
	return out, nil
}
