// Package simctl is the contract for driving a simulated payment provider
// from tests: the customer pays or cancels, the payment expires, the
// provider fails in a chosen way, and the notifications it sent are handed
// over.
//
// The built-in simulators (wezopaytest, eazzpaytest) implement Controller
// with the public kit providers/simkit, which an outside author uses too;
// the plugins package carries it over gRPC so a plugin can serve its own
// simulator, and the conformance suite drives any adapter through it.
package simctl

import (
	"context"
	"time"

	"github.com/mfspay/mfspay"
)

// Controller drives one running simulated provider. Methods are safe for
// concurrent use.
//
// Methods taking a paymentID name the payment by the provider's payment id
// (Checkout.PaymentID). A provider whose create answers none
// (mfspay.Capabilities.PaymentIDLater) leaves the merchant only the
// checkout's RedirectURL until the customer's return or a notification
// names the payment, so a simulator must accept the RedirectURL its create
// answered in place of the id, in every such method, before and after the
// id is known; the id, once known, names the payment too. A handle that
// names no payment is an error.
type Controller interface {
	// Settings returns provider settings that configure a gateway against
	// this simulator, as the adapter's FromSettings (or a plugin's Configure)
	// takes them.
	Settings(ctx context.Context) (Settings, error)
	// Pay completes the payment as the customer would on the hosted page.
	Pay(ctx context.Context, paymentID string, p Payer) error
	// Cancel cancels the payment as the customer would on the hosted page.
	Cancel(ctx context.Context, paymentID string) error
	// Expire makes the payment expire now.
	Expire(ctx context.Context, paymentID string) error
	// Fail makes the next f.Count API requests fail as f describes.
	Fail(ctx context.Context, f Fault) error
	// ClearFaults drops every pending fault.
	ClearFaults(ctx context.Context) error
	// RequestCount is how many API requests the provider has received
	// (hosted pages and control calls excluded), faulted ones included.
	RequestCount(ctx context.Context) (int, error)
	// PaymentCount is how many payments the provider holds for invoiceID:
	// more than one means a double charge.
	PaymentCount(ctx context.Context, invoiceID string) (int, error)
	// Notifications returns, in order, every distinct notification the
	// provider produced about the payment, as a receiver would get it.
	Notifications(ctx context.Context, paymentID string) ([]mfspay.WebhookRequest, error)
	// Returns returns, in order, the customer's returns from the hosted
	// page for the payment, as the merchant's return endpoint would get
	// them (see mfspay.ReturnRequest): Pay and Cancel count as the
	// customer's visit to the page and each produce the return it ends in.
	Returns(ctx context.Context, paymentID string) ([]mfspay.ReturnRequest, error)
}

// Settings configure a gateway against a simulator.
type Settings struct {
	// Values are the provider settings (base URL, credentials, secrets).
	Values map[string]string
	// BadCredentials are Values with a credential the provider rejects.
	BadCredentials map[string]string
	// Secrets lists every secret in Values and BadCredentials, for hygiene
	// checks: none may ever appear in an error or a log line.
	Secrets []string
}

// Payer is what the customer enters on the hosted page.
type Payer struct {
	Method mfspay.Method
	Sender string
	TrxID  string
	// Pending stops short of payment: the customer has submitted, the
	// wallet has not confirmed, and the provider announces the payment as
	// pending; it stays payable. Conformance uses it to catch an adapter
	// that reads a pending notification as a completed payment. A provider
	// that never announces a pending payment answers ErrUnsupported.
	Pending bool
}

// Fault is a failure the simulator injects into its API answers.
type Fault struct {
	// Count is how many requests the fault applies to; 0 means 1.
	Count int
	// Status and Body replace the answer (with ContentType, default
	// application/json); RetryAfter adds a Retry-After header.
	Status      int
	Body        string
	ContentType string
	RetryAfter  time.Duration
	// Delay holds the answer back, to exceed an attempt timeout.
	Delay time.Duration
	// Reset closes the connection without answering; ResetMidBody sends the
	// headers and part of a body first.
	Reset        bool
	ResetMidBody bool
	// AfterProcessing lets the provider act on the request (a create makes
	// its payment) before answering with the fault: an ambiguous outcome.
	AfterProcessing bool
	// Tamper, when set, makes the provider lie in the next Count answers the
	// tamper fits (see each Tamper), which are processed normally and then
	// rewritten; requests it does not fit pass untouched and do not use it
	// up. It does not combine with the fields above. A simulator whose wire
	// format cannot express the lie answers Fail with ErrUnsupported.
	Tamper Tamper
}

// Tamper names a lie a simulated provider tells in an otherwise normal
// answer, so that tests show the adapter or the plugin host checks what it
// is told instead of passing it on.
type Tamper string

// The tampers. A payment read is a verify or status lookup of one payment.
const (
	// TamperPaidZeroAmount: the next payment read answers that the payment
	// is paid, with amount 0.
	TamperPaidZeroAmount Tamper = "paid_zero_amount"
	// TamperOtherPayment: the next payment read answers about a different
	// payment: another invoice id and payment id, paid, the right amount.
	TamperOtherPayment Tamper = "other_payment"
	// TamperUnknownStatus: the next create or payment read answers a status
	// the provider never documented.
	TamperUnknownStatus Tamper = "unknown_status"
	// TamperNegativeAmount: the next payment read answers paid with a
	// negative amount.
	TamperNegativeAmount Tamper = "negative_amount"
	// TamperBadRedirect: the next create answers the redirect (payment
	// page) URL "javascript:alert(1)".
	TamperBadRedirect Tamper = "bad_redirect"
)

// Tampers lists every Tamper, for tests that try them all.
var Tampers = []Tamper{TamperPaidZeroAmount, TamperOtherPayment, TamperUnknownStatus, TamperNegativeAmount, TamperBadRedirect}
