package webhook

import (
	"context"
	"errors"

	"github.com/mfspay/mfspay"
)

// confirmEvent replaces the notification's claim with the provider's
// current view of the payment. It returns the event to deliver and whether
// it was confirmed, or a non-zero outcome when it must not be delivered now.
//
// Events that name no payment (transaction.received) and events of gateways
// that cannot verify are passed through unconfirmed.
func (h *Handler) confirmEvent(ctx context.Context, rt *route, claimed *mfspay.Event) (mfspay.Event, bool, outcome) {
	ev := *claimed
	// Read now, never kept from New: a gateway's capabilities can change
	// after it is routed (a plugin opened without settings has none until
	// Configure).
	caps := rt.gw.Capabilities()
	if ev.Type == mfspay.EventTransactionReceived || !caps.CanVerify() {
		return ev, false, outcome{}
	}
	ref, ok := refFor(caps, ev.Payment)
	if !ok {
		// The gateway could verify, but the event gives no reference it
		// accepts: refuse it rather than deliver an unconfirmable claim.
		return ev, false, outUnconfirmed
	}
	p, err := rt.gw.VerifyPayment(ctx, ref)
	switch {
	case err == nil && p == nil:
		return ev, false, outInternal.with(errors.New("gateway verified a payment but returned none"))
	case err == nil:
	case transient(err), errors.Is(err, mfspay.ErrNotFound):
		// Not found: the provider's reads may lag its notifications; a
		// forged event just keeps failing until its sender gives up.
		return ev, false, outProvider.withGateway(err)
	case errors.Is(err, mfspay.ErrInvalidRequest):
		return ev, false, outUnconfirmed.withGateway(err)
	default:
		// Our credentials or the gateway's setup are wrong: retry once fixed.
		return ev, false, outInternal.withGateway(err)
	}
	if !samePayment(ev.Payment, *p) {
		return ev, false, outUnconfirmed.with(errors.New("the provider's payment does not match the notification"))
	}
	t, known := mfspay.EventTypeFor(p.Status)
	if !known {
		// The provider's state is one the adapter cannot map: never treat it
		// as anything; ask again later.
		return ev, false, outNotYet
	}
	if !p.Status.Final() && claimsFinal(ev.Type) {
		// The notification says more happened than the provider knows: a
		// forged or premature claim. Delivering it as pending would make
		// the provider stop retrying a notification that may become true
		// once its reads catch up, so answer 503 and deliver nothing.
		return ev, false, outNotYet
	}
	ev.Type = t
	ev.Payment = *p
	if ev.Payment.Provider == "" {
		ev.Payment.Provider = rt.provider
	}
	// A look-up by one id may answer without the other (samePayment has
	// checked that no id contradicts the claim): keep the claim's, so that
	// the amount check finds the invoice and the mark is the one a return or
	// a sweep of the same state takes.
	if ev.Payment.InvoiceID == "" {
		ev.Payment.InvoiceID = claimed.Payment.InvoiceID
	}
	if ev.Payment.PaymentID == "" {
		ev.Payment.PaymentID = claimed.Payment.PaymentID
	}
	return ev, true, outcome{}
}

// refFor picks the reference to verify a payment by: the provider's payment
// id when the gateway accepts it, else the merchant's invoice id.
func refFor(caps mfspay.Capabilities, p mfspay.Payment) (mfspay.PaymentRef, bool) {
	if caps.VerifyByPaymentID && p.PaymentID != "" {
		return mfspay.PaymentRef{PaymentID: p.PaymentID}, true
	}
	if caps.VerifyByInvoice && p.InvoiceID != "" {
		return mfspay.PaymentRef{InvoiceID: p.InvoiceID}, true
	}
	return mfspay.PaymentRef{}, false
}

// samePayment reports whether the verified payment is the one the
// notification names: every identifier both carry must agree.
func samePayment(claim, verified mfspay.Payment) bool {
	if claim.PaymentID != "" && verified.PaymentID != "" && claim.PaymentID != verified.PaymentID {
		return false
	}
	if claim.InvoiceID != "" && verified.InvoiceID != "" && claim.InvoiceID != verified.InvoiceID {
		return false
	}
	return true
}

// claimsFinal reports whether an event type announces a final state.
func claimsFinal(t mfspay.EventType) bool {
	switch t {
	case mfspay.EventPaymentCompleted, mfspay.EventPaymentFailed,
		mfspay.EventPaymentCancelled, mfspay.EventPaymentExpired:
		return true
	}
	return false
}
