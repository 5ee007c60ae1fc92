package plugins

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/mfspay/mfspay"
	pb "github.com/mfspay/mfspay/plugins/proto"
)

// rpcDriver is the plugin seen as an mfspay.Driver: each call is one RPC.
// The Client wraps it in the portable layer (mfspay.NewGateway), so a
// plugin gets the same validation, capability gating, breaker and answer
// checks as an in-process adapter, by construction.
type rpcDriver struct{ c *Client }

var _ mfspay.ReturnDriver = rpcDriver{}

// Provider names the gateway: the configured driver's provider, or the
// plugin's name before Configure.
func (d rpcDriver) Provider() string {
	if s := d.c.state.Load(); s != nil && s.provider != "" {
		return s.provider
	}
	return d.c.name
}

// Capabilities reports what the configured driver declared; the zero value
// before Configure, so that nothing is assumed of an unconfigured plugin.
func (d rpcDriver) Capabilities() mfspay.Capabilities {
	if s := d.c.state.Load(); s != nil {
		return s.caps
	}
	return mfspay.Capabilities{}
}

func (d rpcDriver) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	return call(d.c, ctx, mfspay.OpCreate, func(ctx context.Context, inst *instance) (*mfspay.Checkout, error) {
		resp, err := inst.gw.CreatePayment(ctx, toPBCreate(req))
		if err != nil {
			return nil, err
		}
		if resp.GetCheckout() == nil {
			return nil, errEmptyAnswer(mfspay.ErrOutcomeUnknown)
		}
		return fromPBCheckout(resp.GetCheckout()), nil
	})
}

func (d rpcDriver) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	return call(d.c, ctx, mfspay.OpVerify, func(ctx context.Context, inst *instance) (*mfspay.Payment, error) {
		resp, err := inst.gw.VerifyPayment(ctx, &pb.VerifyPaymentRequest{Ref: toPBRef(ref)})
		if err != nil {
			return nil, err
		}
		if resp.GetPayment() == nil {
			return nil, errEmptyAnswer(mfspay.ErrUnavailable)
		}
		p := fromPBPayment(resp.GetPayment())
		return &p, nil
	})
}

func (d rpcDriver) List(ctx context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return call(d.c, ctx, mfspay.OpList, func(ctx context.Context, inst *instance) (*mfspay.PaymentPage, error) {
		resp, err := inst.gw.ListPayments(ctx, &pb.ListPaymentsRequest{Query: toPBListQuery(q)})
		if err != nil {
			return nil, err
		}
		if resp.GetPage() == nil {
			return nil, errEmptyAnswer(mfspay.ErrUnavailable)
		}
		return fromPBPage(resp.GetPage()), nil
	})
}

func (d rpcDriver) ParseNotification(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	return call(d.c, ctx, opWebhook, func(ctx context.Context, inst *instance) (*mfspay.Event, error) {
		resp, err := inst.gw.ParseWebhook(ctx, &pb.ParseWebhookRequest{Request: toPBWebhook(req)})
		if err != nil {
			return nil, err
		}
		if resp.GetEvent() == nil {
			return nil, errEmptyAnswer(mfspay.ErrUnavailable)
		}
		return fromPBEvent(resp.GetEvent()), nil
	})
}

func (d rpcDriver) CompleteReturn(ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error) {
	return call(d.c, ctx, mfspay.OpReturn, func(ctx context.Context, inst *instance) (*mfspay.Event, error) {
		resp, err := inst.gw.CompleteReturn(ctx, &pb.CompleteReturnRequest{Request: toPBReturn(req)})
		if err != nil {
			return nil, err
		}
		if resp.GetEvent() == nil {
			return nil, errEmptyAnswer(mfspay.ErrUnavailable)
		}
		return fromPBEvent(resp.GetEvent()), nil
	})
}

// errEmptyAnswer reports a reply without its result, as a plugin error of
// the given kind.
func errEmptyAnswer(kind error) error {
	return toStatus(&mfspay.Error{Kind: kind, Message: "the plugin answered without a result"})
}

func statusCode(err error) codes.Code { return status.Code(err) }
