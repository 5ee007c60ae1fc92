package wezopay_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

func (e *env) fail(t *testing.T, f simctl.Fault) {
	t.Helper()
	require.NoError(t, e.sim.Fail(context.Background(), f))
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

func TestVerifyRetriesThrough503(t *testing.T) {
	e := newEnv(t, nil, nil)
	co, err := e.create(newRequest(mfspay.Taka(7)))
	require.NoError(t, err)
	before := e.requestCount(t)

	e.fail(t, simctl.Fault{Status: 503, Count: 2})
	p, err := e.verify(mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPending, p.Status)
	assert.Equal(t, 3, e.requestCount(t)-before, "two 503s and the success")
	assert.Equal(t, int32(2), e.retries.Load())
}

func TestCreateFailingAfterProcessingIsNotResent(t *testing.T) {
	tests := []struct {
		name  string
		fault simctl.Fault
		tweak func(*mfspay.Resilience)
	}{
		{"500 after processing", simctl.Fault{Status: 500, AfterProcessing: true}, nil},
		{"HTML 502 after processing", simctl.Fault{Status: 502, ContentType: "text/html", Body: htmlPage, AfterProcessing: true}, nil},
		{"reset after processing", simctl.Fault{Reset: true, AfterProcessing: true}, nil},
		{"cut-off answer after processing", simctl.Fault{ResetMidBody: true, AfterProcessing: true}, nil},
		{"timeout after processing", simctl.Fault{Delay: time.Minute, AfterProcessing: true}, func(r *mfspay.Resilience) {
			r.Retry.AttemptTimeout = 500 * time.Millisecond
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil, tt.tweak)
			req := newRequest(mfspay.Poisha(4999))
			e.fail(t, tt.fault)
			co, err := e.create(req)
			require.NoError(t, err, "the lookup by invoice finds the payment the create made")
			assert.Equal(t, 1, e.paymentCount(t, req.InvoiceID), "exactly one payment")
			assert.Equal(t, 1, e.creates(), "the create was never re-sent")
			stored, _ := e.sim.PaymentByInvoice(req.InvoiceID)
			assert.Equal(t, stored.ID, co.PaymentID)
			assert.Equal(t, req.InvoiceID, co.InvoiceID)
			assert.Equal(t, e.sim.PaymentURL(stored.ID), co.RedirectURL, "derived as {host}/p/{token}")
			assert.Equal(t, mfspay.StatusPending, co.Status)
		})
	}
}

func TestCreateFailingBeforeProcessingIsReconciled(t *testing.T) {
	for _, f := range []simctl.Fault{{Status: 500}, {Reset: true}} {
		e := newEnv(t, nil, nil)
		req := newRequest(mfspay.Taka(15))
		e.fail(t, f)
		co, err := e.create(req)
		require.NoError(t, err)
		assert.Equal(t, 1, e.paymentCount(t, req.InvoiceID))
		assert.Equal(t, 2, e.creates(), "the lookup found nothing, so it was created again")
		assert.Equal(t, 3, e.requestCount(t), "create, verify (404), create")
		assert.Equal(t, e.sim.PaymentURL(co.PaymentID), co.RedirectURL)
	}
}

func TestCreateReconcileFindsAnotherAmount(t *testing.T) {
	e := newEnv(t, nil, nil)
	req := newRequest(mfspay.Taka(10))
	_, err := e.create(req)
	require.NoError(t, err)

	req.Amount = mfspay.Taka(20)
	e.fail(t, simctl.Fault{Status: 500})
	_, err = e.create(req)
	require.ErrorIs(t, err, mfspay.ErrDuplicate, "the invoice belongs to another payment")
	assert.Equal(t, 1, e.paymentCount(t, req.InvoiceID))
}

func TestCreateUnsettledIsOutcomeUnknown(t *testing.T) {
	e := newEnv(t, nil, nil)
	req := newRequest(mfspay.Taka(10))
	e.fail(t, simctl.Fault{Status: 500, AfterProcessing: true})
	e.fail(t, simctl.Fault{Status: 503, Count: 3}) // every attempt of the lookup
	_, err := e.create(req)
	require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	assert.Equal(t, 1, e.creates(), "never re-sent while the outcome is unknown")
	assert.Equal(t, 1, e.paymentCount(t, req.InvoiceID))
}

// flakyDialer fails its first n dials, before any byte leaves the machine.
type flakyDialer struct {
	fails atomic.Int32
	d     net.Dialer
}

func (f *flakyDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if f.fails.Add(-1) >= 0 {
		return nil, errors.New("dial tcp: connection refused (simulated)")
	}
	return f.d.DialContext(ctx, network, addr)
}

