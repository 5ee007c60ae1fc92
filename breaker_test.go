package mfspay_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// openTimeout is short so half-open tests are quick; tests that need the
// breaker to stay open use time.Hour instead.
const openTimeout = 50 * time.Millisecond

// afterOpenTimeout waits until an open breaker will let a probe through.
func afterOpenTimeout() { time.Sleep(openTimeout + 10*time.Millisecond) }

// transitions records OnStateChange calls.
type transitions struct {
	mu  sync.Mutex
	got []string
}

func (tr *transitions) record(provider string, from, to mfspay.BreakerState) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.got = append(tr.got, fmt.Sprintf("%s:%s->%s", provider, from, to))
}

func (tr *transitions) all() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.got...)
}

// breakerFixture is a fake gateway behind a breaker with a small threshold
// that stays open for an hour.
func breakerFixture(threshold uint32) (*fakeDriver, mfspay.Gateway, *transitions) {
	return breakerFixtureTimeout(threshold, time.Hour)
}

// halfOpenFixture is breakerFixture with the short openTimeout.
func halfOpenFixture(threshold uint32) (*fakeDriver, mfspay.Gateway, *transitions) {
	return breakerFixtureTimeout(threshold, openTimeout)
}

func breakerFixtureTimeout(threshold uint32, timeout time.Duration) (*fakeDriver, mfspay.Gateway, *transitions) {
	f := newFakeDriver()
	tr := &transitions{}
	g := mfspay.NewGateway(f, mfspay.Resilience{Breaker: mfspay.BreakerSettings{
		FailureThreshold: threshold, OpenTimeout: timeout, OnStateChange: tr.record,
	}})
	return f, g, tr
}

var (
	ctx    = context.Background()
	ref    = mfspay.PaymentRef{InvoiceID: "INV-1"}
	refPay = mfspay.PaymentRef{PaymentID: "pay_1"}
)

func verify(g mfspay.Gateway) error {
	_, err := g.VerifyPayment(ctx, ref)
	return err
}

func state(t *testing.T, g mfspay.Gateway) mfspay.BreakerState {
	t.Helper()
	s, ok := mfspay.BreakerStateOf(g)
	require.True(t, ok)
	return s
}

func TestBreakerOpensAfterConsecutiveFailures(t *testing.T) {
	for _, kind := range []error{mfspay.ErrUnavailable, mfspay.ErrOutcomeUnknown} {
		t.Run(kind.Error(), func(t *testing.T) {
			f, g, _ := breakerFixture(3)
			f.fail(providerErr(kind))
			for i := 0; i < 2; i++ {
				assert.ErrorIs(t, verify(g), kind)
				assert.Equal(t, mfspay.BreakerClosed, state(t, g))
			}
			assert.ErrorIs(t, verify(g), kind, "the failure that trips the breaker is returned as is")
			assert.Equal(t, mfspay.BreakerOpen, state(t, g))
		})
	}
	// A caller's deadline that expires while the provider has not answered
	// is the provider's failure, bare or as the cause of an *Error.
	for _, deadline := range []error{
		context.DeadlineExceeded,
		&mfspay.Error{Kind: mfspay.ErrUnavailable, Err: context.DeadlineExceeded},
		&mfspay.Error{Kind: mfspay.ErrOutcomeUnknown, Err: context.DeadlineExceeded},
	} {
		t.Run(deadline.Error(), func(t *testing.T) {
			f, g, _ := breakerFixture(3)
			f.fail(deadline)
			for i := 0; i < 3; i++ {
				assert.ErrorIs(t, verify(g), context.DeadlineExceeded)
			}
			assert.Equal(t, mfspay.BreakerOpen, state(t, g))
		})
	}
	t.Run("mixed failure kinds and operations", func(t *testing.T) {
		f, g, _ := breakerFixture(3)
		f.fail(providerErr(mfspay.ErrUnavailable))
		_, _ = g.CreatePayment(ctx, validCreate)
		f.fail(providerErr(mfspay.ErrOutcomeUnknown))
		_, _ = g.ListPayments(ctx, mfspay.ListQuery{})
		assert.Equal(t, mfspay.BreakerClosed, state(t, g))
		f.fail(fmt.Errorf("wrapped: %w", providerErr(mfspay.ErrUnavailable)))
		_ = verify(g)
		assert.Equal(t, mfspay.BreakerOpen, state(t, g))
	})
	t.Run("a success resets the count", func(t *testing.T) {
		f, g, _ := breakerFixture(2)
		for i := 0; i < 5; i++ {
			f.fail(providerErr(mfspay.ErrUnavailable))
			_ = verify(g)
			f.fail(nil)
			require.NoError(t, verify(g))
		}
		assert.Equal(t, mfspay.BreakerClosed, state(t, g))
	})
}

