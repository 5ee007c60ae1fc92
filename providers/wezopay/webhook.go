package wezopay

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// signatureKey is SignatureHeader as http.Header keys are spelled.
var signatureKey = http.CanonicalHeaderKey(SignatureHeader)

// events are the documented and inferred webhook events, each with the
// one status it may carry.
var events = map[string]struct {
	typ    mfspay.EventType
	status string
}{
	"payment.completed": {mfspay.EventPaymentCompleted, "paid"}, "payment.failed": {mfspay.EventPaymentFailed, "failed"},
	"payment.cancelled": {mfspay.EventPaymentCancelled, "cancelled"}, "payment.expired": {mfspay.EventPaymentExpired, "expired"},
	"payment.pending": {mfspay.EventPaymentPending, "pending"},
}

// ParseNotification authenticates a webhook on its raw bytes, trying every
// secret in constant time, and only then reads it. An event and a status
// that do not agree, or either unknown, make a payment.pending event with
// StatusUnknown: never a completed payment.
func (d *driver) ParseNotification(_ context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	if err := d.authenticate(req); err != nil {
		return nil, err
	}
	var n payment
	var p mfspay.Payment
	err := decode(req.Body, &n)
	if err == nil && n.Event == "" {
		err = &badField{"event", "is missing"}
	}
	if err == nil {
		p, err = n.toPayment()
	}
	if bf := (*badField)(nil); errors.As(err, &bf) { // authentic, but not the documented JSON
		return nil, kit.Invalid(ProviderName, "webhook", bf.name, bf.problem)
	}
	ev := &mfspay.Event{ID: "wezopay:" + p.PaymentID + ":" + n.Event}
	if known, ok := events[n.Event]; ok && known.status == n.Status {
		ev.Type = known.typ
	} else {
		// Unknown or contradicting: say nothing happened that can be acted on.
		ev.Type, p.Status = mfspay.EventPaymentPending, mfspay.StatusUnknown
		ev.ID += ":" + n.Status
	}
	ev.Payment = p
	return ev, nil
}

// authenticate checks the signature header against every secret.
func (d *driver) authenticate(req mfspay.WebhookRequest) error {
	var sig string
	if v := req.Header[signatureKey]; len(v) > 0 { // as Header.Get, without canonicalising per call
		sig = strings.TrimSpace(v[0])
	}
	var msg string
	switch {
	case d.noSecret:
		msg = "no webhook secret is configured"
	case sig == "":
		msg = "the " + SignatureHeader + " header is missing"
	case !d.verifier.Verify(req.Body, sig):
		msg = "the signature does not match the body"
	default:
		return nil
	}
	return &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Provider: ProviderName, Op: "webhook", Message: msg}
}
