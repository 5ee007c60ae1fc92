package plugins

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/bkash"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
	"github.com/mfspay/mfspay/providers/uddoktapay"
	"github.com/mfspay/mfspay/providers/uddoktapay/uddoktapaytest"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// builtin is a built-in adapter, its simulator and its plugin binary.
type builtin struct {
	name    string
	binary  string
	factory func(map[string]string, mfspay.Resilience) (mfspay.Gateway, error)
	driver  func(map[string]string, mfspay.Resilience) (mfspay.Driver, error)
	// newSim starts the simulator in the test process.
	newSim func() (simctl.Controller, func())
}

var builtins = []builtin{
	{wezopay.ProviderName, "mfspay-plugin-wezopay", wezopay.FromSettings, wezopay.DriverFromSettings, func() (simctl.Controller, func()) {
		s := wezopaytest.NewServer()
		return s, s.Close
	}},
	{eazzpay.ProviderName, "mfspay-plugin-eazzpay", eazzpay.FromSettings, eazzpay.DriverFromSettings, func() (simctl.Controller, func()) {
		s := eazzpaytest.NewServer()
		return s, s.Close
	}},
	{uddoktapay.ProviderName, "mfspay-plugin-uddoktapay", uddoktapay.FromSettings, uddoktapay.DriverFromSettings, func() (simctl.Controller, func()) {
		s := uddoktapaytest.NewServer()
		return s, s.Close
	}},
	{bkash.ProviderName, "mfspay-plugin-bkash", bkash.FromSettings, bkash.DriverFromSettings, func() (simctl.Controller, func()) {
		s := bkashtest.NewServer()
		return s, s.Close
	}},
}

// TestBuiltinsSameAsInProcess runs every operation of each built-in adapter
// in process and through the plugin protocol, against one simulator, and
// requires the same results and errors: in memory, in a subprocess, and in
// a subprocess that serves the simulator itself.
func TestBuiltinsSameAsInProcess(t *testing.T) {
	ctx := context.Background()
	for _, b := range builtins {
		t.Run(b.name, func(t *testing.T) {
			t.Run("in memory", func(t *testing.T) {
				sim, stop := b.newSim()
				defer stop()
				s, err := sim.Settings(ctx)
				require.NoError(t, err)
				c, err := OpenInMemory(ctx, ServeConfig{Name: b.name, Factory: b.driver}, Config{Settings: s.Values, Retry: testRetry})
				require.NoError(t, err)
				defer c.Close()
				checkSameBehaviour(t, b.pair(t, c, sim, s))
			})
			t.Run("subprocess", func(t *testing.T) {
				sim, stop := b.newSim()
				defer stop()
				s, err := sim.Settings(ctx)
				require.NoError(t, err)
				c, err := Open(ctx, binary(t, b.binary), Config{Settings: s.Values, Retry: testRetry})
				require.NoError(t, err)
				defer c.Close()
				checkSameBehaviour(t, b.pair(t, c, sim, s))
			})
			t.Run("subprocess with its own simulator", func(t *testing.T) {
				c, err := Open(ctx, binary(t, b.binary), Config{Retry: testRetry})
				require.NoError(t, err)
				defer c.Close()
				sim, err := c.Simulator(ctx)
				require.NoError(t, err)
				s, err := sim.Settings(ctx)
				require.NoError(t, err)
				require.NoError(t, c.Configure(ctx, s.Values))
				checkSameBehaviour(t, b.pair(t, c, sim, s))
			})
		})
	}
}

func (b builtin) pair(t *testing.T, remote *Client, sim simctl.Controller, s simctl.Settings) pair {
	direct, err := b.factory(s.Values, mfspay.Resilience{Retry: testRetry})
	require.NoError(t, err)
	return pair{direct: direct, remote: remote, sim: sim, factory: b.factory, settings: s}
}

// TestBuiltinRelaunchReconfigures kills a WezoPay plugin with calls in
// flight; the simulator, in the test process, outlives it, so the relaunched
// plugin must have been configured again to find the earlier payment.
func TestBuiltinRelaunchReconfigures(t *testing.T) {
	ctx := context.Background()
	sim := wezopaytest.NewServer()
	defer sim.Close()
	s, err := sim.Settings(ctx)
	require.NoError(t, err)
	c, err := Open(ctx, binary(t, "mfspay-plugin-wezopay"), Config{Settings: s.Values, Retry: testRetry})
	require.NoError(t, err)
	defer c.Close()
	co, err := c.CreatePayment(ctx, createRequest(newInvoice("before-crash")))
	require.NoError(t, err)

	require.NoError(t, sim.Fail(ctx, simctl.Fault{Delay: time.Minute, Count: 3}))
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			_, err := c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: co.InvoiceID})
			errs <- err
		}()
	}
	require.Eventually(t, func() bool { n, _ := sim.RequestCount(ctx); return n == 4 }, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, syscall.Kill(c.PID(), syscall.SIGKILL))
	for range 3 {
		select {
		case err := <-errs:
			assert.ErrorIs(t, err, mfspay.ErrUnavailable)
		case <-time.After(5 * time.Second):
			t.Fatal("a call in flight did not return after the plugin died")
		}
	}
	p, err := c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: co.InvoiceID})
	require.NoError(t, err)
	assert.Equal(t, co.PaymentID, p.PaymentID)
}

func TestBuiltinDeadline(t *testing.T) {
	ctx := context.Background()
	sim := wezopaytest.NewServer()
	defer sim.Close()
	s, err := sim.Settings(ctx)
	require.NoError(t, err)
	c, err := Open(ctx, binary(t, "mfspay-plugin-wezopay"), Config{Settings: s.Values, Retry: testRetry})
	require.NoError(t, err)
	defer c.Close()
	checkDeadline(t, c, sim)
}
