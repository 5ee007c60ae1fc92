package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/webhook"
)

// fakeSecret signs the fake gateway's notifications.
const fakeSecret = "whsec_fake_0123456789abcdef"

const fakeSigHeader = "X-Fake-Signature"

// fakeGateway is a minimal Gateway whose notifications are JSON signed with
// fakeSecret, and whose VerifyPayment answers from a table the test sets.
type fakeGateway struct {
	name string
	caps mfspay.Capabilities

	mu       sync.Mutex
	payments map[string]mfspay.Payment // by payment id
	verifyFn func(ref mfspay.PaymentRef) (*mfspay.Payment, error)
	verifies atomic.Int64
}

func newFake(name string) *fakeGateway {
	return &fakeGateway{
		name: name,
		caps: mfspay.Capabilities{
			VerifyByInvoice: true, VerifyByPaymentID: true,
			Webhook: mfspay.WebhookHMACSHA256,
			EventTypes: []mfspay.EventType{
				mfspay.EventPaymentPending, mfspay.EventPaymentCompleted, mfspay.EventPaymentFailed,
			},
		},
		payments: map[string]mfspay.Payment{},
	}
}

func (g *fakeGateway) Provider() string                  { return g.name }
func (g *fakeGateway) Capabilities() mfspay.Capabilities { return g.caps }

func (g *fakeGateway) CreatePayment(context.Context, mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	return nil, kit.Unsupported(g.name, "create")
}

func (g *fakeGateway) ListPayments(context.Context, mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return nil, kit.Unsupported(g.name, "list")
}

func (g *fakeGateway) setPayment(p mfspay.Payment) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.payments[p.PaymentID] = p
}

func (g *fakeGateway) VerifyPayment(_ context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	g.verifies.Add(1)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.verifyFn != nil {
		return g.verifyFn(ref)
	}
	for _, p := range g.payments {
		if p.PaymentID == ref.PaymentID || (ref.PaymentID == "" && p.InvoiceID == ref.InvoiceID) {
			return &p, nil
		}
	}
	return nil, &mfspay.Error{Kind: mfspay.ErrNotFound, Provider: g.name, Op: "verify"}
}

// fakeBody is the fake provider's notification.
type fakeBody struct {
	ID        string        `json:"id"`
	Type      string        `json:"type"`
	PaymentID string        `json:"payment_id,omitempty"`
	InvoiceID string        `json:"invoice_id,omitempty"`
	Status    string        `json:"status"`
	Amount    mfspay.Amount `json:"amount"`
}

func (g *fakeGateway) ParseWebhook(_ context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	if !kit.VerifyHMACSHA256(req.Body, req.Header.Get(fakeSigHeader), []string{fakeSecret}) {
		return nil, &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Provider: g.name, Op: "webhook"}
	}
	var b fakeBody
	if err := json.Unmarshal(req.Body, &b); err != nil || b.ID == "" {
		return nil, kit.Invalid(g.name, "webhook", "body", "not a notification")
	}
	return &mfspay.Event{
		ID: b.ID, Provider: g.name, Type: mfspay.EventType(b.Type),
		Payment: mfspay.Payment{
			Provider: g.name, PaymentID: b.PaymentID, InvoiceID: b.InvoiceID,
			Status: mfspay.Status(b.Status), Amount: b.Amount,
		},
	}, nil
}

// paidBody is a completed-payment notification for invoice inv.
func paidBody(id, inv string, amount mfspay.Amount) fakeBody {
	return fakeBody{ID: id, Type: string(mfspay.EventPaymentCompleted), PaymentID: "pay_" + inv,
		InvoiceID: inv, Status: string(mfspay.StatusPaid), Amount: amount}
}

func (b fakeBody) bytes(t testing.TB) []byte {
	raw, err := json.Marshal(b)
	require.NoError(t, err)
	return raw
}

// signedRequest builds a POST of body signed with fakeSecret.
func signedRequest(target string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(fakeSigHeader, kit.SignHMACSHA256(body, fakeSecret))
	return r
}

// do serves r and returns the status code and body.
func do(h http.Handler, r *http.Request) (int, string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

// recorder is a callback that records what it got and fails on demand.
type recorder struct {
	mu     sync.Mutex
	events []mfspay.Event
	infos  []webhook.Delivery
	calls  atomic.Int64
	fail   atomic.Int64 // fail this many more calls
	block  chan struct{}
}

func (c *recorder) callback(ctx context.Context, e *mfspay.Event) error {
	c.calls.Add(1)
	if c.block != nil {
		<-c.block
	}
	if c.fail.Load() > 0 {
		c.fail.Add(-1)
		return errors.New("merchant database is down")
	}
	d, _ := webhook.DeliveryFrom(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, *e)
	c.infos = append(c.infos, d)
	return nil
}

func (c *recorder) delivered() []mfspay.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]mfspay.Event(nil), c.events...)
}

func (c *recorder) deliveries() []webhook.Delivery {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]webhook.Delivery(nil), c.infos...)
}

// manualClock is a clock the test moves by hand.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func newManualClock() *manualClock {
	return &manualClock{now: time.Date(2026, 6, 8, 12, 0, 0, 0, time.UTC)}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// logBuffer captures slog output as JSON lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// failingStore is a Store whose every call fails, like a shared store that
// is down.
type failingStore struct{}

var errStoreDown = errors.New("redis: connection refused")

func (failingStore) Reserve(context.Context, string, time.Duration) (webhook.Reservation, error) {
	return webhook.Reservation{}, errStoreDown
}
func (failingStore) Commit(context.Context, string, string, time.Duration) error { return errStoreDown }
func (failingStore) Release(context.Context, string, string) error               { return errStoreDown }

func (g *fakeGateway) CompleteReturn(context.Context, mfspay.ReturnRequest) (*mfspay.Event, error) {
	return nil, &mfspay.Error{Kind: mfspay.ErrUnsupported, Provider: g.name, Op: mfspay.OpReturn}
}
