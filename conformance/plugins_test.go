package conformance_test

import (
	"context"
	"testing"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/plugins"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
)

// pluginConfig turns what the suite asks of a gateway into a plugin host
// configuration: the settings go over the Configure RPC, the retry policy to
// the plugin's HTTP client, the breaker to the host, and the host's log
// (with the plugin's stderr) to the suite's logger.
func pluginConfig(settings map[string]string, r mfspay.Resilience) plugins.Config {
	return plugins.Config{Settings: settings, Retry: r.Retry, Breaker: r.Breaker, Logger: r.Logger}
}

// pluginHarness returns a harness whose gateways are plugin clients made by
// open, talking to the simulator sim drives.
func pluginHarness(sim simctl.Controller, open func(ctx context.Context, cfg plugins.Config) (*plugins.Client, error)) conformance.Harness {
	return conformance.HarnessFuncs{
		Controller: sim,
		Make: func(ctx context.Context, settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
			c, err := open(ctx, pluginConfig(settings, r))
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return c, nil
		},
	}
}

// inMemory opens the plugin serve describes inside the test binary.
func inMemory(serve plugins.ServeConfig) func(context.Context, plugins.Config) (*plugins.Client, error) {
	return func(ctx context.Context, cfg plugins.Config) (*plugins.Client, error) {
		return plugins.OpenInMemory(ctx, serve, cfg)
	}
}

// TestConformanceInMemoryPlugin runs the suite against each built-in
// adapter served as a plugin over an in-memory gRPC connection.
func TestConformanceInMemoryPlugin(t *testing.T) {
	t.Run("EazzPay", func(t *testing.T) {
		t.Parallel()
		sim := eazzpaytest.NewServer()
		t.Cleanup(sim.Close)
		conformance.Run(t, pluginHarness(sim, inMemory(plugins.ServeConfig{
			Name: eazzpay.ProviderName, Factory: eazzpay.FromSettings,
		})))
	})
}
