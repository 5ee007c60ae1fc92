package plugins

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"

	"google.golang.org/grpc"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	pb "github.com/mfspay/mfspay/plugins/proto"
	"github.com/mfspay/mfspay/providers/kit"
)

// opWebhook names ParseWebhook in errors.
const opWebhook = "webhook"

// pluginServer is the plugin side: the driver Configure built, and the
// simulator, started on first use. The same value serves a real plugin
// process and an in-memory one.
type pluginServer struct {
	cfg    ServeConfig
	logger *slog.Logger

	mu     sync.RWMutex
	gw     mfspay.Driver
	closed bool

	simMu     sync.Mutex
	sim       simctl.Controller
	simCloser io.Closer
}

func newPluginServer(cfg ServeConfig, logger *slog.Logger) *pluginServer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &pluginServer{cfg: cfg, logger: logger}
}

// configure builds a driver from settings and makes it current. The host
// applies the portable layer, breaker included, around the connection.
func (s *pluginServer) configure(settings map[string]string, retry mfspay.RetryPolicy) (mfspay.Driver, error) {
	gw, err := s.cfg.Factory(settings, mfspay.Resilience{
		Retry:   retry,
		Breaker: mfspay.BreakerSettings{Disabled: true},
		Logger:  s.logger,
	})
	if err != nil {
		return nil, err
	}
	if gw == nil {
		return nil, &mfspay.Error{Kind: mfspay.ErrInvalidRequest, Provider: s.cfg.Name, Op: "configure",
			Message: "the plugin's factory returned no driver"}
	}
	s.mu.Lock()
	old := s.gw
	s.gw = gw
	s.mu.Unlock()
	closeDriver(old)
	return gw, nil
}

func (s *pluginServer) driver(op string) (mfspay.Driver, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.gw == nil {
		return nil, kit.Invalid(s.cfg.Name, op, "settings", "the plugin is not configured: call Configure first")
	}
	return s.gw, nil
}

// simulator starts the plugin's simulator on first use. A failed start is
// tried again on the next call.
func (s *pluginServer) simulator() (simctl.Controller, error) {
	if s.cfg.Simulator == nil {
		return nil, kit.Unsupported(s.cfg.Name, "simulator")
	}
	s.simMu.Lock()
	defer s.simMu.Unlock()
	if s.sim != nil {
		return s.sim, nil
	}
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: s.cfg.Name, Op: "simulator", Message: "the plugin is shutting down"}
	}
	sim, closer, err := s.cfg.Simulator()
	if err != nil {
		return nil, err
	}
	if sim == nil {
		return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: s.cfg.Name, Op: "simulator", Message: "the plugin's simulator constructor returned nothing"}
	}
	s.sim, s.simCloser = sim, closer
	return sim, nil
}

// close releases the gateway and stops the simulator.
func (s *pluginServer) close() {
	s.mu.Lock()
	gw := s.gw
	s.gw, s.closed = nil, true
	s.mu.Unlock()
	closeDriver(gw)

	s.simMu.Lock()
	closer := s.simCloser
	s.sim, s.simCloser = nil, nil
	s.simMu.Unlock()
	if closer != nil {
		if err := closer.Close(); err != nil {
			s.logger.Warn("closing the simulator failed", "error", err)
		}
	}
}

func closeDriver(gw mfspay.Driver) {
	if c, ok := gw.(io.Closer); ok {
		_ = c.Close()
	}
}

// recoverUnary turns a panic in a handler into an error answer, so that one
// bad request does not take the plugin (and every call in flight) down.
func (s *pluginServer) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if r := recover(); r != nil {
			// The panic value may hold request data; log where, not what.
			s.logger.Error("plugin handler panicked", "method", info.FullMethod, "stack", string(debug.Stack()))
			kind := mfspay.ErrUnavailable
			if info.FullMethod == pb.Gateway_CreatePayment_FullMethodName {
				kind = mfspay.ErrOutcomeUnknown
			}
			// A gateway call runs the driver, and answers as the layer does
			// in process when a driver panics (mfspay's recoverDriver).
			message := "the plugin panicked"
			if strings.HasPrefix(info.FullMethod, "/"+pb.Gateway_ServiceDesc.ServiceName+"/") {
				message = "the driver panicked"
			}
			resp, err = nil, toStatus(&mfspay.Error{Kind: kind, Provider: s.cfg.Name, Message: message})
		}
	}()
	return handler(ctx, req)
}

// gatewayServer serves pb.Gateway from the configured mfspay.Driver.
type gatewayServer struct {
	pb.UnimplementedGatewayServer
	s *pluginServer
}

func (g *gatewayServer) Describe(context.Context, *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	return &pb.DescribeResponse{Name: g.s.cfg.Name, Simulator: g.s.cfg.Simulator != nil}, nil
}

