// Package mfspay takes Bangladeshi mobile-wallet payments (bKash, Nagad, Rocket,
// Upay, Cellfin…) through several payment gateways behind one provider-neutral
// Gateway interface.
//
// An adapter (providers/wezopay, providers/eazzpay, or a third party's plugin)
// implements Gateway. The shared behaviour every adapter needs — request
// validation, payment-safe HTTP retries, the circuit breaker, the error
// vocabulary and exact money — lives in this package and is written once.
//
// Money is always an Amount: integer poisha, never float64.
package mfspay

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Version is the library version, sent in the User-Agent header.
const Version = "0.1.0"

// Gateway is one payment gateway, in process or behind a plugin.
//
// Every method is safe for concurrent use. Errors are *Error values whose Kind
// is one of the sentinel errors in errors.go, so callers branch with errors.Is.
type Gateway interface {
	// Provider names the gateway: "wezopay", "eazzpay", or a plugin's name.
	Provider() string
	// Capabilities reports which optional operations the gateway supports.
	Capabilities() Capabilities
	// CreatePayment registers a payment and returns where to send the customer.
	// It never creates two payments for one call, even when it retries.
	CreatePayment(ctx context.Context, req CreatePaymentRequest) (*Checkout, error)
	// VerifyPayment asks the provider for the current state of one payment.
	VerifyPayment(ctx context.Context, ref PaymentRef) (*Payment, error)
	// ListPayments returns one page of payments, newest first.
	ListPayments(ctx context.Context, q ListQuery) (*PaymentPage, error)
	// ParseWebhook authenticates a notification on its raw bytes and only then
	// parses it. A notification that fails authentication is ErrInvalidSignature.
	ParseWebhook(ctx context.Context, req WebhookRequest) (*Event, error)
	// CompleteReturn handles the customer's return from the hosted page for
	// gateways whose Capabilities().Return is not ReturnNone (see
	// ReturnDriver); others answer ErrUnsupported. webhook.Handler's Returns
	// endpoint calls it and delivers the event like a notification.
	CompleteReturn(ctx context.Context, req ReturnRequest) (*Event, error)
}

// Customer is the payer as the merchant knows them. All fields are optional
// unless a provider says otherwise.
type Customer struct {
	Name  string
	Email string
	Phone string
}

// CreatePaymentRequest asks a gateway for a new payment.
type CreatePaymentRequest struct {
	// InvoiceID is the merchant's own reference for the order; it ties
	// notifications back to the order and must be unique per merchant.
	InvoiceID string
	// Amount is what the customer pays, in poisha.
	Amount   Amount
	Customer Customer
	// SuccessURL and CancelURL are where the hosted page sends the customer.
	SuccessURL string
	CancelURL  string
	// WebhookURL receives the provider's notifications.
	WebhookURL string
	// ReturnURL is the merchant's return endpoint (webhook.Handler's
	// Returns), where a provider whose Capabilities().Return is not
	// ReturnNone sends the customer back; required when it is ReturnExecute,
	// ignored by providers that need no return.
	ReturnURL string
	// Metadata is passed through to the provider where it supports it.
	Metadata map[string]string
}

// Checkout is a created payment: send the customer to RedirectURL.
type Checkout struct {
	Provider string
	// PaymentID is the provider's id of the payment. It is empty only for
	// gateways whose Capabilities declare PaymentIDLater: their provider
	// names the payment when the customer returns or a notification
	// arrives.
	PaymentID   string
	InvoiceID   string
	RedirectURL string
	// ExpiresAt is zero when the provider does not say.
	ExpiresAt time.Time
	Status    Status
}

// PaymentRef names one payment by the merchant's invoice id or by the
// provider's payment id. Exactly one of the two is set.
type PaymentRef struct {
	InvoiceID string
	PaymentID string
}

// Payment is a provider's view of one payment.
type Payment struct {
	Provider  string
	PaymentID string
	InvoiceID string
	Status    Status
	Amount    Amount
	// TrxID is the mobile-wallet transaction id, empty until paid.
	TrxID string
	// Method is the wallet the customer paid with, MethodUnknown until known.
	Method Method
	// Sender is the paying wallet number, empty until known.
	Sender string
	// PaidAt is zero until paid.
	PaidAt time.Time
}

// ListQuery selects a page of payments. Zero values mean the first page,
// the default page size and every status.
type ListQuery struct {
	Status  Status
	Page    int
	PerPage int
}

// PaymentPage is one page of payments.
type PaymentPage struct {
	Payments []Payment
	Page     int
	PerPage  int
	Total    int
	HasMore  bool
}

// WebhookRequest is exactly what arrived from the provider: authentication is
// computed over these raw bytes, so nothing may be re-encoded on the way.
type WebhookRequest struct {
	Header http.Header
	Query  url.Values
	Body   []byte
}
