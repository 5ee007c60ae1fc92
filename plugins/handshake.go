package plugins

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/mfspay/mfspay/plugins/proto"
)

// ProtocolVersion is the plugin protocol version this package speaks
// (mfspay.plugin.v1). A host starts only plugins of this version; a plugin
// built against another version fails Open with ErrIncompatible.
const ProtocolVersion = 1

// handshake is what host and plugin must agree on before anything else. The
// cookie is not a secret: it only keeps a plugin from being run by hand or
// by another program's plugin host, and a program that is not an mfspay
// plugin from being mistaken for one.
var handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "MFSPAY_PLUGIN_COOKIE",
	MagicCookieValue: "b1a6e0c4-mfspay-gateway-plugin",
}

// dispenseName is the name of the one go-plugin plugin a binary serves.
const dispenseName = "gateway"

// Environment variables the host sets for the plugin (none holds a secret).
const (
	// envHostFD names the inherited descriptor whose end of file tells the
	// plugin that its host is gone.
	envHostFD = "MFSPAY_PLUGIN_HOST_FD"
	// envLogLevel is the most verbose hclog level the host will keep.
	envLogLevel = "MFSPAY_PLUGIN_LOG_LEVEL"
)

// grpcPlugin binds the services to go-plugin: the plugin side registers
// them, the host side gets the connection back.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	srv *pluginServer // plugin side only
}

func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	p.srv.register(s)
	return nil
}

// GRPCClient returns the connection and a context that go-plugin cancels
// when the plugin process exits.
func (p *grpcPlugin) GRPCClient(ctx context.Context, _ *plugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return &dispensed{conn: cc, exited: ctx}, nil
}

type dispensed struct {
	conn   *grpc.ClientConn
	exited context.Context
}

// register adds the plugin's services to a gRPC server.
func (s *pluginServer) register(r grpc.ServiceRegistrar) {
	pb.RegisterGatewayServer(r, &gatewayServer{s: s})
	pb.RegisterSimulatorServer(r, &simulatorServer{s: s})
}
