// Command fakeplugin is the fakepay provider served as a plugin, for the
// plugins tests.
package main

import (
	"github.com/mfspay/mfspay/plugins"
	"github.com/mfspay/mfspay/plugins/internal/fakepay"
)

func main() {
	plugins.Serve(plugins.ServeConfig{
		Name:      fakepay.Name,
		Factory:   fakepay.FromSettings,
		Simulator: fakepay.StartSimulator,
	})
}