func (g *gatewayServer) Configure(_ context.Context, req *pb.ConfigureRequest) (*pb.ConfigureResponse, error) {
	gw, err := g.s.configure(copyMap(req.GetSettings()), fromPBRetry(req.GetRetry()))
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.ConfigureResponse{Provider: gw.Provider(), Capabilities: toPBCapabilities(gw.Capabilities())}, nil
}

func (g *gatewayServer) CreatePayment(ctx context.Context, req *pb.CreatePaymentRequest) (*pb.CreatePaymentResponse, error) {
	gw, err := g.s.driver(mfspay.OpCreate)
	if err != nil {
		return nil, toStatus(err)
	}
	co, err := gw.Create(ctx, fromPBCreate(req))
	if err != nil {
		return nil, toStatus(driverFailure(err))
	}
	if co == nil {
		return nil, toStatus(&mfspay.Error{Kind: mfspay.ErrOutcomeUnknown, Provider: g.s.cfg.Name, Op: mfspay.OpCreate,
			Message: "the plugin's driver returned no checkout"})
	}
	return &pb.CreatePaymentResponse{Checkout: toPBCheckout(co)}, nil
}

func (g *gatewayServer) VerifyPayment(ctx context.Context, req *pb.VerifyPaymentRequest) (*pb.VerifyPaymentResponse, error) {
	gw, err := g.s.driver(mfspay.OpVerify)
	if err != nil {
		return nil, toStatus(err)
	}
	p, err := gw.Verify(ctx, fromPBRef(req.GetRef()))
	if err != nil {
		return nil, toStatus(driverFailure(err))
	}
	if p == nil {
		return nil, toStatus(errNoResult(g.s.cfg.Name, mfspay.OpVerify))
	}
	return &pb.VerifyPaymentResponse{Payment: toPBPayment(*p)}, nil
}

func (g *gatewayServer) ListPayments(ctx context.Context, req *pb.ListPaymentsRequest) (*pb.ListPaymentsResponse, error) {
	gw, err := g.s.driver(mfspay.OpList)
	if err != nil {
		return nil, toStatus(err)
	}
	page, err := gw.List(ctx, fromPBListQuery(req.GetQuery()))
	if err != nil {
		return nil, toStatus(driverFailure(err))
	}
	if page == nil {
		return nil, toStatus(errNoResult(g.s.cfg.Name, mfspay.OpList))
	}
	return &pb.ListPaymentsResponse{Page: toPBPage(page)}, nil
}

func (g *gatewayServer) ParseWebhook(ctx context.Context, req *pb.ParseWebhookRequest) (*pb.ParseWebhookResponse, error) {
	gw, err := g.s.driver(opWebhook)
	if err != nil {
		return nil, toStatus(err)
	}
	ev, err := gw.ParseNotification(ctx, fromPBWebhook(req.GetRequest()))
	if err != nil {
		return nil, toStatus(driverFailure(err))
	}
	if ev == nil {
		return nil, toStatus(errNoResult(g.s.cfg.Name, opWebhook))
	}
	return &pb.ParseWebhookResponse{Event: toPBEvent(ev)}, nil
}

func (g *gatewayServer) CompleteReturn(ctx context.Context, req *pb.CompleteReturnRequest) (*pb.CompleteReturnResponse, error) {
	d, err := g.s.driver(mfspay.OpReturn)
	if err != nil {
		return nil, toStatus(err)
	}
	rd, ok := d.(mfspay.ReturnDriver)
	if !ok {
		return nil, toStatus(&mfspay.Error{Kind: mfspay.ErrUnsupported, Provider: g.s.cfg.Name, Op: mfspay.OpReturn,
			Message: "the plugin's driver handles no customer return"})
	}
	ev, err := rd.CompleteReturn(ctx, fromPBReturn(req.GetRequest()))
	if err != nil {
		return nil, toStatus(driverFailure(err))
	}
	if ev == nil {
		return nil, toStatus(errNoResult(g.s.cfg.Name, mfspay.OpReturn))
	}
	return &pb.CompleteReturnResponse{Event: toPBEvent(ev)}, nil
}

// driverFailure frames a driver's error that is no *mfspay.Error as the
// portable layer does in process (gateway.stamp): with no kind, however it
// wraps a sentinel, so that the host falls back to ErrUnavailable
// (ErrOutcomeUnknown for a create) exactly as the layer would, and with the
// same text, the driver's own kept as the cause.
func driverFailure(err error) error {
	var e *mfspay.Error
	if errors.As(err, &e) {
		return err
	}
	message := "the driver failed"
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		message = "call ended by the caller's context"
	}
	return &mfspay.Error{Message: message, Err: err}
}

// errNoResult reports an adapter that returned neither a result nor an error.
func errNoResult(provider, op string) error {
	return &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: provider, Op: op, Message: "the plugin's driver returned no result"}
}

