package plugins

import (
	"context"
	"log/slog"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	pb "github.com/mfspay/mfspay/plugins/proto"
)

// memoryLauncher serves a plugin inside this process over an in-memory
// connection: the same services and the same client code as a subprocess,
// without go-plugin's process handling.
func memoryLauncher(serve ServeConfig, logger *slog.Logger) func(context.Context) (*instance, error) {
	return func(context.Context) (*instance, error) {
		srv := newPluginServer(serve, logger)
		lis := bufconn.Listen(1 << 20)
		gs := grpc.NewServer(grpc.ChainUnaryInterceptor(srv.recoverUnary))
		srv.register(gs)
		served := make(chan struct{})
		go func() {
			defer close(served)
			_ = gs.Serve(lis)
		}()
		conn, err := grpc.NewClient("passthrough:///mfspay-plugin",
			grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
			grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			gs.Stop()
			<-served
			srv.close()
			return nil, err
		}
		exit, exited := context.WithCancel(context.Background())
		return &instance{
			gw:   pb.NewGatewayClient(conn),
			sim:  pb.NewSimulatorClient(conn),
			exit: exit,
			stopFn: func() {
				exited()
				_ = conn.Close()
				gs.Stop()
				<-served
				srv.close()
			},
		}, nil
	}
}
