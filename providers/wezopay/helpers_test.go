package wezopay_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// hygiene collects every error text the adapter produced in this package's
// tests, every debug log line, and every secret in play; TestMain fails
// the run if any secret shows up in either.
var hygiene struct {
	mu      sync.Mutex
	errs    []string
	secrets []string
	logs    lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// debugLogger writes every adapter log line, at debug level, to the
// shared buffer.
var debugLogger = slog.New(slog.NewTextHandler(&hygiene.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

func recordErr(err error) {
	if err == nil {
		return
	}
	hygiene.mu.Lock()
	defer hygiene.mu.Unlock()
	hygiene.errs = append(hygiene.errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
}

func recordSecrets(secrets ...string) {
	hygiene.mu.Lock()
	defer hygiene.mu.Unlock()
	hygiene.secrets = append(hygiene.secrets, secrets...)
}

// leaks returns every secret found in the recorded errors or logs.
func leaks() []string {
	hygiene.mu.Lock()
	defer hygiene.mu.Unlock()
	logs := hygiene.logs.String()
	var found []string
	for _, s := range hygiene.secrets {
		if s == "" {
			continue
		}
		if strings.Contains(logs, s) {
			found = append(found, "log line holds "+s)
		}
		for _, e := range hygiene.errs {
			if strings.Contains(e, s) {
				found = append(found, "error holds "+s+": "+e)
			}
		}
	}
	return found
}

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if found := leaks(); len(found) > 0 {
			fmt.Fprintln(os.Stderr, "FAIL: secrets leaked:\n"+strings.Join(found, "\n"))
			code = 1
		}
	}
	os.Exit(code)
}

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

// env is a simulator and a gateway wired to it. Its methods record every
// error for the secret-hygiene check.
type env struct {
	sim     *wezopaytest.Server
	gw      mfspay.Gateway
	retries atomic.Int32
}

// newEnv starts a simulator with simOpts and a gateway on it; tweak may
// change the resilience settings.
func newEnv(t *testing.T, simOpts []wezopaytest.Option, tweak func(*mfspay.Resilience)) *env {
	t.Helper()
	sim := wezopaytest.NewServer(simOpts...)
	t.Cleanup(sim.Close)
	st, err := sim.Settings(context.Background())
	require.NoError(t, err)
	recordSecrets(st.Secrets...)
	e := &env{sim: sim}
	r := mfspay.Resilience{
		Retry:   fastRetry(),
		Logger:  debugLogger,
		OnRetry: func(mfspay.RetryEvent) { e.retries.Add(1) },
	}
	if tweak != nil {
		tweak(&r)
	}
	gw, err := wezopay.FromSettings(sim.SettingsMap(), r)
	require.NoError(t, err)
	e.gw = gw
	return e
}

func (e *env) create(req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	co, err := e.gw.CreatePayment(context.Background(), req)
	recordErr(err)
	return co, err
}

func (e *env) verify(ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	p, err := e.gw.VerifyPayment(context.Background(), ref)
	recordErr(err)
	return p, err
}

func (e *env) list(q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	p, err := e.gw.ListPayments(context.Background(), q)
	recordErr(err)
	return p, err
}

func (e *env) parse(req mfspay.WebhookRequest) (*mfspay.Event, error) {
	ev, err := e.gw.ParseWebhook(context.Background(), req)
	recordErr(err)
	return ev, err
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

// kindOf names an error's kind for table assertions.
func kindOf(err error) error { return mfspay.KindOf(err) }
