// Command mfspay-plugin-bkash serves the built-in bKash Tokenized Checkout
// adapter as an mfspay plugin.
//
// It is started by a host through plugins.Open, never by hand; the host sends
// the settings bkash.FromSettings takes over the Configure call.
//
// Built with -tags mfspaysim it also serves the bKash simulator (bkashtest)
// through its Simulator service, for the conformance suite; a production
// build leaves the simulator out.
package main

import (
	"io"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/plugins"
	"github.com/mfspay/mfspay/providers/bkash"
)

// simulator starts the simulator; nil unless built with -tags mfspaysim.
var simulator func() (simctl.Controller, io.Closer, error)

func main() {
	plugins.Serve(plugins.ServeConfig{Name: bkash.ProviderName, Factory: bkash.DriverFromSettings, Simulator: simulator})
}
