package plugins

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/plugins/internal/fakepay"
	"github.com/mfspay/mfspay/providers/kit"
)

func fakeServe() ServeConfig {
	return ServeConfig{Name: fakepay.Name, Factory: fakepay.FromSettings, Simulator: fakepay.StartSimulator}
}

// openFakeInMemory opens fakepay in memory against a simulator owned by the
// test, which therefore outlives any plugin restart.
func openFakeInMemory(t *testing.T, cfg Config) (*Client, *fakepay.Simulator) {
	t.Helper()
	sim := fakepay.NewSimulator()
	t.Cleanup(func() { sim.Close() })
	s, err := sim.Settings(context.Background())
	require.NoError(t, err)
	cfg.Settings = s.Values
	if cfg.Retry == (mfspay.RetryPolicy{}) {
		cfg.Retry = testRetry
	}
	c, err := OpenInMemory(context.Background(), fakeServe(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c, sim
}

func TestInMemorySameAsInProcess(t *testing.T) {
	c, sim := openFakeInMemory(t, Config{})
	s, err := sim.Settings(context.Background())
	require.NoError(t, err)
	direct, err := fakeGateway(s.Values, mfspay.Resilience{Retry: testRetry})
	require.NoError(t, err)
	checkSameBehaviour(t, pair{direct: direct, remote: c, sim: sim, factory: fakeGateway, settings: s})
}

// fakeGateway is fakepay's driver in process, under the portable layer.
func fakeGateway(s map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
	d, err := fakepay.FromSettings(s, r)
	if err != nil {
		return nil, err
	}
	return mfspay.NewGateway(d, r), nil
}

func TestInMemoryBeforeConfigure(t *testing.T) {
	ctx := context.Background()
	c, err := OpenInMemory(ctx, fakeServe(), Config{Retry: testRetry})
	require.NoError(t, err)
	defer c.Close()

	assert.Equal(t, fakepay.Name, c.Provider(), "the plugin's name until configured")
	assert.Equal(t, mfspay.Capabilities{}, c.Capabilities())
	_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
	assert.ErrorIs(t, err, mfspay.ErrUnsupported, "an unconfigured plugin declares nothing, so nothing is assumed")
	_, err = c.CreatePayment(ctx, createRequest(newInvoice("early")))
	var e *mfspay.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, mfspay.ErrInvalidRequest)
	assert.Equal(t, "settings", e.Field)

	sim, err := c.Simulator(ctx)
	require.NoError(t, err)
	s, err := sim.Settings(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Configure(ctx, s.Values))
	assert.True(t, c.Capabilities().List)
	co, err := c.CreatePayment(ctx, createRequest(newInvoice("cfg")))
	require.NoError(t, err)
	require.NoError(t, sim.Pay(ctx, co.PaymentID, simctl.Payer{Method: mfspay.MethodNagad}))
	pay, err := c.VerifyPayment(ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPaid, pay.Status)
	assert.Equal(t, mfspay.MethodNagad, pay.Method)
}

func TestConfigureErrors(t *testing.T) {
	ctx := context.Background()
	_, err := OpenInMemory(ctx, fakeServe(), Config{Settings: map[string]string{fakepay.SettingStore: "s"}})
	var e *mfspay.Error
	require.ErrorAs(t, err, &e, "Open returns the plugin's own error")
	assert.ErrorIs(t, err, mfspay.ErrInvalidRequest)
	assert.Equal(t, fakepay.SettingToken, e.Field)

	c, sim := openFakeInMemory(t, Config{})
	err = c.Configure(ctx, map[string]string{fakepay.SettingStore: "s"})
	require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
	_, err = c.CreatePayment(ctx, createRequest(newInvoice("still")))
	require.NoError(t, err, "a failed Configure leaves the working gateway in place")
	n, err := sim.RequestCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestPluginGatewayGetsHostRetryPolicyAndNoBreaker(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var built []*fakepay.Gateway
	serve := fakeServe()
	serve.Factory = func(s map[string]string, r mfspay.Resilience) (mfspay.Driver, error) {
		g, err := fakepay.FromSettings(s, r)
		if err == nil {
			mu.Lock()
			built = append(built, g.(*fakepay.Gateway))
			mu.Unlock()
		}
		return g, err
	}
	sim := fakepay.NewSimulator()
	defer sim.Close()
	s, _ := sim.Settings(ctx)
	c, err := OpenInMemory(ctx, serve, Config{Settings: s.Values, Retry: testRetry})
	require.NoError(t, err)
	defer c.Close()

	require.NoError(t, c.Configure(ctx, s.Values))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, built, 2)
	r := built[1].Resilience
	assert.Equal(t, testRetry, r.Retry)
	assert.True(t, r.Breaker.Disabled, "the host runs the breaker; the plugin must not")
	assert.NotNil(t, r.Logger)
	assert.True(t, built[0].Closed(), "a replaced gateway is closed")
	assert.False(t, built[1].Closed())
	c.Close()
	assert.True(t, built[1].Closed(), "closing the plugin closes its gateway")
}

func TestPanicInPluginIsAnError(t *testing.T) {
	ctx := context.Background()
	c, _ := openFakeInMemory(t, Config{})
	_, err := c.CreatePayment(ctx, createRequest(fakepay.PanicInvoice))
	require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown, "a create that panicked may have happened")
	_, err = c.CreatePayment(ctx, createRequest(newInvoice("after-panic")))
	require.NoError(t, err, "the plugin still serves")
}

