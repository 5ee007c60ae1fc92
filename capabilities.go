package mfspay

// Capabilities says what a gateway can do and report: which optional
// operations it supports, which statuses and events its provider can
// report, how its notifications are authenticated, and what the customer's
// return from the hosted page needs. The portable layer and the conformance
// suite read these declarations instead of assuming one provider's model:
// an operation declared unsupported returns ErrUnsupported, a supported one
// never does, and an answer outside the declarations is refused.
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
	// EventTypes lists the event types ParseWebhook (and CompleteReturn)
	// can produce.
	EventTypes []EventType
	// Statuses lists the payment statuses the provider can report, through
	// any operation: a provider without expiry leaves out StatusExpired, one
	// whose cancellations are never reported leaves out StatusCancelled.
	// StatusUnknown (what an adapter cannot map) needs no declaring. Empty
	// means undeclared: every status is possible, and nothing is checked.
	Statuses []Status
	// Return says what the customer's return from the hosted page needs
	// (ReturnNone: nothing; see ReturnAction).
	Return ReturnAction
	// PaymentIDLater says the provider's create answer names no payment:
	// Checkout.PaymentID is empty, and the payment id first arrives with
	// the customer's return or a notification (UddoktaPay's invoice_id).
	// Until then the merchant knows the payment by its invoice id and the
	// checkout's RedirectURL, and cannot look it up by payment id. False
	// promises a PaymentID in every checkout, so that an empty one is an
	// adapter's bug, not the provider's way.
	PaymentIDLater bool
}

// Reports reports whether the provider can report status s: it is
// declared, or nothing is, or s is StatusUnknown.
func (c Capabilities) Reports(s Status) bool {
	if len(c.Statuses) == 0 || s == StatusUnknown {
		return true
	}
	for _, have := range c.Statuses {
		if have == s {
			return true
		}
	}
	return false
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
	// WebhookSharedSecret is a static shared secret in a header: it proves
	// the sender knows the secret, not what it sent, so a gateway with it
	// should confirm what a notification claims with the provider.
	WebhookSharedSecret WebhookAuth = "shared-secret-header"
	// WebhookSNS is an AWS SNS message signature (RSA over the SNS string
	// to sign, with a certificate from an AWS host), as bKash's
	// notifications carry.
	WebhookSNS WebhookAuth = "aws-sns"
)

// BodyAuthenticated reports whether the scheme authenticates the body
// itself, so that a notification cannot be altered in transit: true for
// signatures over the body, false for a secret in a header and for schemes
// mfspay does not name.
func (a WebhookAuth) BodyAuthenticated() bool {
	return a == WebhookHMACSHA256 || a == WebhookSNS
}
