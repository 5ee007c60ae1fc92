package plugins

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/mfspay/mfspay"
	pb "github.com/mfspay/mfspay/plugins/proto"
)

// Provider names the gateway: the configured gateway's provider, or the
// plugin's name before Configure.
func (c *Client) Provider() string {
	if s := c.state.Load(); s != nil && s.provider != "" {
		return s.provider
	}
	return c.name
}

// Capabilities reports what the configured gateway supports; the zero value
// before Configure.
func (c *Client) Capabilities() mfspay.Capabilities {
	if s := c.state.Load(); s != nil {
		return s.caps
	}
	return mfspay.Capabilities{}
}

// BreakerState reports the state of the host's circuit breaker around the
// plugin (closed when it is disabled). Its presence also tells
// mfspay.WithBreaker not to wrap the Client a second time.
func (c *Client) BreakerState() mfspay.BreakerState {
	if c.breaker == nil {
		return mfspay.BreakerClosed
	}
	return c.breaker.State()
}

// CreatePayment implements mfspay.Gateway.
func (c *Client) CreatePayment(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	return mfspay.Guard(c.breaker, mfspay.OpCreate, func() (*mfspay.Checkout, error) {
		return call(c, ctx, mfspay.OpCreate, func(ctx context.Context, inst *instance) (*mfspay.Checkout, error) {
			resp, err := inst.gw.CreatePayment(ctx, toPBCreate(req))
			if err != nil {
				return nil, err
			}
			if resp.GetCheckout() == nil {
				return nil, errEmptyAnswer(mfspay.ErrOutcomeUnknown)
			}
			return fromPBCheckout(resp.GetCheckout()), nil
		})
	})
}

// VerifyPayment implements mfspay.Gateway.
func (c *Client) VerifyPayment(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	verify := func() (*mfspay.Payment, error) {
		return call(c, ctx, mfspay.OpVerify, func(ctx context.Context, inst *instance) (*mfspay.Payment, error) {
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
	if !c.Capabilities().CanVerify() { // ErrUnsupported whatever the breaker says
		return verify()
	}
	return mfspay.Guard(c.breaker, mfspay.OpVerify, verify)
}

// ListPayments implements mfspay.Gateway.
func (c *Client) ListPayments(ctx context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	list := func() (*mfspay.PaymentPage, error) {
		return call(c, ctx, mfspay.OpList, func(ctx context.Context, inst *instance) (*mfspay.PaymentPage, error) {
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
	if !c.Capabilities().List {
		return list()
	}
	return mfspay.Guard(c.breaker, mfspay.OpList, list)
}

// ParseWebhook implements mfspay.Gateway. It is local work in the plugin, so
// the breaker does not guard it.
func (c *Client) ParseWebhook(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	return call(c, ctx, opWebhook, func(ctx context.Context, inst *instance) (*mfspay.Event, error) {
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

// errEmptyAnswer reports a reply without its result, as a plugin error of
// the given kind.
func errEmptyAnswer(kind error) error {
	return toStatus(&mfspay.Error{Kind: kind, Message: "the plugin answered without a result"})
}

func statusCode(err error) codes.Code { return status.Code(err) }