func TestSimulatorOverRPC(t *testing.T) {
	ctx := context.Background()
	serve := fakeServe()
	serve.Simulator = nil
	c, err := OpenInMemory(ctx, serve, Config{})
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Simulator(ctx)
	require.ErrorIs(t, err, mfspay.ErrUnsupported)

	c2, err := OpenInMemory(ctx, fakeServe(), Config{})
	require.NoError(t, err)
	defer c2.Close()
	sim, err := c2.Simulator(ctx)
	require.NoError(t, err)
	err = sim.Pay(ctx, "fp_404", simctl.Payer{})
	require.EqualError(t, err, "fakepay: no payment fp_404", "a simulator's plain error stays plain")
	var e *mfspay.Error
	assert.False(t, errors.As(err, &e))

	s, err := sim.Settings(ctx)
	require.NoError(t, err)
	require.NoError(t, c2.Configure(ctx, s.Values))
	require.NoError(t, sim.Fail(ctx, simctl.Fault{Status: 503, Count: 2}))
	require.NoError(t, sim.ClearFaults(ctx))
	co, err := c2.CreatePayment(ctx, createRequest(newInvoice("sim")))
	require.NoError(t, err)
	require.NoError(t, sim.Expire(ctx, co.PaymentID))
	require.Error(t, sim.Cancel(ctx, co.PaymentID), "an expired payment cannot be cancelled")
	notes, err := sim.Notifications(ctx, co.PaymentID)
	require.NoError(t, err)
	require.Len(t, notes, 1)
	ev, err := c2.ParseWebhook(ctx, notes[0])
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentExpired, ev.Type)
	n, err := sim.RequestCount(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = sim.PaymentCount(ctx, co.InvoiceID)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestHostBreaker(t *testing.T) {
	ctx := context.Background()
	var changes []mfspay.BreakerState
	var mu sync.Mutex
	c, sim := openFakeInMemory(t, Config{Breaker: mfspay.BreakerSettings{FailureThreshold: 2, OpenTimeout: time.Hour,
		OnStateChange: func(_ string, _, to mfspay.BreakerState) { mu.Lock(); changes = append(changes, to); mu.Unlock() }}})
	require.NoError(t, sim.Fail(ctx, simctl.Fault{Status: 503, Count: 10}))
	for range 2 {
		_, err := c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
		require.ErrorIs(t, err, mfspay.ErrUnavailable)
	}
	before, _ := sim.RequestCount(ctx)
	_, err := c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
	require.ErrorIs(t, err, mfspay.ErrCircuitOpen)
	after, _ := sim.RequestCount(ctx)
	assert.Equal(t, before, after, "an open breaker sends nothing")
	state, ok := mfspay.BreakerStateOf(c)
	assert.True(t, ok)
	assert.Equal(t, mfspay.BreakerOpen, state)
	mu.Lock()
	assert.Equal(t, []mfspay.BreakerState{mfspay.BreakerOpen}, changes)
	mu.Unlock()

	_, err = c.ParseWebhook(ctx, mfspay.WebhookRequest{Body: []byte("{}")})
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature, "webhooks are local work, not guarded")

	off, offSim := openFakeInMemory(t, Config{Breaker: mfspay.BreakerSettings{Disabled: true}})
	require.NoError(t, offSim.Fail(ctx, simctl.Fault{Status: 503, Count: 10}))
	for range 8 {
		_, err := off.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
		require.ErrorIs(t, err, mfspay.ErrUnavailable)
	}
}

