// Command thirdparty-plugin is the NodiPay plugin: the nodipay adapter served
// to an mfspay host over the plugin protocol. It shows what an outside author
// writes to add a provider without forking mfspay.
//
// Build it under the name the plugin convention asks for,
// mfspay-plugin-<provider>:
//
//	go build -o mfspay-plugin-nodipay ./examples/thirdparty-plugin
//
// Built with -tags mfspaysim it also serves its nodipaytest simulator, so
// that a platform's CI can run the conformance suite against this binary
// alone (MFSPAY_PLUGIN=…); the production build leaves it out.
//
// A host loads it with plugins.Open (see README.md); run by hand it says
// that it is a plugin and exits.
package main

import (
	"io"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay"
	"github.com/mfspay/mfspay/plugins"
)

// simulator starts the simulator; nil unless built with -tags mfspaysim.
var simulator func() (simctl.Controller, io.Closer, error)

func main() {
	plugins.Serve(plugins.ServeConfig{Name: nodipay.ProviderName, Factory: nodipay.DriverFromSettings, Simulator: simulator})
}
