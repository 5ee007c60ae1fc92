package wezopay

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// opWebhook names webhook parsing in errors.
const opWebhook = "webhook"

// signatureKey is SignatureHeader in the canonical form http.Header keys
// take.
var signatureKey = http.CanonicalHeaderKey(SignatureHeader)

// The documented and inferred webhook events, each with the one status it
// may carry.
var events = map[string]struct {
	typ    mfspay.EventType
	status string
}{
	"payment.completed": {mfspay.EventPaymentCompleted, "paid"},
	"payment.failed":    {mfspay.EventPaymentFailed, "failed"},
	"payment.cancelled": {mfspay.EventPaymentCancelled, "cancelled"},
	"payment.expired":   {mfspay.EventPaymentExpired, "expired"},
	"payment.pending":   {mfspay.EventPaymentPending, "pending"},
}

// ParseNotification authenticates a WezoPay webhook and only then reads it.
//
// Authentication is X-WezoPay-Signature: the lowercase hex HMAC-SHA256 of
// the raw body under the webhook secret, exactly PHP's
// hash_hmac('sha256', $payload, $secret). Every configured secret is tried
// in constant time; a missing, garbled or wrong signature, or no secret
// configured, is ErrInvalidSignature. A body that is authentic but not the
// documented JSON is ErrInvalidRequest naming the field.
//
// The event and its status must agree (payment.completed with "paid",
// payment.failed with "failed", and so on). Anything else, an unknown event
// or an unknown or contradicting status, is reported as a payment.pending
// event whose payment has StatusUnknown: it is never a completed payment,
// and the receiver should verify the payment to learn its real state.
//
// Event.ID is "wezopay:{token}:{event}" (with ":{status}" appended for an
// event that does not agree with its status), the same for every
// re-delivery, so duplicates can be dropped. No timestamp is signed:
// replays are stopped only by de-duplication and by verifying the payment.
func (g *gateway) ParseNotification(_ context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	if err := g.authenticate(req); err != nil {
		return nil, err
	}
	var buf [16]member // a notification's members, without an allocation
	f, ok := decodeFieldsInto(req.Body, buf[:0])
	if !ok {
		return nil, kit.Invalid(ProviderName, opWebhook, "body", "is not a JSON object")
	}
	ev, err := parseEvent(f)
	if err != nil {
		var bf *badField
		if errors.As(err, &bf) {
			return nil, kit.Invalid(ProviderName, opWebhook, bf.name, bf.problem)
		}
		return nil, kit.Invalid(ProviderName, opWebhook, "body", "cannot be read")
	}
	return ev, nil
}

func (g *gateway) authenticate(req mfspay.WebhookRequest) error {
	fail := func(msg string) error {
		return &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Provider: ProviderName, Op: opWebhook, Message: msg}
	}
	if len(g.secrets) == 0 {
		return fail("no webhook secret is configured")
	}
	var sig string
	if v := req.Header[signatureKey]; len(v) > 0 { // as Header.Get, without canonicalising per call
		sig = strings.TrimSpace(v[0])
	}
	if sig == "" {
		return fail("the " + SignatureHeader + " header is missing")
	}
	if !g.verifier.Verify(req.Body, sig) {
		return fail("the signature does not match the body")
	}
	return nil
}

func parseEvent(f fields) (*mfspay.Event, error) {
	event, err := f.reqString("event")
	if err != nil {
		return nil, err
	}
	token, err := f.reqString("token")
	if err != nil {
		return nil, err
	}
	if (mfspay.PaymentRef{PaymentID: token}).Validate() != nil {
		return nil, &badField{"token", "is not a payment token"}
	}
	p := mfspay.Payment{Provider: ProviderName, PaymentID: token}
	if p.InvoiceID, err = f.reqString("invoice_id"); err != nil {
		return nil, err
	}
	rawStatus, err := f.reqString("status")
	if err != nil {
		return nil, err
	}
	if p.Amount, err = f.amount("amount"); err != nil {
		return nil, err
	}
	if p.TrxID, err = f.optString("trx_id"); err != nil {
		return nil, err
	}
	if p.PaidAt, err = f.optTime("paid_at"); err != nil {
		return nil, err
	}
	method, err := f.optString("method")
	if err != nil {
		return nil, err
	}
	p.Method = kit.ParseMethod(method)
	if p.Sender, err = f.optString("sender"); err != nil {
		return nil, err
	}

	ev := &mfspay.Event{Provider: ProviderName, ID: "wezopay:" + token + ":" + event}
	if known, ok := events[event]; ok && known.status == rawStatus {
		ev.Type, p.Status = known.typ, MapStatus(rawStatus)
	} else {
		// Unknown or contradicting: say nothing happened that can be acted on.
		ev.Type, p.Status = mfspay.EventPaymentPending, mfspay.StatusUnknown
		ev.ID += ":" + rawStatus
	}
	ev.Payment = p
	return ev, nil
}