// TestCallsAfterCloseAreNoBreakerFailures: a call on a closed client sends
// nothing and says nothing about the provider, so it does not count
// toward opening the breaker, which would keep failing later calls.
func TestCallsAfterCloseAreNoBreakerFailures(t *testing.T) {
	ctx := context.Background()
	c, _ := openFakeInMemory(t, Config{Breaker: mfspay.BreakerSettings{FailureThreshold: 1, OpenTimeout: time.Hour}})
	require.NoError(t, c.Close())
	for range 3 {
		_, err := c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
		require.ErrorIs(t, err, mfspay.ErrUnavailable)
		assert.ErrorContains(t, err, "closed")
		_, err = c.CreatePayment(ctx, createRequest(newInvoice("closed")))
		require.ErrorIs(t, err, mfspay.ErrUnavailable, "nothing was sent, so nothing was created")
	}
	state, _ := mfspay.BreakerStateOf(c)
	assert.Equal(t, mfspay.BreakerClosed, state)
}

func TestCancellationPropagates(t *testing.T) {
	for _, op := range []string{mfspay.OpVerify, mfspay.OpCreate} {
		t.Run(op, func(t *testing.T) {
			c, sim := openFakeInMemory(t, Config{})
			require.NoError(t, sim.Fail(context.Background(), simctl.Fault{Delay: time.Minute}))
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			start := time.Now()
			err := callOp(ctx, c, op)
			assert.Less(t, time.Since(start), 5*time.Second, "a cancelled call returns promptly")
			require.ErrorIs(t, err, context.Canceled)
			var e *mfspay.Error
			require.ErrorAs(t, err, &e)
			want := mfspay.ErrUnavailable
			if op == mfspay.OpCreate {
				want = mfspay.ErrOutcomeUnknown // the plugin had the request
			}
			assert.ErrorIs(t, err, want)
		})
	}
}

func TestDeadlinePropagatesInMemory(t *testing.T) {
	c, sim := openFakeInMemory(t, Config{})
	checkDeadline(t, c, sim)
}

// checkDeadline makes a 100ms call against a simulator that answers after
// a minute: it must end near its deadline, with DeadlineExceeded.
func checkDeadline(t *testing.T, c *Client, sim simctl.Controller) {
	t.Helper()
	require.NoError(t, sim.Fail(context.Background(), simctl.Fault{Delay: time.Minute}))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-slow"})
	elapsed := time.Since(start)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, mfspay.ErrUnavailable)
	assert.Less(t, elapsed, 100*time.Millisecond+900*time.Millisecond, "the deadline ends the call, not the simulator")
	require.NoError(t, sim.ClearFaults(context.Background()))
}

// callOp makes one call of the kind op names.
func callOp(ctx context.Context, c *Client, op string) error {
	var err error
	switch op {
	case mfspay.OpCreate:
		_, err = c.CreatePayment(ctx, createRequest(newInvoice("op")))
	case mfspay.OpList:
		_, err = c.ListPayments(ctx, mfspay.ListQuery{})
	default:
		_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-op"})
	}
	return err
}

