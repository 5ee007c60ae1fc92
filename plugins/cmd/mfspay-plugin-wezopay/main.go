// Command mfspay-plugin-wezopay serves the built-in WezoPay adapter as an
// mfspay plugin, with the WezoPay simulator (wezopaytest) behind its
// Simulator service for the conformance suite.
//
// It is started by a host through plugins.Open, never by hand; the host sends
// the settings wezopay.FromSettings takes ("base_url", "api_key",
// "webhook_secrets") over the Configure call.
package main

import (
	"io"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/plugins"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

func main() {
	plugins.Serve(plugins.ServeConfig{
		Name:    wezopay.ProviderName,
		Factory: wezopay.DriverFromSettings,
		Simulator: func() (simctl.Controller, io.Closer, error) {
			s := wezopaytest.NewServer()
			return s, closer(s.Close), nil
		},
	})
}

// closer adapts a Close method without a result to io.Closer.
type closer func()

func (c closer) Close() error { c(); return nil }
