package uddoktapay

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// opWebhook names notification parsing in errors.
const opWebhook = "webhook"

// ParseNotification reads an IPN. It authenticates first: the
// RT-UDDOKTAPAY-API-KEY header must hold exactly one value, equal (in
// constant time) to one of the configured keys; missing, repeated or wrong
// is ErrInvalidSignature, before anything else happens.
//
// The key proves only who sent the IPN, not what it says, and anyone who
// ever held the key can send one. So nothing in the body is believed: the
// adapter asks verify-payment about the body's invoice_id and builds the
// event from that answer. An IPN claiming COMPLETED for a payment
// UddoktaPay reports PENDING becomes a pending event.
//
// Event.ID is "{invoice_id}:{status}" of the verified status ("…:paid"),
// the same for every IPN and every return that finds the payment in one
// state, so that they de-duplicate against each other.
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
	if !ok || id == "" || (mfspay.PaymentRef{PaymentID: id}).Validate() != nil {
		return nil, kit.Invalid(ProviderName, opWebhook, "invoice_id", "is missing or not an invoice id")
	}
	if status, ok := text(fields["status"], false); !ok || status == "" {
		return nil, kit.Invalid(ProviderName, opWebhook, "status", "is missing or not a string")
	}
	return g.event(ctx, opWebhook, id)
}

// authentic checks the key header against every accepted key. The header
// is looked up under any spelling, since a header map rebuilt by hand or
// carried across a process boundary may not be in Go's canonical form.
func (g *gateway) authentic(h http.Header) bool {
	var values []string
	for k, v := range h {
		if strings.EqualFold(k, KeyHeader) {
			values = append(values, v...)
		}
	}
	return len(values) == 1 && kit.CheckSharedSecret(values[0], g.keys)
}

// CompleteReturn handles the customer's browser coming back to the
// redirect_url with UddoktaPay's invoice_id (in the query for a GET, the
// form for a POST, which also falls back to the query). The return is
// unauthenticated, so only the id is taken from it: the payment is
// verified and reported as an event built from verify's answer, with the
// same ID as the IPN for the same state. A return without exactly one
// usable invoice_id, or naming a payment UddoktaPay does not know, is
// ErrInvalidRequest; so is a payment whose metadata names no merchant
// invoice. A cancel never comes here: UddoktaPay sends it to cancel_url
// with nothing to verify.
func (g *gateway) CompleteReturn(ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error) {
	var values []string
	switch req.Method {
	case http.MethodGet, "":
		values = req.Query["invoice_id"]
	case http.MethodPost:
		values = append(append([]string(nil), req.Form["invoice_id"]...), req.Query["invoice_id"]...)
	default:
		return nil, kit.Invalid(ProviderName, mfspay.OpReturn, "method", "must be GET or POST")
	}
	if len(values) == 0 || values[0] == "" || (mfspay.PaymentRef{PaymentID: values[0]}).Validate() != nil {
		return nil, kit.Invalid(ProviderName, mfspay.OpReturn, "invoice_id", "is missing or not an invoice id")
	}
	for _, v := range values[1:] {
		if v != values[0] {
			return nil, kit.Invalid(ProviderName, mfspay.OpReturn, "invoice_id", "is given twice with different values")
		}
	}
	ev, err := g.event(ctx, mfspay.OpReturn, values[0])
	if errors.Is(err, mfspay.ErrNotFound) {
		return nil, kit.Invalid(ProviderName, mfspay.OpReturn, "invoice_id", "names no payment UddoktaPay knows")
	}
	return ev, err
}

// event verifies the payment and reports it as the event its status
// announces. A status the adapter cannot map is a pending event whose
// payment is StatusUnknown: it announces nothing that can be acted on.
func (g *gateway) event(ctx context.Context, op, invoiceID string) (*mfspay.Event, error) {
	p, err := g.verify(ctx, op, invoiceID)
	if err != nil {
		return nil, err
	}
	if p.InvoiceID == "" {
		return nil, kit.Invalid(ProviderName, op, "metadata."+invoiceKey,
			"the verified payment names no merchant invoice id, so it cannot be tied to an order")
	}
	typ, ok := mfspay.EventTypeFor(p.Status)
	if !ok {
		typ = mfspay.EventPaymentPending
	}
	return &mfspay.Event{ID: p.PaymentID + ":" + string(p.Status), Provider: ProviderName, Type: typ, Payment: *p}, nil
}
