package eazzpay_test

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
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
)

// flakyDialer refuses the first n connections, as a network that is down
// would: the request provably never reached the provider.
func flakyDialer(n int32) (*http.Transport, *atomic.Int32) {
	var dials atomic.Int32
	d := &net.Dialer{Timeout: time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dials.Add(1) <= n {
				return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
			}
			return d.DialContext(ctx, network, addr)
		},
	}
	return tr, &dials
}

func TestCreateRetriesDialFailure(t *testing.T) {
	tr, dials := flakyDialer(2)
	defer tr.CloseIdleConnections()
	var retries atomic.Int32
	r := fastResilience()
	r.Transport = tr
	r.OnRetry = func(mfspay.RetryEvent) { retries.Add(1) }
	sim, g := simGateway(t, r)

	co, err := g.CreatePayment(bg, validRequest())
	require.NoError(t, err)
	assert.NotEmpty(t, co.PaymentID)
	assert.Equal(t, int32(3), dials.Load())
	assert.Equal(t, int32(2), retries.Load())
	n, err := sim.PaymentCount(bg, "INV-1")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestCreateDialFailureGivesUpUnavailable(t *testing.T) {
	tr, _ := flakyDialer(100)
	r := fastResilience()
	r.Transport = tr
	r.Retry.MaxAttempts = 3
	sim, g := simGateway(t, r)
	_, err := g.CreatePayment(bg, validRequest())
	require.ErrorIs(t, err, mfspay.ErrUnavailable, "nothing reached EazzPay: the outcome is known")
	assert.NotErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	count, _ := sim.RequestCount(bg)
	assert.Zero(t, count)
}

func TestCreateAmbiguousFailuresAreNeverResent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault simctl.Fault
		made  int // payments the simulator holds afterwards
	}{
		{"500 after processing", simctl.Fault{AfterProcessing: true, Status: 500}, 1},
		{"503 after processing", simctl.Fault{AfterProcessing: true, Status: 503, Body: "<html>Service Unavailable</html>", ContentType: "text/html"}, 1},
		{"timeout after processing", simctl.Fault{AfterProcessing: true, Delay: time.Second}, 1},
		{"reset after processing", simctl.Fault{AfterProcessing: true, Reset: true}, 1},
		{"reset mid body after processing", simctl.Fault{AfterProcessing: true, ResetMidBody: true}, 1},
		{"500 before processing", simctl.Fault{Status: 500}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, g := simGateway(t, fastResilience())
			require.NoError(t, sim.Fail(bg, tc.fault))
			co, err := g.CreatePayment(bg, validRequest())
			require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
			assert.Nil(t, co)
			count, _ := sim.RequestCount(bg)
			assert.Equal(t, 1, count, "an ambiguous create is sent exactly once")
			n, _ := sim.PaymentCount(bg, "INV-1")
			assert.Equal(t, tc.made, n)
		})
	}
}