func TestBreakerOpenFailsFastWithoutCalling(t *testing.T) {
	f, g, _ := breakerFixture(1)
	f.fail(providerErr(mfspay.ErrUnavailable))
	_ = verify(g)
	require.Equal(t, mfspay.BreakerOpen, state(t, g))
	before := f.calls()

	calls := map[string]func() error{
		mfspay.OpCreate: func() error { _, err := g.CreatePayment(ctx, validCreate); return err },
		mfspay.OpVerify: func() error { return verify(g) },
		mfspay.OpList:   func() error { _, err := g.ListPayments(ctx, mfspay.ListQuery{}); return err },
	}
	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			for i := 0; i < 3; i++ {
				err := call()
				require.ErrorIs(t, err, mfspay.ErrCircuitOpen)
				var e *mfspay.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, "fake", e.Provider)
				assert.Equal(t, op, e.Op)
				assert.NotErrorIs(t, err, mfspay.ErrUnavailable)
			}
		})
	}
	assert.Equal(t, before, f.calls(), "no call may reach the provider while the breaker is open")
}

func TestBreakerHalfOpen(t *testing.T) {
	t.Run("probe success closes", func(t *testing.T) {
		f, g, tr := halfOpenFixture(1)
		f.fail(providerErr(mfspay.ErrUnavailable))
		_ = verify(g)
		afterOpenTimeout()
		assert.Equal(t, mfspay.BreakerHalfOpen, state(t, g))
		f.fail(nil)
		require.NoError(t, verify(g))
		assert.Equal(t, mfspay.BreakerClosed, state(t, g))
		assert.Equal(t, []string{
			"fake:closed->open", "fake:open->half-open", "fake:half-open->closed",
		}, tr.all())
	})
	t.Run("probe failure re-opens", func(t *testing.T) {
		f, g, tr := halfOpenFixture(1)
		f.fail(providerErr(mfspay.ErrUnavailable))
		_ = verify(g)
		afterOpenTimeout()
		before := f.calls()
		assert.ErrorIs(t, verify(g), mfspay.ErrUnavailable, "the probe reaches the provider")
		assert.Equal(t, before+1, f.calls())
		assert.Equal(t, mfspay.BreakerOpen, state(t, g))
		assert.ErrorIs(t, verify(g), mfspay.ErrCircuitOpen)
		assert.Equal(t, before+1, f.calls())

		afterOpenTimeout()
		f.fail(providerErr(mfspay.ErrNotFound)) // a 4xx probe: the provider is healthy
		assert.ErrorIs(t, verify(g), mfspay.ErrNotFound)
		assert.Equal(t, mfspay.BreakerClosed, state(t, g))
		assert.Equal(t, []string{
			"fake:closed->open", "fake:open->half-open", "fake:half-open->open",
			"fake:open->half-open", "fake:half-open->closed",
		}, tr.all())
	})
}

// TestBreakerAnswersCountAsSuccess: a provider that answers 4xx is healthy.
func TestBreakerAnswersCountAsSuccess(t *testing.T) {
	for _, kind := range []error{
		mfspay.ErrInvalidRequest, mfspay.ErrUnauthorized, mfspay.ErrForbidden, mfspay.ErrNotFound,
		mfspay.ErrDuplicate, mfspay.ErrUnsupported, mfspay.ErrInvalidSignature, mfspay.ErrCircuitOpen,
	} {
		t.Run(kind.Error(), func(t *testing.T) {
			// Threshold 2: failure, answer, failure. Were the answer a failure
			// the breaker would open on it; were it ignored, on the second failure.
			f, g, _ := breakerFixture(2)
			f.fail(providerErr(mfspay.ErrUnavailable))
			_ = verify(g)
			f.fail(providerErr(kind))
			assert.ErrorIs(t, verify(g), kind)
			f.fail(providerErr(mfspay.ErrUnavailable))
			_ = verify(g)
			assert.Equal(t, mfspay.BreakerClosed, state(t, g))
		})
	}
}

