package plugins

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// TestChaosKillWithTwentyInFlight is the plugin chaos drill: the WezoPay
// plugin is killed with SIGKILL while 20 reads hang at the provider. Every
// caller must return promptly with ErrUnavailable, the next call must
// relaunch the plugin and succeed, and after Close no process, goroutine or
// file descriptor may be left behind.
func TestChaosKillWithTwentyInFlight(t *testing.T) {
	const inFlight = 20
	ctx := context.Background()
	path := binary(t, "mfspay-plugin-wezopay") // built first: the go command's goroutines are not ours
	sim := wezopaytest.NewServer()
	defer sim.Close()
	s, err := sim.Settings(ctx)
	require.NoError(t, err)

	ignore := goleak.IgnoreCurrent()
	fds := openFDs(t)
	c, err := Open(ctx, path, Config{Settings: s.Values, Retry: testRetry,
		Breaker: mfspay.BreakerSettings{FailureThreshold: 2 * inFlight}})
	require.NoError(t, err)
	co, err := c.CreatePayment(ctx, createRequest(newInvoice("chaos")))
	require.NoError(t, err)
	before, err := sim.RequestCount(ctx)
	require.NoError(t, err)

	require.NoError(t, sim.Fail(ctx, simctl.Fault{Delay: time.Minute, Count: inFlight}))
	type result struct {
		err    error
		finish time.Time
	}
	results := make(chan result, inFlight)
	for i := range inFlight {
		go func() {
			var err error
			if i%2 == 0 {
				_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: co.InvoiceID})
			} else {
				_, err = c.ListPayments(ctx, mfspay.ListQuery{})
			}
			results <- result{err, time.Now()}
		}()
	}
	require.Eventually(t, func() bool { n, _ := sim.RequestCount(ctx); return n == before+inFlight },
		10*time.Second, 5*time.Millisecond, "all %d calls are held at the provider", inFlight)

	oldPID := c.PID()
	killed := time.Now()
	require.NoError(t, syscall.Kill(oldPID, syscall.SIGKILL))
	var slowest time.Duration
	for range inFlight {
		select {
		case r := <-results:
			slowest = max(slowest, r.finish.Sub(killed))
			require.ErrorIs(t, r.err, mfspay.ErrUnavailable)
		case <-time.After(10 * time.Second):
			t.Fatal("a call in flight hung after the plugin died")
		}
	}
	assert.Less(t, slowest, 3*time.Second, "callers return promptly")

	start := time.Now()
	p, err := c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: co.InvoiceID})
	require.NoError(t, err, "the next call relaunches the plugin")
	assert.Equal(t, co.PaymentID, p.PaymentID)
	newPID := c.PID()
	assert.NotEqual(t, oldPID, newPID)
	assert.True(t, processGone(oldPID))
	t.Logf("%d callers failed within %v of the kill; the relaunching call took %v", inFlight, slowest, time.Since(start))

	require.NoError(t, c.Close())
	assert.True(t, processGone(newPID), "Close ends the relaunched plugin")
	sim.Close() // its keep-alive connections are not the host's to account for
	goleak.VerifyNone(t, ignore)
	assert.Eventually(t, func() bool { return openFDs(t) <= fds }, 2*time.Second, 10*time.Millisecond,
		"descriptors: %d before, %d after", fds, openFDs(t))
}
