package webhook

import (
	"context"

	"github.com/mfspay/mfspay"
)

// Delivery tells the callback how the event it receives was established.
// Read it with DeliveryFrom.
type Delivery struct {
	// Provider is the routed gateway's name.
	Provider string
	// Confirmed is true when the event's Payment is the provider's answer to
	// VerifyPayment (see Confirm) rather than the notification's claim. It
	// is false when Confirm is off, when the gateway cannot verify, and for
	// transaction.received events, which name no payment to verify.
	Confirmed bool
	// Claimed is the event exactly as the authenticated notification stated
	// it, before confirmation replaced its type and payment.
	Claimed mfspay.Event
}

type deliveryKey struct{}

// DeliveryFrom returns the Delivery of the event being handed to the
// callback whose context is ctx.
func DeliveryFrom(ctx context.Context) (Delivery, bool) {
	d, ok := ctx.Value(deliveryKey{}).(Delivery)
	return d, ok
}

func withDelivery(ctx context.Context, d Delivery) context.Context {
	return context.WithValue(ctx, deliveryKey{}, d)
}
