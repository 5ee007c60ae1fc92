// Command mfspay-plugin-eazzpay serves the built-in EazzPay adapter as an
// mfspay plugin.
//
// It is started by a host through plugins.Open, never by hand; the host sends
// the settings eazzpay.FromSettings takes over the Configure call.
//
// Built with -tags mfspaysim it also serves the EazzPay simulator (eazzpaytest)
// through its Simulator service, for the conformance suite; a production
// build leaves the simulator out.
package main

import (
	"io"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/plugins"
	"github.com/mfspay/mfspay/providers/eazzpay"
)

// simulator starts the simulator; nil unless built with -tags mfspaysim.
var simulator func() (simctl.Controller, io.Closer, error)

func main() {
	plugins.Serve(plugins.ServeConfig{Name: eazzpay.ProviderName, Factory: eazzpay.DriverFromSettings, Simulator: simulator})
}