// simulatorServer serves pb.Simulator from the plugin's simctl.Controller.
type simulatorServer struct {
	pb.UnimplementedSimulatorServer
	s *pluginServer
}

// with runs fn against the simulator, encoding any error for the wire.
func (m *simulatorServer) with(fn func(simctl.Controller) error) error {
	sim, err := m.s.simulator()
	if err == nil {
		err = fn(sim)
	}
	return toStatus(err)
}

func (m *simulatorServer) Settings(ctx context.Context, _ *pb.SettingsRequest) (*pb.SettingsResponse, error) {
	var out *pb.SettingsResponse
	err := m.with(func(sim simctl.Controller) error {
		s, err := sim.Settings(ctx)
		out = toPBSettings(s)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (m *simulatorServer) Pay(ctx context.Context, req *pb.PayRequest) (*pb.PayResponse, error) {
	if err := m.with(func(sim simctl.Controller) error {
		return sim.Pay(ctx, req.GetPaymentId(), fromPBPayer(req.GetPayer()))
	}); err != nil {
		return nil, err
	}
	return &pb.PayResponse{}, nil
}

func (m *simulatorServer) Cancel(ctx context.Context, req *pb.CancelRequest) (*pb.CancelResponse, error) {
	if err := m.with(func(sim simctl.Controller) error { return sim.Cancel(ctx, req.GetPaymentId()) }); err != nil {
		return nil, err
	}
	return &pb.CancelResponse{}, nil
}

func (m *simulatorServer) Expire(ctx context.Context, req *pb.ExpireRequest) (*pb.ExpireResponse, error) {
	if err := m.with(func(sim simctl.Controller) error { return sim.Expire(ctx, req.GetPaymentId()) }); err != nil {
		return nil, err
	}
	return &pb.ExpireResponse{}, nil
}

func (m *simulatorServer) Fail(ctx context.Context, req *pb.FailRequest) (*pb.FailResponse, error) {
	if err := m.with(func(sim simctl.Controller) error { return sim.Fail(ctx, fromPBFault(req.GetFault())) }); err != nil {
		return nil, err
	}
	return &pb.FailResponse{}, nil
}

func (m *simulatorServer) ClearFaults(ctx context.Context, _ *pb.ClearFaultsRequest) (*pb.ClearFaultsResponse, error) {
	if err := m.with(func(sim simctl.Controller) error { return sim.ClearFaults(ctx) }); err != nil {
		return nil, err
	}
	return &pb.ClearFaultsResponse{}, nil
}

func (m *simulatorServer) RequestCount(ctx context.Context, _ *pb.RequestCountRequest) (*pb.RequestCountResponse, error) {
	var n int
	if err := m.with(func(sim simctl.Controller) (err error) { n, err = sim.RequestCount(ctx); return err }); err != nil {
		return nil, err
	}
	return &pb.RequestCountResponse{Count: int64(n)}, nil
}

func (m *simulatorServer) PaymentCount(ctx context.Context, req *pb.PaymentCountRequest) (*pb.PaymentCountResponse, error) {
	var n int
	if err := m.with(func(sim simctl.Controller) (err error) {
		n, err = sim.PaymentCount(ctx, req.GetInvoiceId())
		return err
	}); err != nil {
		return nil, err
	}
	return &pb.PaymentCountResponse{Count: int64(n)}, nil
}

func (m *simulatorServer) Returns(ctx context.Context, req *pb.ReturnsRequest) (*pb.ReturnsResponse, error) {
	var rets []mfspay.ReturnRequest
	if err := m.with(func(sim simctl.Controller) (err error) {
		rets, err = sim.Returns(ctx, req.GetPaymentId())
		return err
	}); err != nil {
		return nil, err
	}
	out := &pb.ReturnsResponse{}
	for _, r := range rets {
		out.Returns = append(out.Returns, toPBReturn(r))
	}
	return out, nil
}

func (m *simulatorServer) Notifications(ctx context.Context, req *pb.NotificationsRequest) (*pb.NotificationsResponse, error) {
	var reqs []mfspay.WebhookRequest
	if err := m.with(func(sim simctl.Controller) (err error) {
		reqs, err = sim.Notifications(ctx, req.GetPaymentId())
		return err
	}); err != nil {
		return nil, err
	}
	return &pb.NotificationsResponse{Notifications: toPBNotifications(reqs)}, nil
}

// errClosed reports a call on a closed Client. Such a call sends nothing,
// so the host's breaker counts it neither way (NotSent).
var errClosed error = closedError{}

type closedError struct{}

func (closedError) Error() string { return "plugin client is closed" }

// NotSent reports that no request was sent, for the circuit breaker.
func (closedError) NotSent() bool { return true }
