package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/ledger/ledgertest"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// testSchedule is the schedule of these tests, in minutes of virtual time.
var testSchedule = ledger.Schedule{
	FirstCheck:    time.Minute,
	IntentTimeout: 2 * time.Minute,
	MinInterval:   time.Minute,
	MaxInterval:   10 * time.Minute,
	AgeDivisor:    4,
	DefaultExpiry: time.Hour,
	Grace:         10 * time.Minute,
}

// onceDeliverer is the tests' Deliverer: it de-duplicates by (provider,
// payment id or invoice, event type), as the webhook handler does by
// payment and state, and counts. Deliver is atomic: the check and the
// delivery happen under one lock.
type onceDeliverer struct {
	mu        sync.Mutex
	fail      func(*mfspay.Event) error // when set, may refuse an event
	calls     int
	delivered map[string]*mfspay.Event
	repeats   map[string]int // de-duplicated repeats per key
}

func newOnceDeliverer() *onceDeliverer {
	return &onceDeliverer{delivered: map[string]*mfspay.Event{}, repeats: map[string]int{}}
}

func deliveryKey(ev *mfspay.Event) string {
	ref := ev.Payment.PaymentID
	if ref == "" {
		ref = ev.Payment.InvoiceID
	}
	return ev.Provider + "/" + ref + "/" + string(ev.Type)
}

func (d *onceDeliverer) Deliver(_ context.Context, ev *mfspay.Event) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	if d.fail != nil {
		if err := d.fail(ev); err != nil {
			return err
		}
	}
	k := deliveryKey(ev)
	if _, seen := d.delivered[k]; seen {
		d.repeats[k]++
		return nil
	}
	cp := *ev
	d.delivered[k] = &cp
	return nil
}

// byType counts delivered events per type.
func (d *onceDeliverer) byType() map[mfspay.EventType]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[mfspay.EventType]int{}
	for _, ev := range d.delivered {
		out[ev.Type]++
	}
	return out
}

func (d *onceDeliverer) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.delivered)
}

// wire records what crossed the gateway's transport: every request's
// virtual time and status.
type wire struct {
	next  http.RoundTripper
	clock *ledgertest.Clock

	mu    sync.Mutex
	calls []wireCall
}

type wireCall struct {
	at         time.Time
	path       string
	status     int
	retryAfter time.Duration
}

func (w *wire) RoundTrip(req *http.Request) (*http.Response, error) {
	at := w.clock.Now()
	resp, err := w.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	c := wireCall{at: at, path: req.URL.Path, status: resp.StatusCode}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
		c.retryAfter = time.Duration(s) * time.Second
	}
	w.mu.Lock()
	w.calls = append(w.calls, c)
	w.mu.Unlock()
	return resp, err
}

func (w *wire) snapshot() []wireCall {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]wireCall(nil), w.calls...)
}

// env is a WezoPay simulator sharing a manual clock with a ledger, a
// recording gateway and a reconciler.
type env struct {
	t       *testing.T
	ctx     context.Context
	clock   *ledgertest.Clock
	sim     *wezopaytest.Server
	wire    *wire
	gw      mfspay.Gateway // the adapter, one attempt per call: 429s reach the reconciler
	store   ledger.Store
	rec     mfspay.Gateway // gw recorded in store
	deliver *onceDeliverer
	logs    *bytes.Buffer
	cfg     ledger.Config
}

// newEnv starts the simulator with opts; tune adjusts the reconciler's
// configuration before reconciler() builds it.
func newEnv(t *testing.T, store ledger.Store, opts ...wezopaytest.Option) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	clock := ledgertest.NewClock(ledgertest.T0)
	sim := wezopaytest.NewServer(append([]wezopaytest.Option{wezopaytest.WithClock(clock.Now)}, opts...)...)
	t.Cleanup(sim.Close)
	e := &env{t: t, ctx: ctx, clock: clock, sim: sim, store: store, deliver: newOnceDeliverer(), logs: &bytes.Buffer{}}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	e.wire = &wire{next: transport, clock: clock}
	e.gw = e.gateway(e.settings().Values)
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: e.logs}, nil))
	e.rec = ledger.Record(e.gw, store, ledger.WithClock(clock), ledger.WithSchedule(testSchedule), ledger.WithLogger(logger))
	e.cfg = ledger.Config{
		Store: store, Gateways: []mfspay.Gateway{e.gw}, Deliverer: e.deliver, Schedule: testSchedule,
		Clock: clock, Logger: logger, DefaultLimit: ledger.RateLimit{Interval: time.Millisecond, Burst: 1000},
	}
	return e
}

func (e *env) settings() simctl.Settings {
	s, err := e.sim.Settings(e.ctx)
	require.NoError(e.t, err)
	return s
}

// gateway is a WezoPay adapter for values, over the recorded transport.
func (e *env) gateway(values map[string]string) mfspay.Gateway {
	gw, err := wezopay.FromSettings(values, mfspay.Resilience{
		Retry:     mfspay.RetryPolicy{MaxAttempts: 1},
		Breaker:   mfspay.BreakerSettings{Disabled: true},
		Transport: e.wire,
	})
	require.NoError(e.t, err)
	return gw
}

func (e *env) reconciler() *ledger.Reconciler {
	r, err := ledger.NewReconciler(e.cfg)
	require.NoError(e.t, err)
	return r
}

func request(invoice string) mfspay.CreatePaymentRequest {
	return mfspay.CreatePaymentRequest{
		InvoiceID:  invoice,
		Amount:     mfspay.Taka(250),
		Customer:   mfspay.Customer{Name: "Rahim", Phone: "01700000000"},
		SuccessURL: "https://shop.example/ok",
		CancelURL:  "https://shop.example/cancel",
		// No WebhookURL: the simulator never delivers its notifications.
	}
}

// create makes n payments through the recording gateway.
func (e *env) create(n int, prefix string) []*mfspay.Checkout {
	e.t.Helper()
	out := make([]*mfspay.Checkout, n)
	for i := range out {
		co, err := e.rec.CreatePayment(e.ctx, request(fmt.Sprintf("%s-%03d", prefix, i)))
		require.NoError(e.t, err)
		out[i] = co
	}
	return out
}

func (e *env) entry(invoice string) ledger.Entry {
	e.t.Helper()
	en, err := e.store.ByInvoice(e.ctx, wezopay.ProviderName, invoice)
	require.NoError(e.t, err)
	return en
}

func (e *env) sweep(r *ledger.Reconciler) ledger.Report {
	e.t.Helper()
	rep, err := r.Sweep(e.ctx)
	require.NoError(e.t, err)
	return rep
}

// lockedWriter serialises writes to a buffer shared by goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
