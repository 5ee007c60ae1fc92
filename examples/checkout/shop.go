package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/webhook"
)

// orderIDHeader names the order a POST /orders answer redirects the customer
// for; the scripted demo reads it, a browser ignores it.
const orderIDHeader = "X-Order-ID"

// shopConfig is what one shop replica is made of. Replicas share the
// database (orders and ledger), the notification log and the sweep log;
// each has its own webhook handler, de-duplicating through Dedup (nil: a
// MemoryStore of its own).
type shopConfig struct {
	Gateways []gatewayInfo
	// PublicURL is where customers and providers reach the shop, without a
	// trailing slash.
	PublicURL string
	Log       *slog.Logger
	Orders    *orderStore
	Ledger    ledger.Store
	Hooks     *hookLog
	Sweeps    *sweepLog
	Dedup     webhook.Store
	Sweep     sweepConfig
	// beforeEvent, when set, runs first in the webhook callback (tests).
	beforeEvent func(context.Context, *mfspay.Event)
}

// shop is the merchant's web shop: product page, order pages, the webhook
// and return endpoints and a JSON order status.
type shop struct {
	orders        *orderStore
	ledger        ledger.Store
	gateways      []gatewayInfo
	publicURL     string
	log           *slog.Logger
	hooks         *hookLog
	sweeps        *sweepLog
	dedup         webhook.Store
	clock         ledger.Clock
	createTimeout time.Duration
	beforeEvent   func(context.Context, *mfspay.Event)
	handler       *webhook.Handler
	reconciler    *ledger.Reconciler
	mux           *http.ServeMux
}

// newShop wires the shop's routes and its reconciler.
func newShop(cfg shopConfig) (*shop, error) {
	s := &shop{
		orders:        cfg.Orders,
		ledger:        cfg.Ledger,
		gateways:      cfg.Gateways,
		publicURL:     strings.TrimSuffix(cfg.PublicURL, "/"),
		log:           cfg.Log,
		hooks:         cfg.Hooks,
		sweeps:        cfg.Sweeps,
		dedup:         cfg.Dedup,
		clock:         cfg.Sweep.Clock,
		createTimeout: cfg.Sweep.CreateTimeout,
		beforeEvent:   cfg.beforeEvent,
		mux:           http.NewServeMux(),
	}
	s.handler = s.newWebhookHandler()
	r, err := newReconciler(s, cfg.Ledger, cfg.Sweep)
	if err != nil {
		return nil, err
	}
	s.reconciler = r
	s.mux.HandleFunc("GET /{$}", s.home)
	s.mux.HandleFunc("POST /orders", s.createOrder)
	s.mux.HandleFunc("GET /orders/{id}", s.orderPage)
	s.mux.HandleFunc("GET /orders/{id}/success", s.orderPage)
	s.mux.HandleFunc("GET /orders/{id}/cancel", s.orderPage)
	s.mux.HandleFunc("GET /orders/{id}/status", s.orderStatus)
	// Any method: the webhook handler answers 405 itself.
	s.mux.Handle("/webhooks/{provider}", s.hooks.wrap(s.handler))
	// Where a provider whose customer's return needs an action (bKash's
	// execute) sends the browser back; see paymentRequest.
	s.mux.Handle("/returns/{provider}", s.handler.Returns())
	return s, nil
}

func (s *shop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	s.mux.ServeHTTP(w, r)
}

// gateway returns the configured gateway named provider.
func (s *shop) gateway(provider string) (gatewayInfo, bool) {
	for _, g := range s.gateways {
		if g.Name == provider {
			return g, true
		}
	}
	return gatewayInfo{}, false
}

// home is the product page.
func (s *shop) home(w http.ResponseWriter, r *http.Request) {
	s.renderHome(w, http.StatusOK, orderForm{})
}

// orderForm is what the customer submits from the product page.
type orderForm struct {
	Product  string
	Provider string
	Name     string
	Phone    string
	Email    string
	// RequestID is the form's token, drawn when the page is shown: the
	// same form submitted again finds the order the first submission made
	// instead of making another.
	RequestID string
	Error     string
}

func (s *shop) renderHome(w http.ResponseWriter, status int, f orderForm) {
	if f.RequestID == "" {
		f.RequestID = randomID(lowerAlphabet, 16)
	}
	render(w, status, "home.html", homeView{
		Products: catalog, Gateways: s.gateways, Form: f, Notifications: s.hooks.recent(), Sweeps: s.sweeps.view(),
	})
}

