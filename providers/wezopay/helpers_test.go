package wezopay_test

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
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// fastRetry keeps tests quick while leaving room for the race detector.
func fastRetry() mfspay.RetryPolicy {
	return mfspay.RetryPolicy{
		MaxAttempts:    3,
		MinBackoff:     time.Millisecond,
		MaxBackoff:     5 * time.Millisecond,
		MaxRetryAfter:  2 * time.Second,
		AttemptTimeout: 2 * time.Second,
	}
}

// env is a simulator and a gateway wired to it.
type env struct {
	sim *wezopaytest.Server
	gw  mfspay.Gateway
}

// newEnv starts a simulator with simOpts and a gateway on it; tweak may
// change the resilience settings.
func newEnv(t *testing.T, simOpts []wezopaytest.Option, tweak func(*mfspay.Resilience)) *env {
	t.Helper()
	sim := wezopaytest.NewServer(simOpts...)
	t.Cleanup(sim.Close)
	r := mfspay.Resilience{Retry: fastRetry()}
	if tweak != nil {
		tweak(&r)
	}
	gw, err := wezopay.FromSettings(sim.SettingsMap(), r)
	require.NoError(t, err)
	return &env{sim: sim, gw: gw}
}

func (e *env) create(req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	return e.gw.CreatePayment(context.Background(), req)
}

func (e *env) verify(ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	return e.gw.VerifyPayment(context.Background(), ref)
}

func (e *env) fail(t *testing.T, f simctl.Fault) {
	t.Helper()
	require.NoError(t, e.sim.Fail(context.Background(), f))
}

func (e *env) requestCount(t *testing.T) int {
	n, err := e.sim.RequestCount(context.Background())
	require.NoError(t, err)
	return n
}

func (e *env) paymentCount(t *testing.T, invoice string) int {
	n, err := e.sim.PaymentCount(context.Background(), invoice)
	require.NoError(t, err)
	return n
}

// creates counts the create requests the simulator received.
func (e *env) creates() int {
	n := 0
	for _, r := range e.sim.Requests() {
		if r.Method == http.MethodPost {
			n++
		}
	}
	return n
}

var invoiceSeq atomic.Int64

// newRequest returns a valid create request with a fresh invoice id.
func newRequest(amount mfspay.Amount) mfspay.CreatePaymentRequest {
	return mfspay.CreatePaymentRequest{
		InvoiceID:  fmt.Sprintf("INV-%d-%d", time.Now().UnixNano()%1e6, invoiceSeq.Add(1)),
		Amount:     amount,
		Customer:   mfspay.Customer{Name: "Rahim Khan", Email: "rahim@example.com", Phone: "01712345678"},
		SuccessURL: "https://shop.example/success",
		CancelURL:  "https://shop.example/cancel",
		Metadata:   map[string]string{"order_id": "ORD-123"},
	}
}
