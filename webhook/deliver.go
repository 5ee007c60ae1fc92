package webhook

import (
	"context"
	"fmt"

	"github.com/mfspay/mfspay"
)

// Deliver hands a verified event that no notification brought (a
// reconciler's sweep found the state by asking the provider) to the callback
// through the same de-duplication store and amount check as notifications:
// a state is delivered once whichever reports it first. ev.Provider names
// the routed gateway; ev.Payment must be the provider's answer, never a
// claim, and its Type must follow the payment's status. It makes
// *Handler a ledger.Deliverer.
//
// It returns nil when the event was delivered, was already delivered, or
// was refused for good (an amount the merchant does not expect: the
// OnAmountMismatch hook is told). It returns an error when it should be
// tried again later: the callback failed, another delivery of the same
// state is running, or the store is unavailable.
func (h *Handler) Deliver(ctx context.Context, ev *mfspay.Event) error {
	if ev == nil || ev.ID == "" {
		return &mfspay.Error{Kind: mfspay.ErrInvalidRequest, Op: "deliver", Field: "event", Message: "needs an event with an ID"}
	}
	rt := h.byProvider[ev.Provider]
	if rt == nil {
		return &mfspay.Error{Kind: mfspay.ErrInvalidRequest, Provider: ev.Provider, Op: "deliver", Field: "provider",
			Message: "is not routed to this handler"}
	}
	o, rec := h.process(ctx, rt, ev, SourceReconciliation)
	h.log(ctx, o, rec)
	if o.code < 300 {
		return nil
	}
	if o.err != nil {
		return fmt.Errorf("webhook: delivery not settled (%s): %w", o.kind, o.err)
	}
	return fmt.Errorf("webhook: delivery not settled (%s)", o.kind)
}
