package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
)

// orderIDHeader names the order a POST /orders answer redirects the customer
// for; the scripted demo reads it, a browser ignores it.
const orderIDHeader = "X-Order-ID"

// createTimeout bounds the call to the provider while the customer waits.
const createTimeout = 30 * time.Second

// shop is the merchant's web shop: product page, order pages, the webhook
// endpoint and a JSON order status.
type shop struct {
	orders    *orderStore
	gateways  []gatewayInfo
	publicURL string
	log       *slog.Logger
	hooks     *hookLog
	mux       *http.ServeMux
	dedup     webhook.Store // nil: the handler's own MemoryStore
}

// newShop wires the shop's routes. publicURL is where customers and
// providers reach it, without a trailing slash. Replicas of the shop share
// orders and hooks (the shop's database, in a real deployment); each has
// its own webhook handler, de-duplicating through store (nil: a
// MemoryStore of its own).
func newShop(gateways []gatewayInfo, publicURL string, log *slog.Logger, orders *orderStore, hooks *hookLog,
	store webhook.Store) *shop {
	s := &shop{
		orders:    orders,
		gateways:  gateways,
		publicURL: strings.TrimSuffix(publicURL, "/"),
		log:       log,
		hooks:     hooks,
		mux:       http.NewServeMux(),
		dedup:     store,
	}
	s.mux.HandleFunc("GET /{$}", s.home)
	s.mux.HandleFunc("POST /orders", s.createOrder)
	s.mux.HandleFunc("GET /orders/{id}", s.orderPage)
	s.mux.HandleFunc("GET /orders/{id}/success", s.orderPage)
	s.mux.HandleFunc("GET /orders/{id}/cancel", s.orderPage)
	s.mux.HandleFunc("GET /orders/{id}/status", s.orderStatus)
	// Any method: the webhook handler answers 405 itself.
	s.mux.Handle("/webhooks/{provider}", s.hooks.wrap(s.newWebhookHandler()))
	return s
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
	Error    string
}

func (s *shop) renderHome(w http.ResponseWriter, status int, f orderForm) {
	render(w, status, "home.html", homeView{
		Products: catalog, Gateways: s.gateways, Form: f, Notifications: s.hooks.recent(),
	})
}

// readOrderForm parses and checks the product page's form.
func (s *shop) readOrderForm(w http.ResponseWriter, r *http.Request) (orderForm, product, gatewayInfo, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return orderForm{Error: "The form could not be read."}, product{}, gatewayInfo{}, false
	}
	f := orderForm{
		Product:  r.PostForm.Get("product"),
		Provider: r.PostForm.Get("provider"),
		Name:     strings.TrimSpace(r.PostForm.Get("name")),
		Phone:    strings.TrimSpace(r.PostForm.Get("phone")),
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
	}
	return f, p, g, f.Error == ""
}

// createOrder records the order, creates the payment at the chosen gateway
// and sends the customer to its hosted page.
func (s *shop) createOrder(w http.ResponseWriter, r *http.Request) {
	f, p, g, ok := s.readOrderForm(w, r)
	if !ok {
		s.renderHome(w, http.StatusBadRequest, f)
		return
	}
	o := s.orders.create(p, g.Name, f.Name, f.Phone)
	orderURL := s.publicURL + "/orders/" + o.ID
	ctx, cancel := context.WithTimeout(r.Context(), createTimeout)
	defer cancel()
	co, err := g.GW.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID:  o.InvoiceID,
		Amount:     o.Amount,
		Customer:   mfspay.Customer{Name: o.CustomerName, Phone: o.CustomerPhone},
		SuccessURL: orderURL + "/success",
		CancelURL:  orderURL + "/cancel",
		WebhookURL: s.publicURL + "/webhooks/" + g.Name,
		Metadata:   map[string]string{"order_id": o.ID},
	})
	if err != nil {
		reason, status := describeCreateError(g, err)
		s.orders.startFailed(o.ID, reason)
		s.log.Warn("create payment failed", "provider", g.Name, "invoice", o.InvoiceID, "kind", kindName(err))
		w.Header().Set(orderIDHeader, o.ID)
		render(w, status, "problem.html", problemView{Title: "The payment could not be started", Message: reason, OrderID: o.ID})
		return
	}
	s.orders.started(o.ID, co)
	w.Header().Set(orderIDHeader, o.ID)
	http.Redirect(w, r, co.RedirectURL, http.StatusSeeOther)
}

// describeCreateError tells the customer what a failed create means, by
// error kind, and picks the answer's status code.
func describeCreateError(g gatewayInfo, err error) (string, int) {
	switch {
	case errors.Is(err, mfspay.ErrOutcomeUnknown):
		return g.Title + " did not answer clearly: the payment may or may not exist. Do not pay twice; " +
			"this order will turn paid if the payment went through.", http.StatusServiceUnavailable
	case errors.Is(err, mfspay.ErrCircuitOpen), errors.Is(err, mfspay.ErrUnavailable), errors.Is(err, mfspay.ErrRateLimited):
		return g.Title + " is unavailable right now. Try again in a minute or choose another way to pay.", http.StatusServiceUnavailable
	case errors.Is(err, mfspay.ErrUnauthorized), errors.Is(err, mfspay.ErrForbidden):
		return "The shop's " + g.Title + " account is misconfigured. Choose another way to pay.", http.StatusBadGateway
	case errors.Is(err, mfspay.ErrInvalidRequest):
		return g.Title + " refused this order's details.", http.StatusBadGateway
	}
	return g.Title + " could not start the payment.", http.StatusBadGateway
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
	o, ok := s.orders.get(r.PathValue("id"))
	if !ok {
		render(w, http.StatusNotFound, "problem.html", problemView{Title: "Order not found", Message: "No order has this id."})
		return
	}
	g, _ := s.gateway(o.Provider)
	v := orderView{Order: o, Gateway: g, StatusLabel: o.Status.label(), Refresh: o.Status == statusAwaiting, Gateways: s.gateways}
	switch {
	case strings.HasSuffix(r.URL.Path, "/success"):
		v.Returned = "success"
	case strings.HasSuffix(r.URL.Path, "/cancel"):
		v.Returned = "cancel"
	}
	render(w, http.StatusOK, "order.html", v)
}

// orderStatus is the order as JSON, for scripts and tests.
func (s *shop) orderStatus(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orders.get(r.PathValue("id"))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"order not found"}` + "\n"))
		return
	}
	json.NewEncoder(w).Encode(o)
}
