package bkash_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/bkash"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
	"github.com/mfspay/mfspay/providers/simkit"
)

// env is a simulated bKash, a gateway on it, and the clock both read.
type env struct {
	sim      *bkashtest.Server
	gw       mfspay.Gateway
	clock    *simkit.ManualClock
	settings map[string]string
	secrets  []string
	logs     *syncBuffer
}

// start is the clock's first reading: a date bKash's captures come from.
var start = time.Date(2025, 11, 2, 8, 29, 2, 0, time.UTC)

// testRetry keeps retries quick; attemptTimeout is short enough that a
// held execute times out at once.
func testResilience(logs *syncBuffer, attemptTimeout time.Duration) mfspay.Resilience {
	return mfspay.Resilience{
		Retry: mfspay.RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
			MaxRetryAfter: 50 * time.Millisecond, AttemptTimeout: attemptTimeout},
		Breaker: mfspay.BreakerSettings{Disabled: true},
		Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

func newEnv(t *testing.T, opts ...bkashtest.Option) *env {
	t.Helper()
	clock := simkit.NewManualClock(start)
	sim := bkashtest.NewServer(append([]bkashtest.Option{bkashtest.WithClock(clock.Now)}, opts...)...)
	t.Cleanup(sim.Close)
	st, err := sim.Settings(context.Background())
	require.NoError(t, err)
	e := &env{sim: sim, clock: clock, settings: st.Values, secrets: st.Secrets, logs: &syncBuffer{}}
	e.gw = e.gateway(t, 2*time.Second)
	return e
}

// gateway opens another gateway on the simulator, sharing the clock.
func (e *env) gateway(t *testing.T, attemptTimeout time.Duration) mfspay.Gateway {
	t.Helper()
	d, err := bkash.DriverFromSettings(e.settings, testResilience(e.logs, attemptTimeout))
	require.NoError(t, err)
	bkash.SetClock(d, e.clock.Now)
	return mfspay.NewGateway(d, testResilience(e.logs, attemptTimeout))
}

var invoiceSeq atomic.Int64

func (e *env) request() mfspay.CreatePaymentRequest {
	inv := fmt.Sprintf("INV-%d", invoiceSeq.Add(1))
	return mfspay.CreatePaymentRequest{
		InvoiceID: inv, Amount: mfspay.Poisha(25050),
		Customer:   mfspay.Customer{Name: "Rahim Khan", Phone: "01770618575"},
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/no",
		ReturnURL: "https://shop.example/pay/bkash/return?shop=7",
	}
}

// create makes a payment, which must succeed.
func (e *env) create(t *testing.T) (mfspay.CreatePaymentRequest, *mfspay.Checkout) {
	t.Helper()
	req := e.request()
	co, err := e.gw.CreatePayment(context.Background(), req)
	require.NoError(t, err)
	return req, co
}

// lastReturn is the customer's latest return for the payment, as the
// merchant's endpoint gets it.
func (e *env) lastReturn(t *testing.T, paymentID string) mfspay.ReturnRequest {
	t.Helper()
	rs, err := e.sim.Returns(context.Background(), paymentID)
	require.NoError(t, err)
	require.NotEmpty(t, rs, "no return recorded")
	return rs[len(rs)-1]
}

// requestsTo counts the API requests whose path ends in suffix.
func (e *env) requestsTo(suffix string) int {
	n := 0
	for _, r := range e.sim.Requests() {
		if strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}

// withQuery returns r with its query's key set to value.
func withQuery(r mfspay.ReturnRequest, key, value string) mfspay.ReturnRequest {
	q := url.Values{}
	for k, v := range r.Query {
		q[k] = append([]string(nil), v...)
	}
	q.Set(key, value)
	return mfspay.ReturnRequest{Method: r.Method, Query: q}
}

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// passThenFail lets a request reach bKash, then replaces its answer.
type passThenFail struct {
	suffix string
	status int
	body   string
}

func (x passThenFail) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, x.suffix) {
		return resp, err
	}
	resp.Body.Close()
	return &http.Response{StatusCode: x.status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(x.body)), Request: r}, nil
}

// gatewayWith opens another gateway on the simulator whose requests go
// through tr.
func (e *env) gatewayWith(t *testing.T, tr http.RoundTripper) mfspay.Gateway {
	r := testResilience(e.logs, 2*time.Second)
	r.Transport = tr
	d, err := bkash.DriverFromSettings(e.settings, r)
	require.NoError(t, err)
	bkash.SetClock(d, e.clock.Now)
	return mfspay.NewGateway(d, r)
}

// roundTripFunc is a transport written as a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
