package plugins

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/plugins/internal/scriptpay"
)

// transport makes a gateway for the scripted driver one way: in process,
// as an in-memory plugin, or as a subprocess plugin. Each gets a breaker
// that opens on the first failure and the logger given.
type transport struct {
	name string
	open func(t *testing.T, settings map[string]string, b mfspay.BreakerSettings, log *slog.Logger) mfspay.Gateway
}

var transports = []transport{
	{"InProcess", func(_ *testing.T, s map[string]string, b mfspay.BreakerSettings, log *slog.Logger) mfspay.Gateway {
		d, _ := scriptpay.FromSettings(s, mfspay.Resilience{})
		return mfspay.NewGateway(d, mfspay.Resilience{Breaker: b, Logger: log})
	}},
	{"InMemoryPlugin", func(t *testing.T, s map[string]string, b mfspay.BreakerSettings, log *slog.Logger) mfspay.Gateway {
		c, err := OpenInMemory(context.Background(), ServeConfig{Name: scriptpay.Name, Factory: scriptpay.FromSettings},
			Config{Settings: s, Breaker: b, Logger: log})
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c
	}},
	{"SubprocessPlugin", func(t *testing.T, s map[string]string, b mfspay.BreakerSettings, log *slog.Logger) mfspay.Gateway {
		c, err := Open(context.Background(), binary(t, "scriptplugin"), Config{Settings: s, Breaker: b, Logger: log})
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c
	}},
}

// step is one call and the error kind it must end in (nil: success).
type step struct {
	call func(context.Context, mfspay.Gateway) error
	want error
}

func create(invoice string, amount mfspay.Amount) func(context.Context, mfspay.Gateway) error {
	return func(ctx context.Context, g mfspay.Gateway) error {
		req := createRequest(invoice)
		req.Amount = amount
		_, err := g.CreatePayment(ctx, req)
		return err
	}
}

func verifyRef(ref mfspay.PaymentRef) func(context.Context, mfspay.Gateway) error {
	return func(ctx context.Context, g mfspay.Gateway) error {
		_, err := g.VerifyPayment(ctx, ref)
		return err
	}
}

func list(q mfspay.ListQuery) func(context.Context, mfspay.Gateway) error {
	return func(ctx context.Context, g mfspay.Gateway) error {
		_, err := g.ListPayments(ctx, q)
		return err
	}
}

// expired makes call with a context whose deadline has passed.
func expired(call func(context.Context, mfspay.Gateway) error) func(context.Context, mfspay.Gateway) error {
	return func(ctx context.Context, g mfspay.Gateway) error {
		ctx, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
		defer cancel()
		return call(ctx, g)
	}
}

func notification(body string) func(context.Context, mfspay.Gateway) error {
	return func(ctx context.Context, g mfspay.Gateway) error {
		_, err := g.ParseWebhook(ctx, mfspay.WebhookRequest{Body: []byte(body)})
		return err
	}
}

