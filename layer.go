package mfspay

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
)

// NewGateway wraps d in the portable layer and returns the Gateway callers
// program against. The layer is the one place the contract is enforced,
// the same for every adapter and transport (an in-process adapter and the
// plugin host's client are both drivers under it):
//
//   - requests are validated first (CreatePaymentRequest.Validate,
//     PaymentRef.Validate, ListQuery.Normalize) and a bad one is
//     ErrInvalidRequest without traffic, whatever the breaker's state;
//   - operations and reference forms the capabilities declare unsupported
//     are ErrUnsupported without traffic;
//   - create, verify, list and the customer's return pass through the
//     circuit breaker configured by r.Breaker (notification parsing is local
//     work and does not); a call whose context has already ended is
//     answered without the driver or the breaker;
//   - every answer is checked against its request and the vocabulary (ids
//     that match, known statuses, positive amounts where paid, absolute
//     http(s) redirect URLs, statuses and event types the capabilities
//     declare); a violation is ErrOutcomeUnknown for a create,
//     ErrUnavailable for a read or a return and ErrInvalidRequest for a
//     notification, and is logged to r.Logger;
//   - a driver's panic fails its call, not the caller: ErrOutcomeUnknown
//     for a create, ErrUnavailable otherwise, a failure to the breaker,
//     logged to r.Logger by provider and operation only (its value may
//     hold request data), as a plugin's server answers one;
//   - every error is an *Error stamped with the provider and operation.
func NewGateway(d Driver, r Resilience) Gateway {
	g := &gateway{d: d, log: r.Logger}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if !r.Breaker.Disabled {
		g.breaker = newBreaker(d.Provider(), r.Breaker)
	}
	return g
}

// gateway is the portable layer around one driver.
type gateway struct {
	d       Driver
	breaker *breaker // nil when disabled
	log     *slog.Logger
}

// opWebhook names notification parsing in errors.
const opWebhook = "webhook"

func (g *gateway) Provider() string { return g.d.Provider() }

func (g *gateway) Capabilities() Capabilities { return g.d.Capabilities() }

// BreakerState reports the breaker's state, and false when it is disabled;
// BreakerStateOf reads it.
func (g *gateway) BreakerState() (BreakerState, bool) {
	if g.breaker == nil {
		return BreakerClosed, false
	}
	return g.breaker.State(), true
}

func (g *gateway) CreatePayment(ctx context.Context, req CreatePaymentRequest) (*Checkout, error) {
	if err := req.Validate(); err != nil {
		return nil, g.stamp(OpCreate, err)
	}
	caps := g.d.Capabilities()
	if caps.Return == ReturnExecute && req.ReturnURL == "" {
		return nil, g.stamp(OpCreate, invalid(OpCreate, "return_url",
			"is required: this provider completes a payment only when the customer's return is handled"))
	}
	if err := ctx.Err(); err != nil {
		return nil, g.ended(OpCreate, err)
	}
	return guard(g.breaker, OpCreate, func() (_ *Checkout, err error) {
		defer g.recoverDriver(ctx, OpCreate, &err)
		co, err := g.d.Create(ctx, req)
		if err != nil {
			return nil, g.stamp(OpCreate, err)
		}
		if rule := checkCheckout(g.d.Provider(), caps, req, co); rule != "" {
			return nil, g.violation(ctx, OpCreate, ErrOutcomeUnknown, rule)
		}
		return co, nil
	})
}

func (g *gateway) VerifyPayment(ctx context.Context, ref PaymentRef) (*Payment, error) {
	caps := g.d.Capabilities()
	if !caps.CanVerify() {
		return nil, g.unsupported(OpVerify, "the provider offers no lookup of payments")
	}
	if err := ref.Validate(); err != nil {
		return nil, g.stamp(OpVerify, err)
	}
	switch {
	case ref.InvoiceID != "" && !caps.VerifyByInvoice:
		return nil, g.unsupported(OpVerify, "the provider cannot look a payment up by invoice id")
	case ref.PaymentID != "" && !caps.VerifyByPaymentID:
		return nil, g.unsupported(OpVerify, "the provider cannot look a payment up by payment id")
	}
	if err := ctx.Err(); err != nil {
		return nil, g.ended(OpVerify, err)
	}
	return guard(g.breaker, OpVerify, func() (_ *Payment, err error) {
		defer g.recoverDriver(ctx, OpVerify, &err)
		p, err := g.d.Verify(ctx, ref)
		if err != nil {
			return nil, g.stamp(OpVerify, err)
		}
		if rule := checkVerified(g.d.Provider(), caps, ref, p); rule != "" {
			return nil, g.violation(ctx, OpVerify, ErrUnavailable, rule)
		}
		return p, nil
	})
}

func (g *gateway) ListPayments(ctx context.Context, q ListQuery) (*PaymentPage, error) {
	caps := g.d.Capabilities()
	if !caps.List {
		return nil, g.unsupported(OpList, "the provider offers no list of payments")
	}
	q, err := q.Normalize(caps.MaxPerPage)
	if err != nil {
		return nil, g.stamp(OpList, err)
	}
	if q.Status != "" && !caps.ListByStatus {
		return nil, g.unsupported(OpList, "the provider cannot filter payments by status")
	}
	if err := ctx.Err(); err != nil {
		return nil, g.ended(OpList, err)
	}
	return guard(g.breaker, OpList, func() (_ *PaymentPage, err error) {
		defer g.recoverDriver(ctx, OpList, &err)
		page, err := g.d.List(ctx, q)
		if err != nil {
			return nil, g.stamp(OpList, err)
		}
		if rule := checkPage(g.d.Provider(), caps, q, page); rule != "" {
			return nil, g.violation(ctx, OpList, ErrUnavailable, rule)
		}
		return page, nil
	})
}