// readOrderForm parses and checks the product page's form.
func (s *shop) readOrderForm(w http.ResponseWriter, r *http.Request) (orderForm, product, gatewayInfo, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return orderForm{Error: "The form could not be read."}, product{}, gatewayInfo{}, false
	}
	f := orderForm{
		Product:   r.PostForm.Get("product"),
		Provider:  r.PostForm.Get("provider"),
		Name:      strings.TrimSpace(r.PostForm.Get("name")),
		Phone:     strings.TrimSpace(r.PostForm.Get("phone")),
		Email:     strings.TrimSpace(r.PostForm.Get("email")),
		RequestID: r.PostForm.Get("request_id"),
	}
	p, okProduct := findProduct(f.Product)
	g, okGateway := s.gateway(f.Provider)
	switch {
	case !okProduct:
		f.Error = "Choose a product."
	case !okGateway:
		f.Error = "Choose how to pay."
	case f.Name == "" || utf8.RuneCountInString(f.Name) > 60 || !utf8.ValidString(f.Name):
		// EazzPay takes at most 100 characters; 60 leaves room.
		f.Error = "Enter your name (at most 60 characters)."
	case len(f.Phone) > 20 || strings.Trim(f.Phone, "+0123456789 -") != "":
		f.Error = "Enter a phone number, or leave it empty."
	case f.Email != "" && !plainEmail(f.Email):
		f.Error = "Enter an email address like name@example.com, or leave it empty."
	case f.Email == "" && g.NeedsEmail:
		f.Error = g.Title + " needs your email address."
	case len(f.RequestID) > 64 || strings.IndexFunc(f.RequestID, notTokenRune) >= 0:
		f.Error = "The form is damaged; reload the page."
	}
	return f, p, g, f.Error == ""
}

// plainEmail reports whether s is one bare email address (no display
// name, no comments) of at most 100 characters.
func plainEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && len(s) <= 100
}

// notTokenRune reports whether r may not appear in a form's request id:
// ASCII letters, digits and "-" may.
func notTokenRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
}

// createOrder records the order, creates the payment at the chosen gateway
// and sends the customer to its hosted page. A form submitted again (a
// double click, a retry after the shop did not answer) continues the order
// the first submission made.
func (s *shop) createOrder(w http.ResponseWriter, r *http.Request) {
	f, p, g, ok := s.readOrderForm(w, r)
	if !ok {
		s.renderHome(w, http.StatusBadRequest, f)
		return
	}
	o, _, err := s.orders.create(r.Context(), p, g.Name, mfspay.Customer{Name: f.Name, Phone: f.Phone, Email: f.Email}, f.RequestID)
	switch {
	case errors.Is(err, errOtherOrder):
		f.Error, f.RequestID = "This form was already used for another order; choose again.", ""
		s.renderHome(w, http.StatusConflict, f)
		return
	case err != nil:
		s.log.Error("recording an order failed", "err", err)
		render(w, http.StatusServiceUnavailable, "problem.html", problemView{Title: "The shop cannot take orders right now",
			Message: "Its database is unavailable. Nothing was charged; try again in a minute."})
		return
	}
	w.Header().Set(orderIDHeader, o.ID)
	if o.Status != statusAwaiting && o.Status != statusNotStarted {
		// Paid or closed already: show it rather than pay again.
		http.Redirect(w, r, "/orders/"+o.ID, http.StatusSeeOther)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.createTimeout)
	defer cancel()
	// The gateway is recorded in the ledger: the intent is written before
	// the request is sent, and the same request for the same invoice never
	// makes a second payment (it gets the recorded checkout, or an error
	// saying the earlier create must be settled first).
	co, err := g.GW.CreatePayment(ctx, s.paymentRequest(o, g))
	if err != nil {
		reason, status, mayExist := describeCreateError(g, err)
		// The create's context may have ended; the note must still land.
		if uerr := s.orders.startFailed(context.WithoutCancel(r.Context()), o.ID, reason, mayExist); uerr != nil {
			s.log.Error("recording a failed create failed", "order", o.ID, "err", uerr)
		}
		s.log.Warn("create payment failed", "provider", g.Name, "invoice", o.InvoiceID, "kind", kindName(err))
		render(w, status, "problem.html", problemView{Title: "The payment could not be started", Message: reason, OrderID: o.ID})
		return
	}
	if err := s.orders.started(context.WithoutCancel(r.Context()), o.ID, co); err != nil {
		// The ledger holds the checkout: the form submitted again finds it.
		s.log.Error("recording a started payment failed", "order", o.ID, "err", err)
	}
	http.Redirect(w, r, co.RedirectURL, http.StatusSeeOther)
}

// paymentRequest is the create for order o at g. It is built from the
// order alone, so that a retry sends the same request and the ledger
// recognises it.
func (s *shop) paymentRequest(o order, g gatewayInfo) mfspay.CreatePaymentRequest {
	orderURL := s.publicURL + "/orders/" + o.ID
	req := mfspay.CreatePaymentRequest{
		InvoiceID:  o.InvoiceID,
		Amount:     o.Amount,
		Customer:   mfspay.Customer{Name: o.CustomerName, Phone: o.CustomerPhone, Email: o.CustomerEmail},
		SuccessURL: orderURL + "/success",
		CancelURL:  orderURL + "/cancel",
		WebhookURL: s.publicURL + "/webhooks/" + g.Name,
		// Not "order_id": UddoktaPay's adapter carries the invoice id
		// under that key.
		Metadata: map[string]string{"shop_order": o.ID},
	}
	if g.returnKind() != mfspay.ReturnNone {
		req.ReturnURL = s.publicURL + "/returns/" + g.Name
	}
	return req
}

