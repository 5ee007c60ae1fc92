// Command scriptplugin serves the scripted scriptpay driver as a plugin, for
// the plugins tests that compare answers across transports.
package main

import (
	"github.com/mfspay/mfspay/plugins"
	"github.com/mfspay/mfspay/plugins/internal/scriptpay"
)

func main() {
	plugins.Serve(plugins.ServeConfig{Name: scriptpay.Name, Factory: scriptpay.FromSettings})
}
