// Package scriptpay is a provider driver whose answers are scripted by the
// request: the invoice id, payment id or notification body names what it
// answers, including answers that break the contract. The plugins tests run
// one table through it in process, as an in-memory plugin and as a
// subprocess plugin, and require the same result every way.
package scriptpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/mfspay/mfspay"
)

// Name is the provider name.
const Name = "scriptpay"

// The scripts, named by an invoice id, a payment id or a notification body.
// Any other id is answered honestly.
const (
	// Unavailable fails with ErrUnavailable, as a provider in an outage.
	Unavailable = "SCRIPT-UNAVAILABLE"
	// OtherPayment answers about another invoice and payment id.
	OtherPayment = "SCRIPT-OTHER-PAYMENT"
	// PaidZero answers paid with amount 0.
	PaidZero = "SCRIPT-PAID-ZERO"
	// NegativeAmount answers paid with −50.00.
	NegativeAmount = "SCRIPT-NEGATIVE"
	// UnknownStatus answers a status outside the vocabulary.
	UnknownStatus = "SCRIPT-UNKNOWN-STATUS"
	// BadRedirect answers a create with a javascript: URL.
	BadRedirect = "SCRIPT-BAD-REDIRECT"
	// NoAnswer answers nothing and no error.
	NoAnswer = "SCRIPT-NO-ANSWER"
	// BadInvoiceID answers an invoice id with a NUL byte.
	BadInvoiceID = "SCRIPT-BAD-INVOICE-ID"
	// PendingAsCompleted parses a notification into payment.completed
	// whose payment is still pending.
	PendingAsCompleted = "SCRIPT-PENDING-AS-COMPLETED"
	// UndeclaredEvent parses a notification into an event type the driver
	// does not declare.
	UndeclaredEvent = "SCRIPT-UNDECLARED-EVENT"
	// UndecodableAnswer fails a create with the error json.Unmarshal gives
	// for an answer whose amount has three decimals, as is: an error that
	// wraps ErrInvalidRequest but is no *mfspay.Error. The provider may
	// well have created the payment.
	UndecodableAnswer = "SCRIPT-UNDECODABLE-ANSWER"
	// BareSentinel fails a verify with a wrapped ErrNotFound, and a
	// notification with a bare ErrInvalidSignature, as third-party drivers
	// write them: sentinels, not *mfspay.Error values.
	BareSentinel = "SCRIPT-BARE-SENTINEL"
	// UnknownKind fails with an *mfspay.Error whose kind is none of the
	// vocabulary's (a newer driver's, say).
	UnknownKind = "SCRIPT-UNKNOWN-KIND"
	// Panic panics in create, verify and notification parsing, with a
	// value holding the request's data.
	Panic = "SCRIPT-PANIC"
)

// errFromTheFuture is a kind no mfspay version knows.
var errFromTheFuture = errors.New("accepted, answer lost")

// SettingCreateOnly, set to "true", makes the driver declare create and
// nothing else.
const SettingCreateOnly = "create_only"

// Driver is the scripted driver.
type Driver struct {
	// CreateOnly declares create and nothing else.
	CreateOnly bool
}

// FromSettings returns a Driver configured by SettingCreateOnly. It is what
// the test plugin serves.
func FromSettings(s map[string]string, _ mfspay.Resilience) (mfspay.Driver, error) {
	return Driver{CreateOnly: s[SettingCreateOnly] == "true"}, nil
}

// Provider returns Name.
func (Driver) Provider() string { return Name }

// Capabilities declares every operation, and notifications of completed
// and pending payments, unless CreateOnly.
func (d Driver) Capabilities() mfspay.Capabilities {
	if d.CreateOnly {
		return mfspay.Capabilities{}
	}
	return mfspay.Capabilities{
		VerifyByInvoice: true, VerifyByPaymentID: true, List: true, ListByStatus: true, MaxPerPage: 10,
		Webhook:    mfspay.WebhookHMACSHA256,
		EventTypes: []mfspay.EventType{mfspay.EventPaymentCompleted, mfspay.EventPaymentPending},
	}
}

