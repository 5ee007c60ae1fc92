package webhook

import (
	"context"

	"github.com/mfspay/mfspay"
)

// checkAmount compares a completed payment with what the merchant expects
// for its invoice. It reports whether delivery must stop, with the answer:
// 200 once the hook was told of a mismatch (the notification will never
// become valid, so the provider should stop retrying), 503 when the
// merchant's lookup failed, 500 when the hook failed.
func (h *Handler) checkAmount(ctx context.Context, rt *route, ev *mfspay.Event) (outcome, bool) {
	want, known, err := h.expect(ctx, rt.provider, ev.Payment.InvoiceID)
	if err != nil {
		return outMerchant.with(err), true
	}
	if known && want == ev.Payment.Amount {
		return outcome{}, false
	}
	m := AmountMismatch{Event: *ev, Known: known}
	if known {
		m.Expected = want
	}
	if h.onMismatch != nil {
		if err := h.onMismatch(ctx, m); err != nil {
			return outHook.with(err), true
		}
	}
	return outRefused, true
}
