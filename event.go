package mfspay

// EventType names what a notification says happened.
type EventType string

// The neutral event types.
const (
	EventPaymentPending   EventType = "payment.pending"
	EventPaymentCompleted EventType = "payment.completed"
	EventPaymentFailed    EventType = "payment.failed"
	EventPaymentCancelled EventType = "payment.cancelled"
	EventPaymentExpired   EventType = "payment.expired"
	// EventTransactionReceived is money seen arriving in a wallet, not a
	// per-payment status: Reference may tie it to an invoice.
	EventTransactionReceived EventType = "transaction.received"
)

// EventTypeFor returns the payment.* event type that announces status s.
func EventTypeFor(s Status) (EventType, bool) {
	switch s {
	case StatusPending:
		return EventPaymentPending, true
	case StatusPaid:
		return EventPaymentCompleted, true
	case StatusFailed:
		return EventPaymentFailed, true
	case StatusCancelled:
		return EventPaymentCancelled, true
	case StatusExpired:
		return EventPaymentExpired, true
	}
	return "", false
}

// Event is an authenticated, normalised provider notification.
type Event struct {
	// ID is a stable de-duplication key: every re-delivery of the same
	// notification has the same ID.
	ID       string
	Provider string
	Type     EventType
	// Payment is the payment as the notification describes it. Until it is
	// confirmed with VerifyPayment it is only the provider's claim.
	Payment Payment
	// Reference is the reference a transaction.received event carries,
	// empty otherwise. Some providers let the customer type it (EazzPay's
	// listener); bKash's is the merchant's own invoice number. Either way
	// it may point at an order but never proves that order paid: anyone can
	// send money with any reference. Only a payment.completed event does.
	Reference string
}