// TestBreakerExclusions: the caller's own cancellation and rate limiting say
// nothing about the provider's health; they neither trip nor reset it (a
// context that ended before anything was sent: see
// TestBreakerIgnoresContextsEndedBeforeTheCall).
func TestBreakerExclusions(t *testing.T) {
	for _, excluded := range []error{
		context.Canceled,
		&mfspay.Error{Kind: mfspay.ErrUnavailable, Err: context.Canceled},
		&mfspay.Error{Kind: mfspay.ErrOutcomeUnknown, Err: context.Canceled},
		providerErr(mfspay.ErrRateLimited),
		endedBeforeSending(t),
	} {
		t.Run(excluded.Error(), func(t *testing.T) {
			f, g, _ := breakerFixture(2)
			f.fail(excluded)
			for i := 0; i < 10; i++ {
				assertSameCause(t, verify(g), excluded)
			}
			assert.Equal(t, mfspay.BreakerClosed, state(t, g), "exclusions must not trip the breaker")

			f.fail(providerErr(mfspay.ErrUnavailable))
			_ = verify(g)
			f.fail(excluded)
			_ = verify(g)
			f.fail(providerErr(mfspay.ErrUnavailable))
			_ = verify(g)
			assert.Equal(t, mfspay.BreakerOpen, state(t, g), "exclusions must not reset the failure count")
		})
	}
	t.Run("excluded probe keeps it half-open", func(t *testing.T) {
		f, g, _ := halfOpenFixture(1)
		f.fail(providerErr(mfspay.ErrUnavailable))
		_ = verify(g)
		afterOpenTimeout()
		f.fail(context.Canceled)
		assert.ErrorIs(t, verify(g), context.Canceled)
		assert.Equal(t, mfspay.BreakerHalfOpen, state(t, g))
		f.fail(nil)
		require.NoError(t, verify(g), "the slot of the excluded probe is free again")
		assert.Equal(t, mfspay.BreakerClosed, state(t, g))
	})
}