func (g *gateway) ParseWebhook(ctx context.Context, req WebhookRequest) (_ *Event, err error) {
	caps := g.d.Capabilities()
	if len(caps.EventTypes) == 0 {
		return nil, g.unsupported(opWebhook, "the provider sends no notifications this gateway can read")
	}
	defer g.recoverDriver(ctx, opWebhook, &err)
	ev, err := g.d.ParseNotification(ctx, req)
	if err != nil {
		return nil, g.stamp(opWebhook, err)
	}
	if rule := checkEvent(g.d.Provider(), caps, ev); rule != "" {
		return nil, g.violation(ctx, opWebhook, ErrInvalidRequest, rule)
	}
	return ev, nil
}

// ended answers a call whose context had ended before anything was sent:
// it says nothing about the provider, so it bypasses the breaker, and
// nothing can have happened, so even a create is ErrUnavailable.
func (g *gateway) ended(op string, ctxErr error) error {
	return &Error{Kind: ErrUnavailable, Provider: g.d.Provider(), Op: op,
		Message: "call ended by the caller's context before it was sent", Err: ctxErr}
}

func (g *gateway) CompleteReturn(ctx context.Context, req ReturnRequest) (*Event, error) {
	caps := g.d.Capabilities()
	rd, ok := g.d.(ReturnDriver)
	if caps.Return == ReturnNone || !ok {
		return nil, g.unsupported(OpReturn, "the provider's customers return to the merchant with nothing to act on")
	}
	if req.PaymentID != "" {
		if err := (PaymentRef{PaymentID: req.PaymentID}).Validate(); err != nil {
			return nil, g.stamp(OpReturn, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, g.ended(OpReturn, err)
	}
	return guard(g.breaker, OpReturn, func() (_ *Event, err error) {
		defer g.recoverDriver(ctx, OpReturn, &err)
		ev, err := rd.CompleteReturn(ctx, req)
		if err != nil {
			return nil, g.stamp(OpReturn, err)
		}
		rule := checkEvent(g.d.Provider(), caps, ev)
		if rule == "" && req.PaymentID != "" && ev.Payment.PaymentID != req.PaymentID {
			rule = "the return's event is about another payment than the one named"
		}
		if rule != "" {
			return nil, g.violation(ctx, OpReturn, ErrUnavailable, rule)
		}
		return ev, nil
	})
}

// recoverDriver, deferred around a driver's operation, turns its panic
// into the error the operation returns, so that a driver's bug fails one
// call instead of the caller's process, as a plugin's server answers it
// (recoverUnary): ErrOutcomeUnknown for a create, which may have been sent,
// ErrUnavailable otherwise. Deferred inside the function guard runs, it
// counts as a failure of the provider (the breaker would count a panic
// passing through it as a success). The panic's value may hold request
// data, so only where it happened is logged, with the stack.
func (g *gateway) recoverDriver(ctx context.Context, op string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	provider := g.d.Provider()
	g.log.LogAttrs(ctx, slog.LevelError, "mfspay: driver panicked",
		slog.String("provider", provider), slog.String("op", op), slog.String("stack", string(debug.Stack())))
	kind := ErrUnavailable
	if op == OpCreate {
		kind = ErrOutcomeUnknown
	}
	*err = &Error{Kind: kind, Provider: provider, Op: op, Message: "the driver panicked"}
}

func (g *gateway) unsupported(op, why string) error {
	return &Error{Kind: ErrUnsupported, Provider: g.d.Provider(), Op: op, Message: why}
}

// violation reports an answer that breaks the contract. Only the rule is
// kept, never the values: they came from the provider and may hold
// anything.
func (g *gateway) violation(ctx context.Context, op string, kind error, rule string) error {
	g.log.LogAttrs(ctx, slog.LevelWarn, "mfspay: provider answer breaks the contract; refused",
		slog.String("provider", g.d.Provider()), slog.String("op", op), slog.String("rule", rule))
	return &Error{Kind: kind, Provider: g.d.Provider(), Op: op,
		Message: "the provider's answer breaks the contract: " + rule}
}

// stamp returns err as an *Error carrying the provider and operation. A
// driver error that is not an *Error of a known kind becomes ErrUnavailable,
// or ErrOutcomeUnknown for a create, which may have happened.
func (g *gateway) stamp(op string, err error) error {
	fallback := ErrUnavailable
	if op == OpCreate {
		fallback = ErrOutcomeUnknown
	}
	var e *Error
	if !errors.As(err, &e) {
		out := &Error{Kind: fallback, Provider: g.d.Provider(), Op: op, Message: "the driver failed", Err: err}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			out.Message = "call ended by the caller's context"
		}
		return out
	}
	if e.Provider != "" && e.Op != "" && knownKind(e.Kind) && error(e) == err {
		return e // already complete: no copy on the hot path
	}
	out := *e
	if out.Provider == "" {
		out.Provider = g.d.Provider()
	}
	if out.Op == "" {
		out.Op = op
	}
	if !knownKind(out.Kind) {
		out.Kind = fallback
	}
	return &out
}

func knownKind(k error) bool {
	for _, known := range kindList {
		if k == known {
			return true
		}
	}
	return false
}
