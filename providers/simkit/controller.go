package simkit

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
)

// The generic half of simctl.Controller. A simulator adds Settings, the
// one method that depends on its adapter's configuration. Every method
// that takes a paymentID takes any handle Find takes in its place.

// Pay completes the payment as the customer would on the hosted page, or
// with p.Pending only submits it, which the provider announces as pending.
// A zero Method means bKash; an empty Sender or TrxID is made up.
func (s *Server) Pay(_ context.Context, paymentID string, p simctl.Payer) error {
	payment, err := s.Find(paymentID)
	if err != nil {
		return err
	}
	payer, err := s.PayerFor(p)
	if err != nil {
		return err
	}
	if !p.Pending {
		if payment, err = s.pay(payment.ID, payer); err == nil {
			s.SendBack(payment, OutcomePaid)
		}
		return err
	}
	if s.spec.Pending == "" {
		return &mfspay.Error{Kind: mfspay.ErrUnsupported, Provider: s.spec.Name, Op: "pay",
			Message: "the provider never announces a pending payment"}
	}
	_, err = s.Move(payment.ID, s.spec.Pending, &payer)
	return err
}

// PayerFor is what the customer enters on the hosted page for p: the
// provider's name of its Method (a zero Method means bKash), its Sender and
// TrxID, made up when empty. A wallet the page does not offer, or what
// Spec.CheckPayer refuses, is an error.
func (s *Server) PayerFor(p simctl.Payer) (Payer, error) {
	if p.Method == "" || p.Method == mfspay.MethodUnknown {
		p.Method = mfspay.MethodBKash
	}
	payer := Payer{Sender: p.Sender, TrxID: p.TrxID}
	for _, m := range s.spec.Methods {
		if m.Method == p.Method {
			payer.Method = m.Value
		}
	}
	if payer.Method == "" {
		return payer, fmt.Errorf("simkit: %s offers no %s", s.spec.Name, p.Method)
	}
	if payer.Sender == "" {
		payer.Sender = "01700000000"
	}
	if payer.TrxID == "" {
		payer.TrxID = strings.ToUpper(NewID("TRX", 4))
	}
	if msg := s.checkPayer(payer.Sender, payer.TrxID); msg != "" {
		return payer, fmt.Errorf("simkit: %s: %s", s.spec.Name, msg)
	}
	return payer, nil
}

func (s *Server) checkPayer(sender, trxID string) string {
	if s.spec.CheckPayer == nil {
		return ""
	}
	return s.spec.CheckPayer(sender, trxID)
}

// Cancel cancels the payment as the customer would on the hosted page.
func (s *Server) Cancel(_ context.Context, paymentID string) error {
	p, err := s.Find(paymentID)
	if err == nil {
		p, err = s.cancel(p)
	}
	if err == nil {
		s.SendBack(p, OutcomeCancelled)
	}
	return err
}

// cancel moves p to Spec.Cancelled, or with none only checks that it is
// still open.
func (s *Server) cancel(p Payment) (Payment, error) {
	if s.spec.Cancelled != "" {
		return s.Move(p.ID, s.spec.Cancelled, nil)
	}
	if !s.open(&p) {
		return p, fmt.Errorf("%w: it is %s", ErrNotOpen, p.Status)
	}
	return p, nil
}

// Expire makes the open payment expire now; it is ErrUnsupported where
// nothing expires (no Spec.Expired).
func (s *Server) Expire(_ context.Context, paymentID string) error {
	if s.spec.Expired == "" {
		return &mfspay.Error{Kind: mfspay.ErrUnsupported, Provider: s.spec.Name, Op: "expire",
			Message: "the provider's payments never expire"}
	}
	p, err := s.Find(paymentID)
	if err == nil {
		_, err = s.Move(p.ID, s.spec.Expired, nil)
	}
	return err
}

// Decline fails the open payment, as when the wallet refuses it.
func (s *Server) Decline(_ context.Context, paymentID string) error {
	p, err := s.Find(paymentID)
	if err == nil {
		p, err = s.Move(p.ID, s.spec.Failed, nil)
	}
	if err == nil {
		s.SendBack(p, OutcomeFailed)
	}
	return err
}

// Fail makes the next f.Count API requests fail as f describes. A Tamper
// the simulator cannot express is ErrUnsupported; a fault that makes no
// sense is ErrInvalidRequest.
func (s *Server) Fail(_ context.Context, f simctl.Fault) error {
	invalid := func(msg string) error { return kit.Invalid(s.spec.Name, "fail", "fault", msg) }
	switch {
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		return invalid("Status must be an HTTP status code")
	case f.Count < 0 || f.Delay < 0 || f.RetryAfter < 0:
		return invalid("Count, Delay and RetryAfter must not be negative")
	case f.Tamper != "" && (f.Status != 0 || f.Delay != 0 || f.Reset || f.ResetMidBody || f.AfterProcessing):
		return invalid("a Tamper does not combine with other failures")
	case f.Tamper != "" && s.spec.Tampers[f.Tamper] == nil:
		return &mfspay.Error{Kind: mfspay.ErrUnsupported, Provider: s.spec.Name, Op: "fail",
			Message: "the wire format cannot express the tamper " + string(f.Tamper)}
	}
	s.Faults.Add(f)
	return nil
}

// ClearFaults drops every pending fault.
func (s *Server) ClearFaults(context.Context) error {
	s.Faults.Clear()
	return nil
}

// RequestCount is how many API requests arrived, faulted and refused ones
// included, hosted pages and the dashboard excluded.
func (s *Server) RequestCount(context.Context) (int, error) { return s.Log.Count(), nil }

// PaymentCount is how many payments the provider holds for invoiceID: more
// than one means a double charge.
func (s *Server) PaymentCount(_ context.Context, invoiceID string) (int, error) {
	return s.Store.CountByInvoice(invoiceID), nil
}

// Notifications returns, in order, every notification produced about the
// payment as a receiver gets it: headers, the query of the URL it was sent
// to, and the raw body of its first delivery.
func (s *Server) Notifications(_ context.Context, paymentID string) ([]mfspay.WebhookRequest, error) {
	p, err := s.Find(paymentID)
	if err != nil {
		return nil, err
	}
	notes := s.Notifier.Notifications(p.ID)
	out := make([]mfspay.WebhookRequest, 0, len(notes))
	for _, n := range notes {
		req := mfspay.WebhookRequest{Header: n.Header, Body: n.Body}
		if u, err := url.Parse(n.URL); err == nil && u.RawQuery != "" {
			req.Query = u.Query()
		}
		out = append(out, req)
	}
	return out, nil
}
