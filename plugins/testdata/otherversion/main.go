// Command otherversion is a plugin of a protocol version no host speaks:
// the host must refuse it at once with a clear error.
package main

import (
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

type nothing struct{ plugin.NetRPCUnsupportedPlugin }

func (nothing) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error { return nil }

func main() {
	plugin.Serve(&plugin.ServeConfig{
		// The mfspay cookie, as a plugin built against a future mfspay has it.
		HandshakeConfig: plugin.HandshakeConfig{
			ProtocolVersion:  99,
			MagicCookieKey:   "MFSPAY_PLUGIN_COOKIE",
			MagicCookieValue: "b1a6e0c4-mfspay-gateway-plugin",
		},
		Plugins:    plugin.PluginSet{"gateway": nothing{}},
		GRPCServer: plugin.DefaultGRPCServer,
	})
}
