package simkit

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mfspay/mfspay"
)

// Return is where the hosted page sends the customer's browser back to the
// shop: a GET of URL, or with a Form a POST of it to URL.
type Return struct {
	URL  string
	Form url.Values
}

// SendBack records the customer's browser going back to the shop after
// outcome (OutcomePaid, OutcomeCancelled or OutcomeFailed) for p, as
// Returns reports it, and returns where it goes: Spec.ReturnURL (nil sends
// it to p.SuccessURL after a payment and p.CancelURL otherwise), posted
// with Spec.ReturnForm's form when there is one. The kit's page, Pay,
// Cancel and Decline call it; a simulator's own page or controller methods
// call it where they send the customer back.
func (s *Server) SendBack(p Payment, outcome string) Return {
	ret := Return{URL: p.CancelURL}
	if outcome == OutcomePaid {
		ret.URL = p.SuccessURL
	}
	if s.spec.ReturnURL != nil {
		ret.URL = s.spec.ReturnURL(p, outcome)
	}
	if s.spec.ReturnForm != nil {
		ret.Form = s.spec.ReturnForm(p, outcome)
	}
	s.returnsMu.Lock()
	s.returns[p.ID] = append(s.returns[p.ID], ret)
	s.returnsMu.Unlock()
	return ret
}

// sendBrowser sends the browser where ret says: a 303 redirect, or a page
// that posts ret.Form to ret.URL as soon as it loads.
func (s *Server) sendBrowser(w http.ResponseWriter, r *http.Request, ret Return) {
	if ret.Form == nil {
		http.Redirect(w, r, ret.URL, http.StatusSeeOther)
		return
	}
	renderPostBack(w, postBackPage{Provider: s.spec.Name, URL: ret.URL, Form: ret.Form})
}

// Returns returns, in order, the customer's returns from the hosted page
// for the payment, as the merchant's return endpoint receives them: a GET
// of the URL the page sent the browser to, or a POST of the form it
// submitted there. Pay, Cancel and Decline count as the customer's visit
// to the page and produce one each. Like them, it takes any handle Find
// takes.
func (s *Server) Returns(_ context.Context, handle string) ([]mfspay.ReturnRequest, error) {
	p, err := s.Find(handle)
	if err != nil {
		return nil, err
	}
	s.returnsMu.Lock()
	rets := append([]Return(nil), s.returns[p.ID]...)
	s.returnsMu.Unlock()
	out := make([]mfspay.ReturnRequest, 0, len(rets))
	for _, ret := range rets {
		u, err := url.Parse(ret.URL)
		if err != nil {
			return nil, fmt.Errorf("simkit: a return URL does not parse: %w", err)
		}
		req := mfspay.ReturnRequest{Method: http.MethodGet, Query: u.Query()}
		if ret.Form != nil {
			req.Method, req.Form = http.MethodPost, ret.Form
		}
		out = append(out, req)
	}
	return out, nil
}
