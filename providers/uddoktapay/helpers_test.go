package uddoktapay_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/uddoktapay"
	"github.com/mfspay/mfspay/providers/uddoktapay/uddoktapaytest"
)

var bg = context.Background()

// fastResilience keeps retries and timeouts short so tests stay quick.
func fastResilience() mfspay.Resilience {
	return mfspay.Resilience{Retry: mfspay.RetryPolicy{
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, AttemptTimeout: 2 * time.Second,
	}}
}

// stack is a simulated panel and a gateway configured against it.
type stack struct {
	sim *uddoktapaytest.Server
	gw  mfspay.Gateway
	key string
}

func newStack(t *testing.T, opts ...uddoktapaytest.Option) *stack {
	t.Helper()
	sim := uddoktapaytest.NewServer(append([]uddoktapaytest.Option{uddoktapaytest.WithDelivery(1, time.Millisecond)}, opts...)...)
	t.Cleanup(sim.Close)
	settings, err := sim.Settings(bg)
	require.NoError(t, err)
	gw, err := uddoktapay.FromSettings(settings.Values, fastResilience())
	require.NoError(t, err)
	return &stack{sim: sim, gw: gw, key: sim.APIKey()}
}

var invoiceSeq atomic.Int64

func newInvoice() string { return fmt.Sprintf("INV-UP-%d", invoiceSeq.Add(1)) }

// request is a create request that passes every check.
func request() mfspay.CreatePaymentRequest {
	return mfspay.CreatePaymentRequest{
		InvoiceID:  newInvoice(),
		Amount:     mfspay.Poisha(25050),
		Customer:   mfspay.Customer{Name: "Rahim Khan", Email: "rahim@example.com"},
		SuccessURL: "https://shop.example/ok?order=1",
		CancelURL:  "https://shop.example/cancel",
		WebhookURL: "http://127.0.0.1:9/ipn", // nothing listens: IPNs are only recorded
		ReturnURL:  "https://shop.example/returns/uddoktapay?order=1",
	}
}

// create makes a charge and returns its request and checkout.
func (s *stack) create(t *testing.T) (mfspay.CreatePaymentRequest, *mfspay.Checkout) {
	t.Helper()
	req := request()
	co, err := s.gw.CreatePayment(bg, req)
	require.NoError(t, err)
	return req, co
}

// invoiceID is UddoktaPay's invoice_id of the checkout, as the customer's
// return or the IPN would tell it.
func (s *stack) invoiceID(t *testing.T, co *mfspay.Checkout) string {
	t.Helper()
	p, ok := s.sim.PaymentByInvoice(co.InvoiceID)
	require.True(t, ok, "the panel holds no charge for %s", co.InvoiceID)
	return p.ID
}

// pay pays the checkout (pending: submits without the money arriving) and
// returns UddoktaPay's invoice_id.
func (s *stack) pay(t *testing.T, co *mfspay.Checkout, pending bool) string {
	t.Helper()
	require.NoError(t, s.sim.Pay(bg, co.RedirectURL,
		simctl.Payer{Method: mfspay.MethodNagad, Sender: "01811111111", TrxID: fmt.Sprintf("TRX%07d", invoiceSeq.Add(1)), Pending: pending}))
	return s.invoiceID(t, co)
}

// ipn is a notification as the panel sends it, with key in the header.
func ipn(key, body string) mfspay.WebhookRequest {
	h := http.Header{"Content-Type": {"application/json"}}
	if key != "" {
		h.Set(uddoktapay.KeyHeader, key)
	}
	return mfspay.WebhookRequest{Header: h, Body: []byte(body)}
}

// requests is the panel's API request count.
func (s *stack) requests(t *testing.T) int {
	t.Helper()
	n, err := s.sim.RequestCount(bg)
	require.NoError(t, err)
	return n
}