func TestDialFailureIsRetried(t *testing.T) {
	dialer := &flakyDialer{}
	transport := &http.Transport{DialContext: dialer.DialContext}
	var events []mfspay.RetryEvent
	var mu sync.Mutex
	e := newEnv(t, nil, func(r *mfspay.Resilience) {
		r.Transport = transport
		r.OnRetry = func(ev mfspay.RetryEvent) { mu.Lock(); events = append(events, ev); mu.Unlock() }
	})
	req := newRequest(mfspay.Taka(2))

	dialer.fails.Store(1)
	co, err := e.create(req)
	require.NoError(t, err, "a create that never reached the provider is safe to retry")
	assert.Equal(t, 1, e.paymentCount(t, req.InvoiceID))
	assert.Equal(t, 1, e.requestCount(t), "the failed dial sent nothing")

	transport.CloseIdleConnections() // make the verify dial again
	dialer.fails.Store(1)
	_, err = e.verify(mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.NoError(t, err)
	assert.Equal(t, 2, e.requestCount(t))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, events, 2, "one retry for each call")
	for i, op := range []string{"create", "verify"} {
		assert.Equal(t, op, events[i].Op)
		assert.Zero(t, events[i].StatusCode)
		assert.Contains(t, events[i].Reason, "connection refused")
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var waits []time.Duration
	var mu sync.Mutex
	e := newEnv(t, nil, func(r *mfspay.Resilience) {
		r.OnRetry = func(ev mfspay.RetryEvent) { mu.Lock(); waits = append(waits, ev.Wait); mu.Unlock() }
	})
	co, err := e.create(newRequest(mfspay.Taka(1)))
	require.NoError(t, err)

	e.fail(t, simctl.Fault{Status: 429, RetryAfter: time.Second})
	start := time.Now()
	_, err = e.verify(mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "the provider's Retry-After was waited for")
	mu.Lock()
	assert.Equal(t, []time.Duration{time.Second}, waits)
	mu.Unlock()
}

func TestLongRetryAfterIsReturnedNotWaited(t *testing.T) {
	e := newEnv(t, nil, nil)
	co, err := e.create(newRequest(mfspay.Taka(1)))
	require.NoError(t, err)
	before := e.requestCount(t)

	e.fail(t, simctl.Fault{Status: 429, RetryAfter: 3600 * time.Second})
	start := time.Now()
	_, err = e.verify(mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.ErrorIs(t, err, mfspay.ErrRateLimited)
	var me *mfspay.Error
	require.ErrorAs(t, err, &me)
	assert.Equal(t, 3600*time.Second, me.RetryAfter)
	assert.Less(t, time.Since(start), 30*time.Second)
	assert.Equal(t, 1, e.requestCount(t)-before, "one attempt, no hour-long wait")
	assert.Zero(t, e.retries.Load())
}

func TestCancelDuringBackoffReturnsAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := newEnv(t, nil, func(r *mfspay.Resilience) {
		r.Retry.MaxRetryAfter = time.Minute
		r.OnRetry = func(mfspay.RetryEvent) { cancel() } // cancel as the long wait begins
	})
	e.fail(t, simctl.Fault{Status: 503, RetryAfter: 30 * time.Second})
	start := time.Now()
	_, err := e.gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-ANY"})
	recordErr(err)
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 10*time.Second, "the 30s backoff was abandoned")
	assert.Equal(t, 1, e.requestCount(t))
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	type change struct{ from, to mfspay.BreakerState }
	var mu sync.Mutex
	var changes []change
	e := newEnv(t, nil, func(r *mfspay.Resilience) {
		r.Retry.MaxAttempts = 1
		r.Breaker = mfspay.BreakerSettings{
			FailureThreshold: 3,
			OpenTimeout:      150 * time.Millisecond,
			OnStateChange: func(_ string, from, to mfspay.BreakerState) {
				mu.Lock()
				changes = append(changes, change{from, to})
				mu.Unlock()
			},
		}
	})
	co, err := e.create(newRequest(mfspay.Taka(1)))
	require.NoError(t, err)
	ref := mfspay.PaymentRef{PaymentID: co.PaymentID}

	e.fail(t, simctl.Fault{Status: 503, Count: 3})
	for range 3 {
		_, err := e.verify(ref)
		require.ErrorIs(t, err, mfspay.ErrUnavailable)
	}
	state, ok := mfspay.BreakerStateOf(e.gw)
	require.True(t, ok)
	assert.Equal(t, mfspay.BreakerOpen, state)

	seen := e.requestCount(t)
	for range 5 {
		_, err := e.verify(ref)
		require.ErrorIs(t, err, mfspay.ErrCircuitOpen)
		_, err = e.create(newRequest(mfspay.Taka(1)))
		require.ErrorIs(t, err, mfspay.ErrCircuitOpen)
	}
	assert.Equal(t, seen, e.requestCount(t), "no request reaches the provider while open")

	time.Sleep(200 * time.Millisecond) // past OpenTimeout: the next call is a probe
	p, err := e.verify(ref)
	require.NoError(t, err)
	assert.Equal(t, co.PaymentID, p.PaymentID)
	state, _ = mfspay.BreakerStateOf(e.gw)
	assert.Equal(t, mfspay.BreakerClosed, state)
	mu.Lock()
	assert.Equal(t, []change{
		{mfspay.BreakerClosed, mfspay.BreakerOpen},
		{mfspay.BreakerOpen, mfspay.BreakerHalfOpen},
		{mfspay.BreakerHalfOpen, mfspay.BreakerClosed},
	}, changes)
	mu.Unlock()
}

func TestFourXXDoesNotTripTheBreaker(t *testing.T) {
	e := newEnv(t, nil, func(r *mfspay.Resilience) {
		r.Breaker = mfspay.BreakerSettings{FailureThreshold: 2, OpenTimeout: time.Hour}
	})
	for range 5 {
		_, err := e.verify(mfspay.PaymentRef{InvoiceID: "INV-MISSING"})
		require.ErrorIs(t, err, mfspay.ErrNotFound)
	}
	state, _ := mfspay.BreakerStateOf(e.gw)
	assert.Equal(t, mfspay.BreakerClosed, state, "a 404 means the provider is healthy")
}
