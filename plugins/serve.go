package plugins

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// ServeConfig describes what a plugin serves.
type ServeConfig struct {
	// Name is the provider name, as Gateway.Provider reports it.
	Name string
	// Factory builds the provider's driver from the settings the host
	// sends with Configure. r carries the host's retry policy and a logger
	// for the driver's HTTP client; pass it to the adapter as is. The host
	// wraps the plugin in the portable layer (validation, capability
	// gating, the breaker, answer checks), so the plugin serves the bare
	// driver, as an adapter's DriverFromSettings returns it. Factory may be
	// called again to reconfigure; a replaced driver that implements
	// io.Closer is closed.
	Factory func(settings map[string]string, r mfspay.Resilience) (mfspay.Driver, error)
	// Simulator, if set, starts the plugin's own simulated provider, served
	// to the host through the Simulator service. It is called on first use,
	// at most once successfully; the io.Closer (which may be nil) stops it
	// when the plugin exits.
	Simulator func() (simctl.Controller, io.Closer, error)
}

func (c ServeConfig) validate() error {
	switch {
	case strings.TrimSpace(c.Name) == "":
		return errors.New("ServeConfig.Name is empty")
	case c.Factory == nil:
		return errors.New("ServeConfig.Factory is nil")
	}
	return nil
}

// Serve runs the plugin described by cfg. Call it from the plugin's main; it
// returns when the host closes the plugin.
//
// Serve owns the process: stdout carries the go-plugin handshake, so nothing
// else may write to it; logs go to stderr as hclog JSON, which the host
// relays to its slog.Logger at their level. The plugin exits when its host
// dies, even when the host is killed without a chance to close it. Run by
// hand, outside a host, Serve explains that it is a plugin and exits with
// status 1.
func Serve(cfg ServeConfig) {
	if err := cfg.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "mfspay plugin misconfigured:", err)
		os.Exit(1)
	}
	hl := hclog.New(&hclog.LoggerOptions{
		Name:       cfg.Name,
		Output:     os.Stderr, // the real stderr: go-plugin replaces os.Stderr later
		JSONFormat: true,
		Level:      hclog.LevelFromString(os.Getenv(envLogLevel)), // Info when unset
	})
	logger := slog.New(newHCLogHandler(hl))
	srv := newPluginServer(cfg, logger)

	watchHost(func() {
		logger.Info("the host process is gone; exiting")
		done := make(chan struct{})
		go func() { srv.close(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
		os.Exit(0)
	})

	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: handshake,
		Plugins:         plugin.PluginSet{dispenseName: &grpcPlugin{srv: srv}},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, grpc.ChainUnaryInterceptor(srv.recoverUnary))...)
		},
		Logger: hl,
	})
	srv.close()
}
