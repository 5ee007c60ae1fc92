package eazzpay_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
)

const testSecret = "esk_live_7f3a9c1d2e4b"

// fastResilience keeps retries and timeouts short so tests stay quick.
func fastResilience() mfspay.Resilience {
	return mfspay.Resilience{
		Retry: mfspay.RetryPolicy{
			MinBackoff:     time.Millisecond,
			MaxBackoff:     5 * time.Millisecond,
			AttemptTimeout: 200 * time.Millisecond,
		},
	}
}

// simGateway starts a simulator with testSecret and a gateway on it.
func simGateway(t *testing.T, r mfspay.Resilience) (*eazzpaytest.Server, mfspay.Gateway) {
	t.Helper()
	sim := eazzpaytest.NewServer(eazzpaytest.WithClientSecret(testSecret))
	t.Cleanup(sim.Close)
	return sim, newGateway(t, sim.BaseURL(), r)
}

func newGateway(t *testing.T, baseURL string, r mfspay.Resilience) mfspay.Gateway {
	t.Helper()
	g, err := eazzpay.New(eazzpay.Config{BaseURL: baseURL, ClientSecret: testSecret, Resilience: r})
	require.NoError(t, err)
	return g
}

// validRequest is a create request that passes every check.
func validRequest() mfspay.CreatePaymentRequest {
	return mfspay.CreatePaymentRequest{
		InvoiceID:  "INV-1",
		Amount:     mfspay.Taka(250),
		Customer:   mfspay.Customer{Name: "Rahim Khan"},
		SuccessURL: "https://shop.example/success",
		CancelURL:  "https://shop.example/cancel",
		WebhookURL: "https://shop.example/ipn",
	}
}

// capturedRequest is what a fake EazzPay received.
type capturedRequest struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// fakeAPI is a plain httptest server answering every request with the
// responder and recording what it received.
type fakeAPI struct {
	*httptest.Server
	mu       sync.Mutex
	requests []capturedRequest
}

func newFakeAPI(t *testing.T, respond func(w http.ResponseWriter, r *http.Request)) *fakeAPI {
	t.Helper()
	f := &fakeAPI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, capturedRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		f.mu.Unlock()
		respond(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) Requests() []capturedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]capturedRequest(nil), f.requests...)
}

// reply answers with status and a JSON body.
func reply(status int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

const createdBody = `{"code":201,"message":"Payment initiated","data":{"payment_id":"67adb1d9a7436e9d01c5f00d",` +
	`"reference":"R1","transaction_status":"INITIATED","amount":250,` +
	`"eazzpay_url":"https://pay.eazzpay.com/checkout/67adb1d9a7436e9d01c5f00d"}}`

// repeat returns a string of n copies of c.
func repeat(c string, n int) string { return strings.Repeat(c, n) }

var bg = context.Background()
