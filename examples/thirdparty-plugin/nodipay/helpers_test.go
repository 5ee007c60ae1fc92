package nodipay_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay/nodipaytest"
)

// fast is test-speed resilience: quick retries, and a breaker that never
// opens within a test unless the test asks for it.
func fast() mfspay.Resilience {
	return mfspay.Resilience{
		Retry: mfspay.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
			MaxRetryAfter: 50 * time.Millisecond, AttemptTimeout: 2 * time.Second},
		Breaker: mfspay.BreakerSettings{Disabled: true},
	}
}

// env is a simulator and a gateway configured against it.
type env struct {
	sim      *nodipaytest.Server
	settings simctl.Settings
	gw       mfspay.Gateway
	ctx      context.Context
}

func newEnv(t *testing.T, opts ...nodipaytest.Option) *env {
	t.Helper()
	sim := nodipaytest.NewServer(opts...)
	t.Cleanup(sim.Close)
	ctx := context.Background()
	st, err := sim.Settings(ctx)
	require.NoError(t, err)
	gw, err := nodipay.FromSettings(st.Values, fast())
	require.NoError(t, err)
	return &env{sim: sim, settings: st, gw: gw, ctx: ctx}
}

func (e *env) requests(t *testing.T) int {
	t.Helper()
	n, err := e.sim.RequestCount(e.ctx)
	require.NoError(t, err)
	return n
}

func (e *env) payments(t *testing.T, invoice string) int {
	t.Helper()
	n, err := e.sim.PaymentCount(e.ctx, invoice)
	require.NoError(t, err)
	return n
}

func (e *env) create(t *testing.T, invoice string, amount mfspay.Amount) *mfspay.Checkout {
	t.Helper()
	co, err := e.gw.CreatePayment(e.ctx, request(invoice, amount))
	require.NoError(t, err)
	return co
}

// request is a valid create request.
func request(invoice string, amount mfspay.Amount) mfspay.CreatePaymentRequest {
	return mfspay.CreatePaymentRequest{
		InvoiceID:  invoice,
		Amount:     amount,
		Customer:   mfspay.Customer{Name: "Rahim Khan", Email: "rahim@example.com", Phone: "01712345678"},
		SuccessURL: "https://shop.example/ok?order=1&x=y",
		CancelURL:  "https://shop.example/cancel",
		WebhookURL: "https://shop.example/webhooks/nodipay",
		Metadata:   map[string]string{"order": invoice},
	}
}

// stub is a hand-written NodiPay answering every request with handler, for
// answers the simulator never gives.
func stub(t *testing.T, handler http.HandlerFunc) mfspay.Gateway {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	gw, err := nodipay.New(nodipay.Config{BaseURL: srv.URL + "/v1", APIKey: "nsk_test_stubkey123",
		WebhookSecrets: []string{"whsec_stub_secret"}, Resilience: fast()})
	require.NoError(t, err)
	return gw
}

// sign returns a Nodi-Signature value for body at time ts under secrets,
// computed here independently of both the adapter and the simulator.
func sign(body []byte, ts time.Time, secrets ...string) string {
	t := strconv.FormatInt(ts.Unix(), 10)
	h := "t=" + t
	for _, s := range secrets {
		h += ",v1=" + hmacHex(s, []byte(t+"."+string(body)))
	}
	return h
}

// hmacHex is the hex HMAC-SHA256 of msg under secret.
func hmacHex(secret string, msg []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

// paymentJSON is a well-formed payment object with the given overrides.
func paymentJSON(overrides string) string {
	base := `"id":"pay_0123456789abcdef0123","invoice_id":"INV-1","amount":25050,"currency":"BDT",` +
		`"status":"open","checkout_url":"https://pay.nodipay.example/pay/pay_0123456789abcdef0123",` +
		`"created_at":"2025-01-02T15:04:05Z","expires_at":"2025-01-02T15:34:05Z","paid_at":null,` +
		`"wallet":"","wallet_number":"","trx_id":""`
	if overrides == "" {
		return "{" + base + "}"
	}
	// Later keys win in encoding/json, so overrides replace the base.
	return "{" + base + "," + overrides + "}"
}

func simctl500(count int) simctl.Fault { return simctl.Fault{Status: 500, Count: count} }

// faultWith answers every request (retries and lookups included) with
// status and body.
func faultWith(status int, body string) simctl.Fault {
	ct := "application/json"
	if strings.HasPrefix(body, "<") {
		ct = "text/html"
	}
	return simctl.Fault{Status: status, Body: body, ContentType: ct, Count: 100}
}

// fmtAll renders err with every verb a log line might use.
func fmtAll(err error) string { return fmt.Sprintf("%v %+v %#v %s", err, err, err, err) }