// Create answers a checkout, or what the invoice id scripts.
func (Driver) Create(_ context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	co := &mfspay.Checkout{PaymentID: "pay_" + req.InvoiceID, InvoiceID: req.InvoiceID,
		RedirectURL: "https://scriptpay.example/p/" + req.InvoiceID, Status: mfspay.StatusPending}
	switch req.InvoiceID {
	case Unavailable:
		return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, HTTPStatus: 503, Message: "scripted outage"}
	case OtherPayment:
		co.InvoiceID = "SOMEONE-ELSE"
	case BadRedirect:
		co.RedirectURL = "javascript:alert(1)"
	case UnknownStatus:
		co.Status = "settled"
	case NoAnswer:
		return nil, nil
	case UndecodableAnswer:
		var answer struct{ Amount mfspay.Amount }
		return nil, json.Unmarshal([]byte(`{"Amount":"250.505"}`), &answer)
	case UnknownKind:
		return nil, &mfspay.Error{Kind: errFromTheFuture, Message: "scripted"}
	case Panic:
		panic("scripted panic for " + req.Customer.Phone)
	}
	return co, nil
}

// Verify answers a pending payment of 250.00, or what the reference
// scripts.
func (Driver) Verify(_ context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	id := ref.InvoiceID + ref.PaymentID
	p := &mfspay.Payment{PaymentID: ref.PaymentID, InvoiceID: ref.InvoiceID, Status: mfspay.StatusPending,
		Amount: mfspay.Taka(250)}
	switch id {
	case Unavailable:
		return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, HTTPStatus: 503, Message: "scripted outage"}
	case OtherPayment:
		p.InvoiceID, p.PaymentID, p.Status = "INV-OTHER", "pay_other", mfspay.StatusPaid
	case PaidZero:
		p.Status, p.Amount = mfspay.StatusPaid, 0
	case NegativeAmount:
		p.Status, p.Amount = mfspay.StatusPaid, -mfspay.Taka(50)
	case UnknownStatus:
		p.Status = "settled"
	case BadInvoiceID:
		p.InvoiceID = "INV\x00-1"
		if ref.InvoiceID != "" {
			p.PaymentID = "pay_1" // keep the invoice id the only fault
		}
	case NoAnswer:
		return nil, nil
	case BareSentinel:
		return nil, fmt.Errorf("scriptpay: %w", mfspay.ErrNotFound)
	case UnknownKind:
		return nil, &mfspay.Error{Kind: errFromTheFuture, Message: "scripted"}
	case Panic:
		var payments []*mfspay.Payment
		return payments[len(id)], nil // a runtime error, the commonest panic
	}
	return p, nil
}

// List answers one page holding what the status filter scripts: paid
// payments of amount 0 when asked for paid ones.
func (Driver) List(_ context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	page := &mfspay.PaymentPage{Page: q.Page, PerPage: q.PerPage}
	if q.Status == mfspay.StatusPaid {
		page.Payments = []mfspay.Payment{{PaymentID: "pay_1", Status: mfspay.StatusPaid}}
		page.Total = 1
	}
	return page, nil
}

// ParseNotification reads the body as a script name; a body that names no
// script is refused as unauthenticated.
func (Driver) ParseNotification(_ context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	script := strings.TrimSpace(string(req.Body))
	ev := &mfspay.Event{ID: "scriptpay:" + script, Type: mfspay.EventPaymentCompleted,
		Payment: mfspay.Payment{PaymentID: "pay_1", InvoiceID: "INV-1", Status: mfspay.StatusPaid, Amount: mfspay.Taka(250)}}
	switch script {
	case "honest":
	case PaidZero:
		ev.Payment.Amount = 0
	case BadInvoiceID:
		ev.Payment.InvoiceID = "INV\x00-1"
	case PendingAsCompleted:
		ev.Payment.Status = mfspay.StatusPending
	case UndeclaredEvent:
		ev.Type, ev.Payment.Status = mfspay.EventPaymentExpired, mfspay.StatusExpired
	case NoAnswer:
		return nil, nil
	case BareSentinel:
		return nil, mfspay.ErrInvalidSignature
	case Panic:
		panic("scripted panic for " + string(req.Body))
	default:
		return nil, &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Message: "not a script"}
	}
	return ev, nil
}
