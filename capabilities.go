package mfspay

// Capabilities says which optional operations a gateway supports and how its
// notifications are authenticated. Callers and the conformance suite gate on
// it: an operation declared unsupported returns ErrUnsupported, and a
// supported one never does.
type Capabilities struct {
	// VerifyByInvoice and VerifyByPaymentID say which PaymentRef forms
	// VerifyPayment accepts.
	VerifyByInvoice   bool
	VerifyByPaymentID bool
	// List says whether ListPayments is supported; ListByStatus whether it
	// filters by ListQuery.Status.
	List         bool
	ListByStatus bool
	// MaxPerPage is the largest ListQuery.PerPage the provider accepts.
	MaxPerPage int
	// Webhook names how notifications are authenticated.
	Webhook WebhookAuth
	// EventTypes lists the event types ParseWebhook can produce.
	EventTypes []EventType
}

// CanVerify reports whether VerifyPayment works for at least one ref form.
func (c Capabilities) CanVerify() bool { return c.VerifyByInvoice || c.VerifyByPaymentID }

// Supports reports whether ParseWebhook can produce events of type t.
func (c Capabilities) Supports(t EventType) bool {
	for _, have := range c.EventTypes {
		if have == t {
			return true
		}
	}
	return false
}

// WebhookAuth names a notification authentication scheme.
type WebhookAuth string

// The authentication schemes of the built-in adapters.
const (
	// WebhookHMACSHA256 is a hex HMAC-SHA256 of the raw body in a header.
	WebhookHMACSHA256 WebhookAuth = "hmac-sha256"
	// WebhookSharedSecret is a static shared secret in a header.
	WebhookSharedSecret WebhookAuth = "shared-secret-header"
)
