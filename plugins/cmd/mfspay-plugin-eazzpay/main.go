// Command mfspay-plugin-eazzpay serves the built-in EazzPay adapter as an
// mfspay plugin, with the EazzPay simulator (eazzpaytest) behind its
// Simulator service for the conformance suite.
//
// It is started by a host through plugins.Open, never by hand; the host sends
// the settings eazzpay.FromSettings takes over the Configure call.
package main

import (
	"io"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/plugins"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
)

func main() {
	plugins.Serve(plugins.ServeConfig{
		Name:    eazzpay.ProviderName,
		Factory: eazzpay.DriverFromSettings,
		Simulator: func() (simctl.Controller, io.Closer, error) {
			s := eazzpaytest.NewServer()
			return s, closer(s.Close), nil
		},
	})
}

// closer adapts a Close method without a result to io.Closer.
type closer func()

func (c closer) Close() error { c(); return nil }
