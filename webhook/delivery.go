package webhook

import (
	"context"

	"github.com/mfspay/mfspay"
)

// Source says what brought an event to the callback.
type Source string

// The sources of a delivery.
const (
	// SourceNotification: the provider's notification (ServeHTTP, For).
	SourceNotification Source = "notification"
	// SourceReturn: the customer's return from the hosted page (Returns).
	SourceReturn Source = "return"
	// SourceReconciliation: a reconciler's sweep found the state (Deliver).
	SourceReconciliation Source = "reconciliation"
)

// Delivery tells the callback how the event it receives was established.
// Read it with DeliveryFrom.
type Delivery struct {
	// Provider is the routed gateway's name.
	Provider string
	// Source says what brought the event: a notification, the customer's
	// return or a reconciliation sweep.
	Source Source
	// Confirmed is true when the event's Payment is the provider's answer
	// (to VerifyPayment with Confirm, or to what a return or a sweep asked)
	// rather than a notification's claim. It is false for a notification
	// when Confirm is off, when the gateway cannot verify, and for
	// transaction.received events, which name no payment to verify.
	Confirmed bool
	// Claimed is the event exactly as its source stated it, before
	// confirmation replaced its type and payment.
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
