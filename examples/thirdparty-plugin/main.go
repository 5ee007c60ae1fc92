// Command thirdparty-plugin is the NodiPay plugin: the nodipay adapter and
// its nodipaytest simulator served to an mfspay host over the plugin
// protocol. It shows what an outside author writes to add a provider
// without forking mfspay.
//
// Build it under the name the plugin convention asks for,
// mfspay-plugin-<provider>:
//
//	go build -o mfspay-plugin-nodipay ./examples/thirdparty-plugin
//
// A host loads it with plugins.Open (see README.md); run by hand it says
// that it is a plugin and exits.
package main

import (
	"io"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay/nodipaytest"
	"github.com/mfspay/mfspay/plugins"
)

func main() {
	plugins.Serve(plugins.ServeConfig{
		Name:    nodipay.ProviderName,
		Factory: nodipay.DriverFromSettings,
		// The simulator lets a platform's CI run the conformance suite
		// against this binary alone (MFSPAY_PLUGIN=…).
		Simulator: func() (simctl.Controller, io.Closer, error) {
			sim := nodipaytest.NewServer()
			return sim, closer(sim.Close), nil
		},
	})
}

// closer adapts a Close without a result to io.Closer.
type closer func()

func (c closer) Close() error { c(); return nil }
