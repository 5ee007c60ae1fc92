package main_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/plugins"
)

// binary is the plugin built once for this test run, under the name the
// convention asks for, and sum its SHA-256.
var binary, sum string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nodipay-plugin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		binary = filepath.Join(dir, plugins.BinaryPrefix+"nodipay")
		if out, err := exec.Command("go", "build", "-tags", "mfspaysim", "-o", binary, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building the plugin: %v\n%s", err, out)
			return 1
		}
		b, err := os.ReadFile(binary)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		h := sha256.Sum256(b)
		sum = hex.EncodeToString(h[:])
		return m.Run()
	}()
	os.Exit(code)
}

// TestConformanceAsPluginBinary runs the suite against the built binary the
// way the any-plugin route does (MFSPAY_PLUGIN=… go test
// github.com/mfspay/mfspay/conformance -run TestConformanceAnyPlugin): one
// plugin process serves its own simulator, and every gateway is another
// process of the same binary, checked against its SHA-256, configured with
// the simulator's settings and the suite's resilience.
func TestConformanceAsPluginBinary(t *testing.T) {
	ctx := context.Background()
	host, err := plugins.Open(ctx, binary, plugins.Config{SHA256: sum})
	require.NoError(t, err)
	t.Cleanup(func() { host.Close() })
	sim, err := host.Simulator(ctx)
	require.NoError(t, err, "the plugin serves its simulator")
	conformance.Run(t, conformance.HarnessFuncs{
		Controller: sim,
		Make: func(ctx context.Context, settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
			c, err := plugins.Open(ctx, binary, plugins.Config{
				Settings: settings, SHA256: sum, Retry: r.Retry, Breaker: r.Breaker, Logger: r.Logger,
			})
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return c, nil
		},
	})
}

func TestDiscoverFindsThePluginByName(t *testing.T) {
	infos, err := plugins.Discover(filepath.Dir(binary))
	require.NoError(t, err)
	assert.Equal(t, []plugins.Info{{Name: "nodipay", Path: binary}}, infos)
}

func TestOpenRefusesAnotherBinary(t *testing.T) {
	_, err := plugins.Open(context.Background(), binary, plugins.Config{SHA256: strings.Repeat("0", 64)})
	require.ErrorIs(t, err, plugins.ErrChecksumMismatch)
}

// TestPaymentThroughThePlugin takes one payment through the plugin
// boundary: error kinds and the webhook scheme survive it.
func TestPaymentThroughThePlugin(t *testing.T) {
	ctx := context.Background()
	host, err := plugins.Open(ctx, binary, plugins.Config{SHA256: sum})
	require.NoError(t, err)
	t.Cleanup(func() { host.Close() })
	assert.Equal(t, "nodipay", host.Provider(), "named before it is configured")
	sim, err := host.Simulator(ctx)
	require.NoError(t, err)
	st, err := sim.Settings(ctx)
	require.NoError(t, err)
	require.NoError(t, host.Configure(ctx, st.Values))

	co, err := host.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID: "INV-PLUGIN-1", Amount: mfspay.Poisha(99999999999),
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/no",
	})
	require.NoError(t, err)
	require.NoError(t, sim.Pay(ctx, co.PaymentID, simctl.Payer{Method: mfspay.MethodCellfin, Sender: "01512345678", TrxID: "CF9"}))
	p, err := host.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-PLUGIN-1"})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPaid, p.Status)
	assert.Equal(t, mfspay.Poisha(99999999999), p.Amount)
	assert.Equal(t, mfspay.MethodCellfin, p.Method)

	ns, err := sim.Notifications(ctx, co.PaymentID)
	require.NoError(t, err)
	require.Len(t, ns, 1)
	ev, err := host.ParseWebhook(ctx, ns[0])
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
	ns[0].Header.Del("Nodi-Signature")
	_, err = host.ParseWebhook(ctx, ns[0])
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)

	_, err = host.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID: "INV-PLUGIN-1", Amount: mfspay.Taka(1),
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/no",
	})
	assert.ErrorIs(t, err, mfspay.ErrDuplicate)
	assert.Equal(t, "hmac-sha256-timestamped", string(host.Capabilities().Webhook))
}
