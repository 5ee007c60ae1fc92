package simkit

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/mfspay/mfspay"
)

// PageHooks are the parts of Spec for a provider whose hosted page is not
// the kit's: where it lives, what else names a payment, what a submission
// does, what the customer is asked to send, and how the browser goes back.
// Each is optional; the zero PageHooks is the kit's page.
type PageHooks struct {
	// PagesHost serves the hosted pages on a listener of their own
	// (Server.PagesURL), for a provider whose payment page lives on
	// another host than its API.
	PagesHost bool
	// Page, when set, is the provider's own hosted page, served under
	// PagePath instead of the kit's. It moves payments with the
	// controller methods (Pay, Cancel, Decline) or Move, which record
	// the customer's return (SendBack).
	Page http.Handler
	// Resolve finds the payment a handle names when it is not the
	// payment's id nor its PageURL: a token in the provider's payment
	// URL, the merchant's invoice id. Every controller method taking a
	// payment, Find and the kit's page ask it.
	Resolve func(handle string) (id string, ok bool)
	// Submit, when set, is what the kit's page and Pay do with a
	// customer's submission instead of moving the payment to Paid: the
	// provider decides (matching it against its records, leaving it
	// pending…) and returns the payment as it now is; ErrNotOpen when it
	// is past paying; a *Refusal whose message the page shows, the
	// payment unchanged. The customer then goes back as after
	// OutcomePaid.
	Submit func(id string, payer Payer) (Payment, error)
	// Charge is what the page asks the customer to send for p, when the
	// provider adds a fee; nil means p.Amount.
	Charge func(p Payment) mfspay.Amount
	// ReturnForm, when it answers a form for p and outcome, sends the
	// browser back with a POST of it to Spec.ReturnURL (a page that
	// submits itself) instead of a redirect.
	ReturnForm func(p Payment, outcome string) url.Values
}

// Refusal is a submission a Spec.Submit hook refused, in the provider's
// words for the customer ("Transaction not found, please try again
// later."). Nothing changed.
type Refusal struct{ Message string }

func (r *Refusal) Error() string { return "simkit: submission refused: " + r.Message }

// servePages registers the hosted page on mux, or on a listener of its own
// with Spec.PagesHost.
func (s *Server) servePages(mux *http.ServeMux) {
	pages := mux
	if s.spec.PagesHost {
		pages = http.NewServeMux()
		s.pages = httptest.NewServer(pages)
	}
	if s.spec.Page != nil {
		pages.Handle(s.spec.PagePath, s.spec.Page)
		return
	}
	pages.HandleFunc("GET "+s.spec.PagePath+"{id}", s.page)
	pages.HandleFunc("POST "+s.spec.PagePath+"{id}", s.submit)
}

// PagesURL is the origin of the hosted pages: URL, or the pages' own
// listener with Spec.PagesHost.
func (s *Server) PagesURL() string {
	if s.pages != nil {
		return s.pages.URL
	}
	return s.URL
}

// Find returns the payment a handle names: its id, its PageURL (with any
// query), or what Spec.Resolve makes of it. A provider whose create
// answers no id leaves the merchant only Checkout.RedirectURL to name it
// by (see simctl.Controller). Anything else is ErrPaymentNotFound.
func (s *Server) Find(handle string) (Payment, error) {
	rest, ok := strings.CutPrefix(handle, s.PagesURL()+s.spec.PagePath)
	if id, _, _ := strings.Cut(rest, "?"); ok && id != "" {
		handle = id
	}
	if p, ok := s.Store.Get(handle); ok {
		return p, nil
	}
	if s.spec.Resolve != nil {
		if id, ok := s.spec.Resolve(handle); ok {
			if p, ok := s.Store.Get(id); ok {
				return p, nil
			}
		}
	}
	return Payment{}, fmt.Errorf("%w: %q", ErrPaymentNotFound, handle)
}

// charge is what the page asks the customer to send for p.
func (s *Server) charge(p Payment) mfspay.Amount {
	if s.spec.Charge == nil {
		return p.Amount
	}
	return s.spec.Charge(p)
}

// pay records a customer's submission: Spec.Submit's decision, or the
// payment moved to Paid.
func (s *Server) pay(id string, payer Payer) (Payment, error) {
	if s.spec.Submit != nil {
		return s.spec.Submit(id, payer)
	}
	return s.Move(id, s.spec.Paid, &payer)
}
