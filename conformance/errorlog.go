package conformance

import (
	"bytes"
	"context"
	"log/slog"
	"sync"

	"github.com/mfspay/mfspay"
)

// errorRecord is one error a gateway returned during the run.
type errorRecord struct {
	rule string
	op   string
	err  error
	// supported says the capabilities declare this call's form supported,
	// so ErrUnsupported would break the contract.
	supported bool
}

// errorLog collects every error every gateway returns during a run, for
// the hygiene rules.
type errorLog struct {
	mu   sync.Mutex
	recs []errorRecord
}

func (l *errorLog) add(rec errorRecord) {
	if rec.err == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, rec)
}

func (l *errorLog) all() []errorRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]errorRecord(nil), l.recs...)
}

// recorded wraps a gateway the suite made and records its errors. The rules
// call gateways through it only; inner stays reachable for BreakerStateOf
// and io.Closer.
type recorded struct {
	inner mfspay.Gateway
	caps  mfspay.Capabilities
	rule  string
	log   *errorLog
}

func (g *recorded) note(op string, err error, supported bool) {
	g.log.add(errorRecord{rule: g.rule, op: op, err: err, supported: supported})
}

func (g *recorded) Provider() string                  { return g.inner.Provider() }
func (g *recorded) Capabilities() mfspay.Capabilities { return g.inner.Capabilities() }

func (g *recorded) CreatePayment(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	co, err := g.inner.CreatePayment(ctx, req)
	g.note(mfspay.OpCreate, err, true)
	return co, err
}

func (g *recorded) VerifyPayment(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	p, err := g.inner.VerifyPayment(ctx, ref)
	supported := ref.Validate() == nil &&
		(ref.InvoiceID != "" && g.caps.VerifyByInvoice || ref.PaymentID != "" && g.caps.VerifyByPaymentID)
	g.note(mfspay.OpVerify, err, supported)
	return p, err
}

func (g *recorded) ListPayments(ctx context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	page, err := g.inner.ListPayments(ctx, q)
	g.note(mfspay.OpList, err, g.caps.List && (q.Status == "" || g.caps.ListByStatus))
	return page, err
}

func (g *recorded) ParseWebhook(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	ev, err := g.inner.ParseWebhook(ctx, req)
	g.note("webhook", err, len(g.caps.EventTypes) > 0)
	return ev, err
}

func (g *recorded) CompleteReturn(ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error) {
	ev, err := g.inner.CompleteReturn(ctx, req)
	g.note(mfspay.OpReturn, err, g.caps.Return != mfspay.ReturnNone)
	return ev, err
}

// logCapture is the Logger the suite hands to every gateway: it keeps all
// output, debug lines included, so the hygiene rules can search it.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logCapture) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
