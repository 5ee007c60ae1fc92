package uddoktapaytest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/simkit"
)

// notMatchedText is what UddoktaPay's page says when no SMS matches the
// submission and "Pending Payment" is off: the payment stays open.
const notMatchedText = "Transaction not found, please try again later."

// submit is the customer submitting a transaction on the page (the kit's
// Spec.Submit): a matching unused SMS (same transaction id, the charged
// amount) completes the payment; otherwise it goes PENDING for the admin,
// or, with pending off, nothing changes and the page says notMatchedText.
// A PENDING payment whose SMS arrives is completed by the same match.
func (s *Server) submit(id string, payer simkit.Payer) (simkit.Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched *SMS
	p, err := s.Store.Update(id, func(p *simkit.Payment) error {
		if m := s.sms[payer.TrxID]; m != nil && m.Amount == charge(*p) {
			matched = m
		}
		switch {
		case p.Status != StatusInitiated && (p.Status != StatusPending || matched == nil):
			return simkit.ErrNotOpen
		case matched == nil && !s.pending:
			return &simkit.Refusal{Message: notMatchedText}
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
	p, err := s.Find(handle)
	if err != nil {
		return err
	}
	p, err = s.Store.Update(p.ID, func(p *simkit.Payment) error {
		if p.Status != StatusPending {
			return simkit.ErrNotOpen
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
	p, err := s.Find(handle)
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

// charge is what the customer sends for p: the amount and the fee.
func charge(p simkit.Payment) mfspay.Amount {
	fee, _ := mfspay.ParseAmount(p.Extra[extraFee])
	return p.Amount + fee
}

// returnURL is where the browser goes after the page: redirect_url with
// invoice_id appended (for a GET return), redirect_url as it is (for a
// POST, whose form carries invoice_id: returnForm), cancel_url as it is
// after a cancel.
func returnURL(p simkit.Payment, outcome string) string {
	switch {
	case outcome == simkit.OutcomeCancelled:
		return p.CancelURL
	case p.Extra[extraReturnType] == http.MethodPost:
		return p.SuccessURL
	}
	return withInvoice(p.SuccessURL, p.ID)
}

// returnForm is the form a POST return_type posts to redirect_url.
func returnForm(p simkit.Payment, outcome string) url.Values {
	if outcome == simkit.OutcomeCancelled || p.Extra[extraReturnType] != http.MethodPost {
		return nil
	}
	return url.Values{"invoice_id": {p.ID}}
}

// Pay is the customer paying on the page: the money arrives (its SMS is
// added) and the submission matches it, so the payment completes. With
// p.Pending the SMS never comes and the payment goes PENDING, which needs
// "Pending Payment" on. Either way the browser goes back to redirect_url
// with invoice_id. Paying a PENDING payment is its SMS arriving late.
func (s *Server) Pay(_ context.Context, handle string, payer simctl.Payer) error {
	p, err := s.Find(handle)
	if err != nil {
		return err
	}
	sub, err := s.PayerFor(payer)
	if err != nil {
		return err
	}
	if payer.Pending && !s.pending {
		return &mfspay.Error{Kind: mfspay.ErrUnsupported, Provider: "UddoktaPay", Op: "pay",
			Message: "Pending Payment is disabled in this panel"}
	}
	if !payer.Pending {
		s.AddSMS(SMS{TrxID: sub.TrxID, Amount: charge(p)})
	}
	wasOpen := p.Status == StatusInitiated
	if p, err = s.submit(p.ID, sub); err == nil && wasOpen {
		s.SendBack(p, simkit.OutcomePaid)
	}
	return err
}
