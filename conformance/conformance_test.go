package conformance_test

import (
	"context"
	"testing"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/plugins"
	"github.com/mfspay/mfspay/providers/bkash"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
	"github.com/mfspay/mfspay/providers/uddoktapay"
	"github.com/mfspay/mfspay/providers/uddoktapay/uddoktapaytest"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// builtin is one adapter of this module, with its simulator and plugin.
type builtin struct {
	name   string
	open   conformance.Constructor
	driver func(map[string]string, mfspay.Resilience) (mfspay.Driver, error)
	plugin string // binary name under plugins/cmd
	// sim starts the simulator; stop ends it.
	sim func() (c simctl.Controller, stop func())
}

var builtinAdapters = []builtin{
	{"WezoPay", wezopay.FromSettings, wezopay.DriverFromSettings, "mfspay-plugin-wezopay", func() (simctl.Controller, func()) {
		s := wezopaytest.NewServer()
		return s, s.Close
	}},
	{"EazzPay", eazzpay.FromSettings, eazzpay.DriverFromSettings, "mfspay-plugin-eazzpay", func() (simctl.Controller, func()) {
		s := eazzpaytest.NewServer()
		return s, s.Close
	}},
	{"UddoktaPay", uddoktapay.FromSettings, uddoktapay.DriverFromSettings, "mfspay-plugin-uddoktapay", func() (simctl.Controller, func()) {
		s := uddoktapaytest.NewServer()
		return s, s.Close
	}},
	{"bKash", bkash.FromSettings, bkash.DriverFromSettings, "mfspay-plugin-bkash", func() (simctl.Controller, func()) {
		s := bkashtest.NewServer()
		return s, s.Close
	}},
}

// route is one way of running an adapter: the harness for it, given the
// simulator the gateways talk to.
type route struct {
	name    string
	harness func(t *testing.T, a builtin, sim simctl.Controller) conformance.Harness
}

var routes = []route{
	{"InProcess", func(_ *testing.T, a builtin, sim simctl.Controller) conformance.Harness {
		return conformance.InProcess(sim, a.open)
	}},
	{"InMemoryPlugin", func(_ *testing.T, a builtin, sim simctl.Controller) conformance.Harness {
		serve := plugins.ServeConfig{Name: a.name, Factory: a.driver}
		return pluginHarness(sim, func(ctx context.Context, cfg plugins.Config) (*plugins.Client, error) {
			return plugins.OpenInMemory(ctx, serve, cfg)
		})
	}},
	{"SubprocessPlugin", func(t *testing.T, a builtin, sim simctl.Controller) conformance.Harness {
		return pluginHarness(sim, subprocess(builtinPlugin(t, a.plugin), ""))
	}},
}

// TestConformance runs the suite against each built-in adapter linked in,
// served as a plugin over an in-memory connection, and served by its plugin
// binary in child processes. The simulator runs in the test binary.
func TestConformance(t *testing.T) {
	for _, a := range builtinAdapters {
		for _, rt := range routes {
			t.Run(a.name+"/"+rt.name, func(t *testing.T) {
				t.Parallel()
				sim, stop := a.sim()
				t.Cleanup(stop)
				conformance.Run(t, rt.harness(t, a, sim))
			})
		}
	}
}

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

// subprocess opens the plugin binary at path as a real child process,
// checking its SHA-256 when sha256 is set.
func subprocess(path, sha256 string) func(context.Context, plugins.Config) (*plugins.Client, error) {
	return func(ctx context.Context, cfg plugins.Config) (*plugins.Client, error) {
		cfg.SHA256 = sha256
		return plugins.Open(ctx, path, cfg)
	}
}
