package uddoktapay

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// opWebhook names notification parsing in errors.
const opWebhook = "webhook"

// ParseNotification reads an IPN. First the RT-UDDOKTAPAY-API-KEY header
// must hold exactly one value, equal in constant time to a configured key,
// or it is ErrInvalidSignature. Then only the body's invoice_id is used:
// the event is built from verify-payment's answer, so an IPN claiming
// COMPLETED for a payment UddoktaPay reports PENDING is a pending event.
//
// Event.ID is "{invoice_id}:{verified status}" ("…:paid"), the same for
// every IPN and return that find the payment in one state, so that they
// de-duplicate against each other.
func (g *gateway) ParseNotification(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	if !g.authentic(req.Header) {
		return nil, &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Provider: ProviderName, Op: opWebhook,
			Message: "the " + KeyHeader + " header is missing or matches no configured API key"}
	}
	fields, ok := decodeObject(req.Body)
	if !ok {
		return nil, kit.Invalid(ProviderName, opWebhook, "body", "is not a JSON object")
	}
	id, ok := text(fields["invoice_id"], false)
	if !ok || (mfspay.PaymentRef{PaymentID: id}).Validate() != nil {
		return nil, kit.Invalid(ProviderName, opWebhook, "invoice_id", "is missing or not an invoice id")
	}
	if status, ok := text(fields["status"], false); !ok || status == "" {
		return nil, kit.Invalid(ProviderName, opWebhook, "status", "is missing or not a string")
	}
	return g.event(ctx, opWebhook, id)
}

// authentic checks the key header against every accepted key, under any
// spelling of its name: a header map rebuilt by hand or carried across a
// process boundary may not be in Go's canonical form.
func (g *gateway) authentic(h http.Header) bool {
	var values []string
	for k, v := range h {
		if strings.EqualFold(k, KeyHeader) {
			values = append(values, v...)
		}
	}
	return len(values) == 1 && kit.CheckSharedSecret(values[0], g.keys)
}

// CompleteReturn takes UddoktaPay's invoice_id from the customer's return
// to redirect_url (the query of a GET; the form of a POST, or its query),
// verifies it and reports the event as ParseNotification does. A return
// without exactly one usable invoice_id, naming a payment UddoktaPay does
// not know, or whose payment names no merchant invoice, is
// ErrInvalidRequest. A cancel never comes here: it goes to cancel_url with
// nothing to verify. A return naming the payment itself (ReturnRequest.
// PaymentID, a reconciler's) is verified the same way.
func (g *gateway) CompleteReturn(ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error) {
	var values []string
	switch {
	case req.PaymentID != "":
		values = []string{req.PaymentID}
	case req.Method == http.MethodGet, req.Method == "":
		values = req.Query["invoice_id"]
	case req.Method == http.MethodPost:
		values = append(append([]string(nil), req.Form["invoice_id"]...), req.Query["invoice_id"]...)
	default:
		return nil, kit.Invalid(ProviderName, mfspay.OpReturn, "method", "must be GET or POST")
	}
	if len(values) == 0 || slices.ContainsFunc(values, func(v string) bool { return v != values[0] }) ||
		(mfspay.PaymentRef{PaymentID: values[0]}).Validate() != nil {
		return nil, kit.Invalid(ProviderName, mfspay.OpReturn, "invoice_id", "must be one invoice id, given once or always the same")
	}
	ev, err := g.event(ctx, mfspay.OpReturn, values[0])
	if errors.Is(err, mfspay.ErrNotFound) {
		return nil, kit.Invalid(ProviderName, mfspay.OpReturn, "invoice_id", "names no payment UddoktaPay knows")
	}
	return ev, err
}

// event verifies the payment and reports it as the event its status
// announces (kit.EventFor: a status the adapter cannot map is a pending
// event, which announces nothing that can be acted on).
func (g *gateway) event(ctx context.Context, op, invoiceID string) (*mfspay.Event, error) {
	p, err := g.verify(ctx, op, invoiceID)
	if err != nil {
		return nil, err
	}
	if p.InvoiceID == "" {
		return nil, kit.Invalid(ProviderName, op, "metadata."+invoiceKey,
			"the verified payment names no merchant invoice id, so it cannot be tied to an order")
	}
	return kit.EventFor(ProviderName, p.PaymentID+":"+string(p.Status), *p), nil
}