func TestCreateRateLimited(t *testing.T) {
	t.Run("fault with long Retry-After", func(t *testing.T) {
		sim, g := simGateway(t, fastResilience())
		require.NoError(t, sim.Fail(bg, simctl.Fault{Status: 429, RetryAfter: 30 * time.Second}))
		_, err := g.CreatePayment(bg, validRequest())
		require.ErrorIs(t, err, mfspay.ErrRateLimited)
		var e *mfspay.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 30*time.Second, e.RetryAfter)
		assert.Equal(t, "429", e.Code)
		count, _ := sim.RequestCount(bg)
		assert.Equal(t, 1, count, "a wait over MaxRetryAfter is left to the caller")
	})
	t.Run("rate limiter", func(t *testing.T) {
		_, g := simGateway(t, fastResilience(), eazzpaytest.WithRateLimit(1, time.Hour))
		_, err := g.CreatePayment(bg, validRequest())
		require.NoError(t, err)
		_, err = g.CreatePayment(bg, validRequest())
		require.ErrorIs(t, err, mfspay.ErrRateLimited)
		var e *mfspay.Error
		require.ErrorAs(t, err, &e)
		assert.Greater(t, e.RetryAfter, 10*time.Second)
	})
	t.Run("short 429 is retried", func(t *testing.T) {
		sim, g := simGateway(t, fastResilience())
		require.NoError(t, sim.Fail(bg, simctl.Fault{Status: 429, Count: 2}))
		_, err := g.CreatePayment(bg, validRequest())
		require.NoError(t, err)
		count, _ := sim.RequestCount(bg)
		assert.Equal(t, 3, count)
		n, _ := sim.PaymentCount(bg, "INV-1")
		assert.Equal(t, 1, n, "a 429 means nothing happened, so a retry is safe")
	})
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	var mu sync.Mutex
	var changes []string
	r := fastResilience()
	r.Breaker = mfspay.BreakerSettings{
		FailureThreshold: 3,
		OpenTimeout:      50 * time.Millisecond,
		OnStateChange: func(_ string, from, to mfspay.BreakerState) {
			mu.Lock()
			changes = append(changes, from.String()+"->"+to.String())
			mu.Unlock()
		},
	}
	sim, g := simGateway(t, r)
	require.NoError(t, sim.Fail(bg, simctl.Fault{Status: 503, Count: 3}))
	for i := 0; i < 3; i++ {
		_, err := g.CreatePayment(bg, validRequest())
		require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	}
	state, ok := mfspay.BreakerStateOf(g)
	require.True(t, ok)
	assert.Equal(t, mfspay.BreakerOpen, state)

	before, _ := sim.RequestCount(bg)
	_, err := g.CreatePayment(bg, validRequest())
	require.ErrorIs(t, err, mfspay.ErrCircuitOpen)
	after, _ := sim.RequestCount(bg)
	assert.Equal(t, before, after, "an open breaker sends nothing")

	// ParseWebhook is local work and ignores the breaker.
	_, err = g.ParseWebhook(bg, notification(testSecret, documentedListener, nil))
	require.NoError(t, err)
	// Unsupported stays unsupported whatever the breaker says.
	_, err = g.VerifyPayment(bg, mfspay.PaymentRef{PaymentID: "x"})
	require.ErrorIs(t, err, mfspay.ErrUnsupported)

	time.Sleep(60 * time.Millisecond) // past OpenTimeout: the next call is a probe.
	co, err := g.CreatePayment(bg, validRequest())
	require.NoError(t, err)
	assert.NotEmpty(t, co.PaymentID)
	state, _ = mfspay.BreakerStateOf(g)
	assert.Equal(t, mfspay.BreakerClosed, state)
	mu.Lock()
	assert.Equal(t, []string{"closed->open", "open->half-open", "half-open->closed"}, changes)
	mu.Unlock()
}

func TestBreakerIgnoresClientErrorsAndRateLimits(t *testing.T) {
	r := fastResilience()
	r.Breaker = mfspay.BreakerSettings{FailureThreshold: 2, OpenTimeout: time.Hour}
	sim, g := simGateway(t, r)
	require.NoError(t, sim.Fail(bg, simctl.Fault{Status: 422, Count: 3}))
	require.NoError(t, sim.Fail(bg, simctl.Fault{Status: 429, RetryAfter: time.Minute, Count: 3}))
	for i := 0; i < 6; i++ {
		_, err := g.CreatePayment(bg, validRequest())
		require.Error(t, err)
		assert.NotErrorIs(t, err, mfspay.ErrCircuitOpen)
	}
	state, _ := mfspay.BreakerStateOf(g)
	assert.Equal(t, mfspay.BreakerClosed, state)
}

func TestCreateHonoursCallerContext(t *testing.T) {
	sim, g := simGateway(t, fastResilience())
	require.NoError(t, sim.Fail(bg, simctl.Fault{Delay: time.Second}))
	ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
	defer cancel()
	_, err := g.CreatePayment(ctx, validRequest())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown, "the request was sent: it may have been acted on")
}
