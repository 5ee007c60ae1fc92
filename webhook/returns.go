package webhook

import (
	"context"
	"errors"
	"html/template"
	"net/http"

	"github.com/mfspay/mfspay"
)

// ReturnTo sets where Returns sends the customer once their return has been
// handled: f gets the event the gateway reported (nil when the return could
// not be completed) and returns an absolute or shop-relative URL, typically
// the order's page. Without it, Returns answers a short page saying whether
// the payment went through.
func ReturnTo(f func(ctx context.Context, ev *mfspay.Event) string) Option {
	return func(c *config) { c.returnTo = f }
}

// Returns is the customer's return endpoint, for gateways whose
// Capabilities().Return is not mfspay.ReturnNone: serve it where
// CreatePaymentRequest.ReturnURL points, e.g.
// mux.Handle("/return/{provider}", h.Returns()) (the provider comes from the
// same path wildcard as ServeHTTP's).
//
// The browser's GET (or POSTed form) is unauthenticated: it is handed to the
// gateway's CompleteReturn, which acts at the provider (bKash's execute; a
// verify) and reports the payment's state from the provider's answers. That
// event goes through the same de-duplication store, amount check and
// callback as notifications, so a state is delivered once whether the return
// or a notification arrives first. The customer is then sent on (ReturnTo).
//
// A return the gateway refuses (a forged or stale link) is answered 400, one
// it cannot complete now 503, and the customer is shown a page saying so;
// nothing is delivered.
func (h *Handler) Returns() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt := h.routeOf(w, r); rt != nil {
			h.serveReturn(w, r, rt)
		}
	})
}

func (h *Handler) serveReturn(w http.ResponseWriter, r *http.Request, rt *route) {
	rec := logRecord{provider: rt.provider, source: SourceReturn}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		h.finish(r.Context(), w, outMethod, rec)
		return
	}
	req := mfspay.ReturnRequest{Method: r.Method, Query: r.URL.Query()}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, h.maxBody)
		if err := r.ParseForm(); err != nil {
			h.answerReturn(w, r, outMalformed.with(err), rec, nil)
			return
		}
		req.Form = r.PostForm
	}
	ev, err := rt.gw.CompleteReturn(r.Context(), req)
	if err == nil && ev == nil {
		// A broken gateway: the payment's state is unknown, so the customer
		// is asked to try again.
		err = &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: rt.provider, Op: mfspay.OpReturn,
			Message: "the gateway returned no event and no error"}
	}
	if err != nil {
		h.answerReturn(w, r, returnOutcome(err), rec, nil)
		return
	}
	o, rec := h.process(r.Context(), rt, ev, SourceReturn)
	h.answerReturn(w, r, o, rec, ev)
}

// returnOutcome maps a CompleteReturn error to its answer.
func returnOutcome(err error) outcome {
	switch {
	case errors.Is(err, mfspay.ErrInvalidRequest), errors.Is(err, mfspay.ErrNotFound),
		errors.Is(err, mfspay.ErrUnsupported):
		return outMalformed.withGateway(err)
	case transient(err):
		return outProvider.withGateway(err)
	}
	return outInternal.withGateway(err)
}

// answerReturn logs how the return ended and sends the customer on: to
// ReturnTo's URL when the return was completed, else to a page saying what
// happened. The outcome of the delivery (a failing callback, a store outage)
// is the merchant's to see in the log, not the customer's: the payment's
// state stands whatever became of its delivery, and a reconciler (or the
// provider's notification) delivers it again.
func (h *Handler) answerReturn(w http.ResponseWriter, r *http.Request, o outcome, rec logRecord, ev *mfspay.Event) {
	h.log(r.Context(), o, rec)
	if h.returnTo != nil {
		if target := h.returnTo(r.Context(), ev); target != "" {
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
	}
	page := returnPage{Title: "Payment not completed", Text: "The payment could not be confirmed. You have not been charged by this page; please return to the shop."}
	status := http.StatusOK
	switch {
	case ev == nil && o.code == http.StatusServiceUnavailable:
		status = o.code
		page = returnPage{Title: "Please try again", Text: "The payment provider could not be reached. Reload this page in a moment."}
	case ev == nil:
		status = http.StatusBadRequest
		page = returnPage{Title: "Link not valid", Text: "This return link does not match a payment."}
	case ev.Type == mfspay.EventPaymentCompleted:
		page = returnPage{Title: "Payment received", Text: "Thank you: your payment went through."}
	case ev.Type == mfspay.EventPaymentPending:
		page = returnPage{Title: "Payment pending", Text: "The provider has not confirmed your payment yet."}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = returnTemplate.Execute(w, page)
}

type returnPage struct{ Title, Text string }

var returnTemplate = template.Must(template.New("return").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p></body></html>
`))