// TestSameAnswersEveryTransport runs one table of invalid requests,
// unsupported operations, answers that break the contract and breaker
// states through every transport, and requires the same error, kind and
// text, from each: the contract is enforced once, by the portable layer,
// whatever carries the driver.
func TestSameAnswersEveryTransport(t *testing.T) {
	const amount = 25000
	honest := mfspay.PaymentRef{InvoiceID: "INV-1"}
	cases := []struct {
		name     string
		settings map[string]string
		// openFor is how long the breaker stays open: long, unless the
		// case needs the half-open state.
		openFor time.Duration
		// threshold is how many failures open the breaker; 0 means 1.
		threshold uint32
		steps     []step
		// violations is how many answers must be logged as breaking the
		// contract.
		violations int
	}{
		{name: "invalid requests", steps: []step{
			{create("INV-1", 0), mfspay.ErrInvalidRequest},
			{create("", amount), mfspay.ErrInvalidRequest},
			{create("INV\x00", amount), mfspay.ErrInvalidRequest},
			{verifyRef(mfspay.PaymentRef{}), mfspay.ErrInvalidRequest},
			{verifyRef(mfspay.PaymentRef{InvoiceID: "a", PaymentID: "b"}), mfspay.ErrInvalidRequest},
			{list(mfspay.ListQuery{PerPage: 11}), mfspay.ErrInvalidRequest},
			{list(mfspay.ListQuery{Status: "settled"}), mfspay.ErrInvalidRequest},
		}},
		{name: "unsupported operations", settings: map[string]string{scriptpay.SettingCreateOnly: "true"}, steps: []step{
			{verifyRef(honest), mfspay.ErrUnsupported},
			{verifyRef(mfspay.PaymentRef{}), mfspay.ErrUnsupported},
			{list(mfspay.ListQuery{}), mfspay.ErrUnsupported},
			{notification("honest"), mfspay.ErrUnsupported},
			{create("INV-1", amount), nil},
		}},
		{name: "answers that break the contract", violations: 11, threshold: 100, steps: []step{
			{create("INV-1", amount), nil},
			{verifyRef(honest), nil},
			{notification("honest"), nil},
			{create(scriptpay.OtherPayment, amount), mfspay.ErrOutcomeUnknown},
			{create(scriptpay.BadRedirect, amount), mfspay.ErrOutcomeUnknown},
			{create(scriptpay.UnknownStatus, amount), mfspay.ErrOutcomeUnknown},
			{verifyRef(mfspay.PaymentRef{InvoiceID: scriptpay.OtherPayment}), mfspay.ErrUnavailable},
			{verifyRef(mfspay.PaymentRef{PaymentID: scriptpay.PaidZero}), mfspay.ErrUnavailable},
			{verifyRef(mfspay.PaymentRef{InvoiceID: scriptpay.NegativeAmount}), mfspay.ErrUnavailable},
			{verifyRef(mfspay.PaymentRef{PaymentID: scriptpay.UnknownStatus}), mfspay.ErrUnavailable},
			{list(mfspay.ListQuery{Status: mfspay.StatusPaid}), mfspay.ErrUnavailable},
			{notification(scriptpay.PaidZero), mfspay.ErrInvalidRequest},
			{notification(scriptpay.PendingAsCompleted), mfspay.ErrInvalidRequest},
			{notification(scriptpay.UndeclaredEvent), mfspay.ErrInvalidRequest},
			{notification("forged"), mfspay.ErrInvalidSignature},
		}},
		{name: "open breaker", steps: []step{
			{create(scriptpay.Unavailable, amount), mfspay.ErrUnavailable},
			{create("INV-1", amount), mfspay.ErrCircuitOpen},
			{create("INV-1", 0), mfspay.ErrInvalidRequest},
			{verifyRef(honest), mfspay.ErrCircuitOpen},
			{verifyRef(mfspay.PaymentRef{}), mfspay.ErrInvalidRequest},
			{list(mfspay.ListQuery{PerPage: -1}), mfspay.ErrInvalidRequest},
			{list(mfspay.ListQuery{}), mfspay.ErrCircuitOpen},
			{notification("honest"), nil},
		}},
		{name: "an invalid request is no half-open probe", openFor: 300 * time.Millisecond, steps: []step{
			{verifyRef(mfspay.PaymentRef{InvoiceID: scriptpay.Unavailable}), mfspay.ErrUnavailable},
			{func(context.Context, mfspay.Gateway) error { time.Sleep(400 * time.Millisecond); return nil }, nil},
			{create("INV-1", 0), mfspay.ErrInvalidRequest},
			{create("INV\x00", amount), mfspay.ErrInvalidRequest},
			{create(scriptpay.Unavailable, amount), mfspay.ErrUnavailable},
			{create("INV-1", amount), mfspay.ErrCircuitOpen},
		}},
		{name: "a context that ended before the call says nothing about the provider", steps: []step{
			{expired(create("INV-1", amount)), mfspay.ErrUnavailable},
			{expired(verifyRef(honest)), mfspay.ErrUnavailable},
			{expired(list(mfspay.ListQuery{})), mfspay.ErrUnavailable},
			{create("INV-1", amount), nil},
			{verifyRef(honest), nil},
		}},
		// A driver's error that is no *Error of a known kind has no kind,
		// however it wraps a sentinel: the create may have happened, and a
		// read failed. A plugin must not read a kind into it that the
		// layer in process would not.
		{name: "errors that are no *Error of a known kind", threshold: 100, steps: []step{
			{create(scriptpay.UndecodableAnswer, amount), mfspay.ErrOutcomeUnknown},
			{create(scriptpay.UnknownKind, amount), mfspay.ErrOutcomeUnknown},
			{verifyRef(mfspay.PaymentRef{InvoiceID: scriptpay.BareSentinel}), mfspay.ErrUnavailable},
			{verifyRef(mfspay.PaymentRef{PaymentID: scriptpay.UnknownKind}), mfspay.ErrUnavailable},
			{notification(scriptpay.BareSentinel), mfspay.ErrUnavailable},
		}},
		{name: "a bare sentinel trips the breaker", steps: []step{
			{verifyRef(mfspay.PaymentRef{InvoiceID: scriptpay.BareSentinel}), mfspay.ErrUnavailable},
			{verifyRef(honest), mfspay.ErrCircuitOpen},
		}},
		// A driver's panic reaches no caller, whatever carries the
		// driver: a create may have been sent, other calls failed.
		{name: "a panicking driver", threshold: 100, steps: []step{
			{create(scriptpay.Panic, amount), mfspay.ErrOutcomeUnknown},
			{verifyRef(mfspay.PaymentRef{InvoiceID: scriptpay.Panic}), mfspay.ErrUnavailable},
			{notification(scriptpay.Panic), mfspay.ErrUnavailable},
			{create("INV-1", amount), nil},
		}},
		{name: "a panic trips the breaker", steps: []step{
			{create(scriptpay.Panic, amount), mfspay.ErrOutcomeUnknown},
			{verifyRef(honest), mfspay.ErrCircuitOpen},
		}},
		{name: "a lying answer trips the breaker", steps: []step{
			{verifyRef(mfspay.PaymentRef{InvoiceID: scriptpay.OtherPayment}), mfspay.ErrUnavailable},
			{verifyRef(honest), mfspay.ErrCircuitOpen},
		}, violations: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			texts := map[string][]string{}
			for _, tr := range transports {
				t.Run(tr.name, func(t *testing.T) {
					logs := &logBuffer{}
					openFor := tc.openFor
					if openFor == 0 {
						openFor = time.Hour
					}
					threshold := max(tc.threshold, 1)
					settings := tc.settings
					if settings == nil {
						settings = map[string]string{} // configured, with nothing to set
					}
					g := tr.open(t, settings, mfspay.BreakerSettings{FailureThreshold: threshold, OpenTimeout: openFor},
						slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
					ctx := context.Background()
					for i, s := range tc.steps {
						err := s.call(ctx, g)
						if s.want == nil {
							require.NoError(t, err, "step %d", i)
							texts[tr.name] = append(texts[tr.name], "ok")
							continue
						}
						require.Error(t, err, "step %d", i)
						assert.Equal(t, s.want, mfspay.KindOf(err), "step %d: %v", i, err)
						var e *mfspay.Error
						require.ErrorAs(t, err, &e, "step %d", i)
						assert.Equal(t, scriptpay.Name, e.Provider, "step %d", i)
						texts[tr.name] = append(texts[tr.name], err.Error())
					}
					assert.Equal(t, tc.violations, strings.Count(logs.String(), "breaks the contract"),
						"every refused answer is logged, once, by the host:\n%s", logs)
					assert.NotContains(t, logs.String(), "scripted panic", "a panic's value may hold request data")
				})
			}
			for _, tr := range transports[1:] {
				assert.Equal(t, texts[transports[0].name], texts[tr.name], "%s answers as in process", tr.name)
			}
		})
	}
}

// logBuffer is a bytes.Buffer safe for the concurrent writes of a plugin's
// relayed log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