// endedBeforeSending is kit's HTTP client's error for a call whose
// deadline had passed before any request was sent, as a driver making
// several requests meets it: it says nothing about the provider.
func endedBeforeSending(t *testing.T) error {
	t.Helper()
	deadline, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	_, err := kit.NewHTTPClient(kit.HTTPConfig{Provider: "fake"}).Do(deadline,
		kit.HTTPRequest{Op: mfspay.OpVerify, Method: "GET", URL: "http://127.0.0.1:9/never"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	return err
}

// assertSameCause checks that err is want as the layer returns it: an
// *Error is stamped with the provider and operation, so compare its kind and
// cause rather than its identity.
func assertSameCause(t *testing.T, err, want error) {
	t.Helper()
	var e *mfspay.Error
	if errors.As(want, &e) {
		assert.ErrorIs(t, err, e.Kind)
		if e.Err != nil {
			assert.ErrorIs(t, err, e.Err)
		}
		return
	}
	assert.ErrorIs(t, err, want)
}

func TestBreakerLocalAnswersBypassIt(t *testing.T) {
	f := newFakeDriver()
	f.caps = mfspay.Capabilities{VerifyByInvoice: true, List: false, EventTypes: []mfspay.EventType{mfspay.EventPaymentCompleted}}
	g := mfspay.NewGateway(f, mfspay.Resilience{Breaker: mfspay.BreakerSettings{FailureThreshold: 1, OpenTimeout: openTimeout}})
	f.fail(providerErr(mfspay.ErrUnavailable))
	_, _ = g.CreatePayment(ctx, validCreate)
	require.Equal(t, mfspay.BreakerOpen, state(t, g))

	t.Run("unsupported operations", func(t *testing.T) {
		_, err := g.ListPayments(ctx, mfspay.ListQuery{})
		assert.ErrorIs(t, err, mfspay.ErrUnsupported)
		_, err = g.VerifyPayment(ctx, refPay)
		assert.ErrorIs(t, err, mfspay.ErrUnsupported, "verify by payment id is declared unsupported")
		_, err = g.VerifyPayment(ctx, ref)
		assert.ErrorIs(t, err, mfspay.ErrCircuitOpen, "verify by invoice is supported, so it is guarded")
	})
	t.Run("invalid input", func(t *testing.T) {
		bad := validCreate
		bad.Amount = 0
		_, err := g.CreatePayment(ctx, bad)
		requireInvalid(t, err, "amount")
		_, err = g.VerifyPayment(ctx, mfspay.PaymentRef{})
		requireInvalid(t, err, "ref")
	})
	t.Run("webhooks", func(t *testing.T) {
		_, err := g.ParseWebhook(ctx, mfspay.WebhookRequest{Body: []byte("{}")})
		assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
	})
	t.Run("invalid input is no probe", func(t *testing.T) {
		afterOpenTimeout()
		bad := validCreate
		bad.InvoiceID = ""
		_, err := g.CreatePayment(ctx, bad)
		requireInvalid(t, err, "invoice_id")
		assert.Equal(t, mfspay.BreakerHalfOpen, state(t, g), "a local rejection says nothing about the provider")
		_, err = g.CreatePayment(ctx, validCreate)
		assert.ErrorIs(t, err, mfspay.ErrUnavailable)
		assert.Equal(t, mfspay.BreakerOpen, state(t, g))
	})
}

func TestBreakerNoOptionalOperations(t *testing.T) {
	f := newFakeDriver()
	f.caps = mfspay.Capabilities{} // create and webhooks only
	g := mfspay.NewGateway(f, mfspay.Resilience{Breaker: mfspay.BreakerSettings{FailureThreshold: 1, OpenTimeout: time.Hour}})
	f.fail(providerErr(mfspay.ErrUnavailable))
	_, _ = g.CreatePayment(ctx, validCreate)
	require.Equal(t, mfspay.BreakerOpen, state(t, g))

	for _, r := range []mfspay.PaymentRef{ref, refPay} {
		_, err := g.VerifyPayment(ctx, r)
		assert.ErrorIs(t, err, mfspay.ErrUnsupported)
		assert.NotErrorIs(t, err, mfspay.ErrCircuitOpen)
	}
	_, err := g.ListPayments(ctx, mfspay.ListQuery{})
	assert.ErrorIs(t, err, mfspay.ErrUnsupported)
	_, err = g.CreatePayment(ctx, validCreate)
	assert.ErrorIs(t, err, mfspay.ErrCircuitOpen)
}

func TestBreakerInvalidListQueryBypassesIt(t *testing.T) {
	f, g, _ := breakerFixture(1)
	f.fail(providerErr(mfspay.ErrUnavailable))
	_ = verify(g)
	_, err := g.ListPayments(ctx, mfspay.ListQuery{PerPage: 1000})
	requireInvalid(t, err, "per_page")
	_, err = g.ListPayments(ctx, mfspay.ListQuery{Status: mfspay.StatusPaid})
	assert.ErrorIs(t, err, mfspay.ErrCircuitOpen)
}

func TestBreakerStateOf(t *testing.T) {
	f := newFakeDriver()
	g := mfspay.NewGateway(f, mfspay.Resilience{})
	s, ok := mfspay.BreakerStateOf(g)
	assert.True(t, ok, "the zero Resilience has the breaker on")
	assert.Equal(t, mfspay.BreakerClosed, s)
	assert.Equal(t, "fake", g.Provider())
	assert.Equal(t, f.caps, g.Capabilities())

	s, ok = mfspay.BreakerStateOf(mfspay.NewGateway(f, mfspay.Resilience{Breaker: mfspay.BreakerSettings{Disabled: true}}))
	assert.False(t, ok, "a disabled breaker is no breaker")
	assert.Equal(t, mfspay.BreakerClosed, s)
	_, ok = mfspay.BreakerStateOf(nil)
	assert.False(t, ok)
}

func TestBreakerConcurrentUse(t *testing.T) {
	f, tr := newFakeDriver(), &transitions{}
	g := mfspay.NewGateway(f, mfspay.Resilience{Breaker: mfspay.BreakerSettings{FailureThreshold: 5, OpenTimeout: time.Hour, OnStateChange: tr.record}})
	f.fail(providerErr(mfspay.ErrUnavailable))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				_ = verify(g)
				_, _ = g.CreatePayment(ctx, validCreate)
				_, _ = mfspay.BreakerStateOf(g)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, mfspay.BreakerOpen, state(t, g))
	assert.LessOrEqual(t, f.calls(), 5+8*2, "once open, calls stop reaching the provider")
	assert.Equal(t, []string{"fake:closed->open"}, tr.all())
}

func TestBreakerStateString(t *testing.T) {
	assert.Equal(t, "closed", mfspay.BreakerClosed.String())
	assert.Equal(t, "half-open", mfspay.BreakerHalfOpen.String())
	assert.Equal(t, "open", mfspay.BreakerOpen.String())
	assert.Equal(t, "unknown", mfspay.BreakerState(9).String())
}

func TestDefaultBreakerSettings(t *testing.T) {
	d := mfspay.DefaultBreakerSettings()
	assert.Equal(t, uint32(5), d.FailureThreshold)
	assert.Equal(t, 30*time.Second, d.OpenTimeout)
	assert.Equal(t, uint32(1), d.HalfOpenProbes)

	// Zero settings mean the defaults: five failures open it, not one.
	f := newFakeDriver()
	g := mfspay.NewGateway(f, mfspay.Resilience{Breaker: mfspay.BreakerSettings{}})
	f.fail(providerErr(mfspay.ErrUnavailable))
	for range 4 {
		_ = verify(g)
	}
	assert.Equal(t, mfspay.BreakerClosed, state(t, g))
	_ = verify(g)
	assert.Equal(t, mfspay.BreakerOpen, state(t, g))
}
