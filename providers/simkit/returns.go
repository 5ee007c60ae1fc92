package simkit

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mfspay/mfspay"
)

// returnTo records and returns where the customer's browser goes after the
// hosted page's outcome for p.
func (s *Server) returnTo(p Payment, outcome string) string {
	target := p.CancelURL
	if outcome == OutcomePaid {
		target = p.SuccessURL
	}
	if s.spec.ReturnURL != nil {
		target = s.spec.ReturnURL(p, outcome)
	}
	s.returnsMu.Lock()
	s.returns[p.ID] = append(s.returns[p.ID], target)
	s.returnsMu.Unlock()
	return target
}

// Returns returns, in order, the customer's returns from the hosted page
// for the payment, as the merchant's return endpoint receives them: a GET
// of the URL the page sent the browser to. Pay, Cancel and Decline count as
// the customer's visit to the page and produce one each. Like them, it
// takes the payment's id or its hosted page URL.
func (s *Server) Returns(_ context.Context, paymentID string) ([]mfspay.ReturnRequest, error) {
	paymentID = s.paymentID(paymentID)
	if _, ok := s.Store.Get(paymentID); !ok {
		return nil, fmt.Errorf("%w: %s", ErrPaymentNotFound, paymentID)
	}
	s.returnsMu.Lock()
	targets := append([]string(nil), s.returns[paymentID]...)
	s.returnsMu.Unlock()
	out := make([]mfspay.ReturnRequest, 0, len(targets))
	for _, t := range targets {
		u, err := url.Parse(t)
		if err != nil {
			return nil, fmt.Errorf("simkit: a return URL does not parse: %w", err)
		}
		out = append(out, mfspay.ReturnRequest{Method: http.MethodGet, Query: u.Query()})
	}
	return out, nil
}