func TestRelaunchInMemory(t *testing.T) {
	ctx := context.Background()
	var launches atomic.Int32
	var failing atomic.Bool
	serve := fakeServe()
	serve.Factory = func(s map[string]string, r mfspay.Resilience) (mfspay.Driver, error) {
		launches.Add(1)
		if failing.Load() {
			return nil, &mfspay.Error{Kind: mfspay.ErrInvalidRequest, Message: "refusing on purpose"}
		}
		return fakepay.FromSettings(s, r)
	}
	sim := fakepay.NewSimulator()
	defer sim.Close()
	s, _ := sim.Settings(ctx)
	c, err := OpenInMemory(ctx, serve, Config{Settings: s.Values, RelaunchMinBackoff: time.Hour})
	require.NoError(t, err)
	defer c.Close()

	crash(c)
	_, err = c.CreatePayment(ctx, createRequest(newInvoice("relaunch")))
	require.NoError(t, err, "the first relaunch after a crash is immediate")
	assert.EqualValues(t, 2, launches.Load())

	crash(c)
	failing.Store(true)
	_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
	require.ErrorIs(t, err, mfspay.ErrUnavailable)
	assert.Contains(t, err.Error(), "refusing on purpose")
	assert.EqualValues(t, 3, launches.Load())

	_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
	var e *mfspay.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, mfspay.ErrUnavailable)
	assert.Greater(t, e.RetryAfter, 59*time.Minute, "a plugin that keeps failing is relaunched after a backoff")
	assert.EqualValues(t, 3, launches.Load(), "no launch while backing off")
}

// crash ends the running plugin without the client's knowledge.
func crash(c *Client) {
	c.mu.Lock()
	inst := c.inst
	c.mu.Unlock()
	inst.stop()
}

func TestRelaunchDelay(t *testing.T) {
	cfg := Config{RelaunchMinBackoff: 100 * time.Millisecond, RelaunchMaxBackoff: time.Second}.withDefaults()
	for streak, want := range []time.Duration{0, 0, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		800 * time.Millisecond, time.Second, time.Second} {
		assert.Equal(t, want, cfg.relaunchDelay(streak), "streak %d", streak)
	}
	assert.Equal(t, time.Second, cfg.relaunchDelay(1000))
}

func TestInMemoryCloseLeavesNothing(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	c, _ := openFakeInMemory(t, Config{})
	_, err := c.CreatePayment(context.Background(), createRequest(newInvoice("leak")))
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "Close is idempotent")
	_, err = c.VerifyPayment(context.Background(), mfspay.PaymentRef{InvoiceID: "INV-1"})
	require.ErrorIs(t, err, mfspay.ErrUnavailable)
	goleak.VerifyNone(t, ignore)
}

func TestEmptySettingsStillConfigure(t *testing.T) {
	var calls atomic.Int32
	serve := ServeConfig{Name: "none", Factory: func(s map[string]string, r mfspay.Resilience) (mfspay.Driver, error) {
		calls.Add(1)
		return nil, kit.Invalid("none", "configure", "x", "is required")
	}}
	_, err := OpenInMemory(context.Background(), serve, Config{Settings: map[string]string{}})
	require.ErrorIs(t, err, mfspay.ErrInvalidRequest, "empty settings are settings: Configure runs")
	assert.EqualValues(t, 1, calls.Load())

	c, err := OpenInMemory(context.Background(), serve, Config{})
	require.NoError(t, err, "nil settings leave the plugin unconfigured")
	defer c.Close()
	assert.EqualValues(t, 1, calls.Load())
}

func TestServeConfigIsChecked(t *testing.T) {
	_, err := OpenInMemory(context.Background(), ServeConfig{Factory: fakepay.FromSettings}, Config{})
	require.ErrorContains(t, err, "Name")
	_, err = OpenInMemory(context.Background(), ServeConfig{Name: "x"}, Config{})
	require.ErrorContains(t, err, "Factory")
}
