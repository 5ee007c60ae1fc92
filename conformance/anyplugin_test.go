package conformance_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/conformance"
	"github.com/mfspay/mfspay/plugins"
)

// Environment of the any-plugin route: the plugin binary to check and,
// optionally, its expected SHA-256.
const (
	envPlugin       = "MFSPAY_PLUGIN"
	envPluginSHA256 = "MFSPAY_PLUGIN_SHA256"
)

// TestConformanceAnyPlugin runs the suite against the plugin binary named by
// MFSPAY_PLUGIN, which must serve its own simulator: one plugin process
// serves the simulator, and every gateway is another process of the same
// binary configured with the simulator's settings. Without MFSPAY_PLUGIN it
// runs against the built-in WezoPay plugin, so the route is always
// exercised.
func TestConformanceAnyPlugin(t *testing.T) {
	t.Parallel()
	path, sum := os.Getenv(envPlugin), os.Getenv(envPluginSHA256)
	if path == "" {
		path = builtinPlugin(t, "mfspay-plugin-wezopay")
		t.Logf("%s is unset: checking the built-in plugin %s", envPlugin, path)
	} else {
		t.Logf("checking %s=%s", envPlugin, path)
	}
	ctx := context.Background()
	host, err := plugins.Open(ctx, path, plugins.Config{SHA256: sum})
	require.NoError(t, err, "starting the plugin that serves the simulator")
	t.Cleanup(func() { host.Close() })
	sim, err := host.Simulator(ctx)
	require.NoError(t, err, "the plugin must serve its own simulator (plugins.ServeConfig.Simulator)")
	conformance.Run(t, pluginHarness(sim, subprocess(path, sum)))
}