// describeCreateError tells the customer what a failed create means, by
// error kind, picks the answer's status code, and says whether the payment
// may exist all the same.
func describeCreateError(g gatewayInfo, err error) (reason string, status int, mayExist bool) {
	switch {
	case errors.Is(err, mfspay.ErrOutcomeUnknown):
		return g.Title + " did not answer clearly, or an earlier attempt for this order is still being settled: " +
				"the payment may or may not exist. Do not pay twice; this order will turn paid if the payment went through.",
			http.StatusServiceUnavailable, true
	case errors.Is(err, mfspay.ErrDuplicate):
		return "This order already has a payment at " + g.Title + ", but its payment page could not be recovered. " +
			"Do not pay twice; this order will turn paid if that payment goes through.", http.StatusConflict, true
	case errors.Is(err, mfspay.ErrCircuitOpen), errors.Is(err, mfspay.ErrUnavailable), errors.Is(err, mfspay.ErrRateLimited):
		return g.Title + " is unavailable right now. Try again in a minute or choose another way to pay.", http.StatusServiceUnavailable, false
	case errors.Is(err, mfspay.ErrUnauthorized), errors.Is(err, mfspay.ErrForbidden):
		return "The shop's " + g.Title + " account is misconfigured. Choose another way to pay.", http.StatusBadGateway, false
	case errors.Is(err, mfspay.ErrInvalidRequest):
		return g.Title + " refused this order's details.", http.StatusBadGateway, false
	}
	return g.Title + " could not start the payment.", http.StatusBadGateway, false
}

// kindName is the error kind for a log line: never the message, which may
// quote a provider's body.
func kindName(err error) string {
	if k := mfspay.KindOf(err); k != nil {
		return k.Error()
	}
	return "unknown"
}

// orderPage shows an order; under /success and /cancel it also says the
// customer is back from the hosted page, which by itself proves nothing.
func (s *shop) orderPage(w http.ResponseWriter, r *http.Request) {
	o, err := s.orders.get(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, errNoOrder):
		render(w, http.StatusNotFound, "problem.html", problemView{Title: "Order not found", Message: "No order has this id."})
		return
	case err != nil:
		s.log.Error("reading an order failed", "err", err)
		render(w, http.StatusServiceUnavailable, "problem.html", problemView{Title: "Try again in a moment", Message: "The shop's database is unavailable."})
		return
	}
	g, _ := s.gateway(o.Provider)
	v := orderView{Order: o, Gateway: g, StatusLabel: o.Status.label(), Refresh: o.Status == statusAwaiting, Gateways: s.gateways,
		LearntBy: learntByText(o.LearntBy, g)}
	if e, err := s.ledger.ByInvoice(r.Context(), o.Provider, o.InvoiceID); err == nil {
		v.Ledger = &e
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/success"):
		v.Returned = "success"
	case strings.HasSuffix(r.URL.Path, "/cancel"):
		v.Returned = "cancel"
	}
	render(w, http.StatusOK, "order.html", v)
}

// learntByText says on the order page how its status was learnt.
func learntByText(src webhook.Source, g gatewayInfo) string {
	switch src {
	case webhook.SourceNotification:
		return "from " + g.Title + "'s notification"
	case webhook.SourceReturn:
		if g.returnKind() == mfspay.ReturnExecute {
			return "when the customer came back from " + g.Title + "'s payment page (the shop executed the payment at " + g.Title + ")"
		}
		return "when the customer came back from " + g.Title + "'s payment page (the shop asked " + g.Title + ")"
	case webhook.SourceReconciliation:
		if g.returnKind() == mfspay.ReturnExecute {
			return "by reconciliation: the customer's return was never completed, so the shop's reconciler asked " + g.Title +
				" about the payment and executed it"
		}
		return "by reconciliation: no notification had been accepted, so the shop's reconciler asked " + g.Title +
			" about the payment (VerifyPayment)"
	}
	return ""
}

// orderStatus is the order as JSON, for scripts and tests.
func (s *shop) orderStatus(w http.ResponseWriter, r *http.Request) {
	o, err := s.orders.get(r.Context(), r.PathValue("id"))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case errors.Is(err, errNoOrder):
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"order not found"}` + "\n"))
		return
	case err != nil:
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error":"database unavailable"}` + "\n"))
		return
	}
	json.NewEncoder(w).Encode(o)
}
