package mfspay

import "context"

// Driver is one provider's adapter as the portable layer sees it: only what
// that provider alone knows — its wire format, its API calls, how its
// notifications are authenticated and read, and how its errors classify.
//
// NewGateway wraps a Driver in the portable layer, which is the only thing
// callers talk to. Everything the contract promises that does not depend on
// the provider happens there, once, before or after the driver runs:
// requests are validated, unsupported operations are refused without
// traffic, the circuit breaker is applied, every answer is checked against
// its request and the vocabulary, and errors are stamped with the provider
// and operation. A driver therefore receives only valid requests of forms
// its Capabilities declare, and must not validate them again.
//
// The method names differ from Gateway's on purpose: a Driver cannot be
// passed where a Gateway is expected and so cannot bypass the layer by
// accident.
//
// Methods are called concurrently. Errors should be *Error values with one
// of the sentinel kinds; anything else is treated as ErrUnavailable
// (ErrOutcomeUnknown for Create, where the payment may exist). A panic is
// a bug, but the layer recovers it into the same fallback kinds rather
// than let it take down the caller, as a plugin's server does.
type Driver interface {
	// Provider names the provider: "wezopay", "eazzpay", or a plugin's name.
	Provider() string
	// Capabilities declares what the provider can do and report. The layer
	// reads it on every call, so a driver whose capabilities change (a
	// plugin configured later) is never judged by a stale declaration.
	Capabilities() Capabilities
	// Create sends one create for a validated request. It must never cause
	// two payments for one call; when the outcome is unknown it returns
	// ErrOutcomeUnknown (after reconciling by invoice where it can).
	Create(ctx context.Context, req CreatePaymentRequest) (*Checkout, error)
	// Verify reads one payment by a validated reference of a form the
	// capabilities declare.
	Verify(ctx context.Context, ref PaymentRef) (*Payment, error)
	// List reads one page; q is normalised (page and page size filled in,
	// within MaxPerPage) and filters by status only when ListByStatus.
	List(ctx context.Context, q ListQuery) (*PaymentPage, error)
	// ParseNotification authenticates a notification on its raw bytes and
	// only then reads it; a notification that fails authentication is
	// ErrInvalidSignature.
	ParseNotification(ctx context.Context, req WebhookRequest) (*Event, error)
}
