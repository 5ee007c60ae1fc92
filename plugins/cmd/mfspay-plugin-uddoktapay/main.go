// Command mfspay-plugin-uddoktapay serves the built-in UddoktaPay adapter as
// an mfspay plugin.
//
// It is started by a host through plugins.Open, never by hand; the host sends
// the settings uddoktapay.FromSettings takes over the Configure call.
//
// Built with -tags mfspaysim it also serves the UddoktaPay simulator
// (uddoktapaytest) through its Simulator service, for the conformance suite;
// a production build leaves the simulator out.
package main

import (
	"io"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/plugins"
	"github.com/mfspay/mfspay/providers/uddoktapay"
)

// simulator starts the simulator; nil unless built with -tags mfspaysim.
var simulator func() (simctl.Controller, io.Closer, error)

func main() {
	plugins.Serve(plugins.ServeConfig{Name: uddoktapay.ProviderName, Factory: uddoktapay.DriverFromSettings, Simulator: simulator})
}
