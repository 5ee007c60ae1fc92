package mfspay

import (
	"context"
	"net/url"
)

// ReturnAction says what the customer's return from the hosted page needs
// before the payment's outcome is known.
type ReturnAction string

// The return actions.
const (
	// ReturnNone: the provider sends the customer straight to SuccessURL or
	// CancelURL; notifications (or a verify) tell the outcome.
	ReturnNone ReturnAction = ""
	// ReturnVerify: the return names a payment that the gateway verifies
	// with the provider (UddoktaPay); nothing more is needed to complete it.
	ReturnVerify ReturnAction = "verify"
	// ReturnExecute: the payment completes only when the merchant acts on
	// the customer's return (bKash's execute). Until then nothing is
	// debited; a customer who never comes back leaves a payment that only a
	// reconciler can complete. CreatePaymentRequest.ReturnURL is required.
	ReturnExecute ReturnAction = "execute"
)

// ReturnRequest is the customer's browser coming back from the hosted page,
// exactly as it arrived at the merchant's return URL. It is
// unauthenticated: anyone can send one. A gateway trusts nothing in it but
// the payment it names, and learns the outcome from the provider.
type ReturnRequest struct {
	// Method is the HTTP method, GET or POST.
	Method string
	// Query is the return URL's query, the merchant's own parameters
	// included.
	Query url.Values
	// Form holds the fields of a POSTed form, nil for GET.
	Form url.Values
	// PaymentID, when set, names the payment directly instead of a
	// browser's request: a merchant's own process (a reconciler) completing
	// a payment whose customer approved it on the hosted page but never came
	// back. The gateway completes it as it would a successful return —
	// bKash executes only what the customer approved — and Query and Form
	// are ignored. webhook.Handler never sets it from a request.
	PaymentID string
}

// ReturnDriver is a Driver whose provider sends the customer back with
// something to act on (Capabilities.Return is not ReturnNone). It is
// optional, as database/sql's optional driver interfaces are: the portable
// layer answers ErrUnsupported for a driver without it.
type ReturnDriver interface {
	Driver
	// CompleteReturn does what the provider requires on the customer's
	// return (execute, or verify) and reports the payment's outcome as an
	// event built from the provider's answers, never from the request: an
	// event whose Type follows the provider's status, ready to be delivered
	// like a confirmed notification. Repeats of one return (a browser
	// reloading the page, five tabs at once) must act at most once at the
	// provider and report the same outcome. A return naming a payment that
	// does not belong to what the request says is ErrInvalidRequest.
	CompleteReturn(ctx context.Context, req ReturnRequest) (*Event, error)
}
