package plugins

import (
	"context"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	pb "github.com/mfspay/mfspay/plugins/proto"
	"github.com/mfspay/mfspay/providers/kit"
)

// opSimulator names simulator calls in errors.
const opSimulator = "simulator"

// Simulator returns the plugin's own simulated provider, driven over RPC, or
// an ErrUnsupported error when the plugin serves none. The plugin starts it
// on first use; a relaunched plugin starts a fresh one, so a simulator's
// payments and settings do not survive a plugin crash.
func (c *Client) Simulator(ctx context.Context) (simctl.Controller, error) {
	inst, err := c.acquire(ctx, opSimulator)
	if err != nil {
		return nil, err
	}
	if !inst.hasSim {
		return nil, kit.Unsupported(c.Provider(), opSimulator)
	}
	return &remoteSimulator{c: c}, nil
}

// remoteSimulator is a simctl.Controller served by a plugin.
type remoteSimulator struct {
	c *Client
}

var _ simctl.Controller = (*remoteSimulator)(nil)

func (s *remoteSimulator) Settings(ctx context.Context) (simctl.Settings, error) {
	resp, err := call(s.c, ctx, opSimulator, func(ctx context.Context, inst *instance) (*pb.SettingsResponse, error) {
		return inst.sim.Settings(ctx, &pb.SettingsRequest{})
	})
	if err != nil {
		return simctl.Settings{}, err
	}
	return fromPBSettings(resp), nil
}

func (s *remoteSimulator) Pay(ctx context.Context, paymentID string, p simctl.Payer) error {
	_, err := call(s.c, ctx, opSimulator, func(ctx context.Context, inst *instance) (*pb.PayResponse, error) {
		return inst.sim.Pay(ctx, &pb.PayRequest{PaymentId: paymentID, Payer: toPBPayer(p)})
	})
	return err
}

func (s *remoteSimulator) Cancel(ctx context.Context, paymentID string) error {
	_, err := call(s.c, ctx, opSimulator, func(ctx context.Context, inst *instance) (*pb.CancelResponse, error) {
		return inst.sim.Cancel(ctx, &pb.CancelRequest{PaymentId: paymentID})
	})
	return err
}

func (s *remoteSimulator) Expire(ctx context.Context, paymentID string) error {
	_, err := call(s.c, ctx, opSimulator, func(ctx context.Context, inst *instance) (*pb.ExpireResponse, error) {
		return inst.sim.Expire(ctx, &pb.ExpireRequest{PaymentId: paymentID})
	})
	return err
}

func (s *remoteSimulator) Fail(ctx context.Context, f simctl.Fault) error {
	_, err := call(s.c, ctx, opSimulator, func(ctx context.Context, inst *instance) (*pb.FailResponse, error) {
		return inst.sim.Fail(ctx, &pb.FailRequest{Fault: toPBFault(f)})
	})
	return err
}

func (s *remoteSimulator) ClearFaults(ctx context.Context) error {
	_, err := call(s.c, ctx, opSimulator, func(ctx context.Context, inst *instance) (*pb.ClearFaultsResponse, error) {
		return inst.sim.ClearFaults(ctx, &pb.ClearFaultsRequest{})
	})
	return err
}

func (s *remoteSimulator) RequestCount(ctx context.Context) (int, error) {
	resp, err := call(s.c, ctx, opSimulator, func(ctx context.Context, inst *instance) (*pb.RequestCountResponse, error) {
		return inst.sim.RequestCount(ctx, &pb.RequestCountRequest{})
	})
	if err != nil {
		return 0, err
	}
	return int(resp.GetCount()), nil
}

func (s *remoteSimulator) PaymentCount(ctx context.Context, invoiceID string) (int, error) {
	resp, err := call(s.c, ctx, opSimulator, func(ctx context.Context, inst *instance) (*pb.PaymentCountResponse, error) {
		return inst.sim.PaymentCount(ctx, &pb.PaymentCountRequest{InvoiceId: invoiceID})
	})
	if err != nil {
		return 0, err
	}
	return int(resp.GetCount()), nil
}

func (s *remoteSimulator) Returns(ctx context.Context, paymentID string) ([]mfspay.ReturnRequest, error) {
	resp, err := call(s.c, ctx, opSimulator, func(ctx context.Context, inst *instance) (*pb.ReturnsResponse, error) {
		return inst.sim.Returns(ctx, &pb.ReturnsRequest{PaymentId: paymentID})
	})
	if err != nil {
		return nil, err
	}
	out := make([]mfspay.ReturnRequest, 0, len(resp.GetReturns()))
	for _, r := range resp.GetReturns() {
		out = append(out, fromPBReturn(r))
	}
	return out, nil
}

func (s *remoteSimulator) Notifications(ctx context.Context, paymentID string) ([]mfspay.WebhookRequest, error) {
	resp, err := call(s.c, ctx, opSimulator, func(ctx context.Context, inst *instance) (*pb.NotificationsResponse, error) {
		return inst.sim.Notifications(ctx, &pb.NotificationsRequest{PaymentId: paymentID})
	})
	if err != nil {
		return nil, err
	}
	return fromPBNotifications(resp.GetNotifications()), nil
}
