package nodipay

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// opWebhook names webhook parsing in errors.
const opWebhook = "webhook"

// maxSignatures bounds the v1 values one header may carry.
const maxSignatures = 8

// events maps the statuses NodiPay announces to their event types.
var events = map[string]mfspay.EventType{
	"succeeded": mfspay.EventPaymentCompleted,
	"declined":  mfspay.EventPaymentFailed,
	"abandoned": mfspay.EventPaymentCancelled,
	"lapsed":    mfspay.EventPaymentExpired,
}

// wireEvent is a webhook body.
type wireEvent struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payment json.RawMessage `json:"payment"`
}

// ParseNotification authenticates a NodiPay webhook and only then reads it.
//
// The Nodi-Signature header must hold one t (Unix seconds) and at least one
// v1, the hex HMAC-SHA256 of t + "." + raw body under a configured secret;
// every secret is tried for every v1 in constant time, and t must be within
// the tolerance (five minutes by default) of the gateway's clock, so a
// captured delivery cannot be replayed later. A missing, garbled, wrong or
// stale signature, or no secret configured, is ErrInvalidSignature, and
// nothing of the header's values or the secrets is quoted in it.
//
// An authentic body that is not the documented JSON, or whose type is not
// "payment." + one of succeeded, declined, abandoned or lapsed matching the
// payment's status, is ErrInvalidRequest naming the field: NodiPay announces
// only final statuses. Event.ID is "nodipay:" + the event id, the same for
// every re-delivery.
func (g *gateway) ParseNotification(_ context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	if err := g.authenticate(req); err != nil {
		return nil, err
	}
	var w wireEvent
	if err := json.Unmarshal(req.Body, &w); err != nil {
		return nil, kit.Invalid(ProviderName, opWebhook, "body", "is not a JSON object")
	}
	if w.ID == "" || len(w.ID) > 128 || strings.ContainsFunc(w.ID, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return nil, kit.Invalid(ProviderName, opWebhook, "id", "is not an event id")
	}
	if len(w.Payment) == 0 || string(w.Payment) == "null" {
		return nil, kit.Invalid(ProviderName, opWebhook, "payment", "is missing")
	}
	p, wp, err := decodePayment(w.Payment)
	if err != nil {
		if bf, ok := err.(*badField); ok {
			return nil, kit.Invalid(ProviderName, opWebhook, "payment."+bf.name, bf.problem)
		}
		return nil, kit.Invalid(ProviderName, opWebhook, "payment", "cannot be read")
	}
	typ, known := events[wp.Status]
	if !known {
		return nil, kit.Invalid(ProviderName, opWebhook, "payment.status", "is not a status NodiPay announces")
	}
	if w.Type != "payment."+wp.Status {
		return nil, kit.Invalid(ProviderName, opWebhook, "type", "does not match payment.status")
	}
	return &mfspay.Event{ID: ProviderName + ":" + w.ID, Provider: ProviderName, Type: typ, Payment: p}, nil
}

// authenticate checks the Nodi-Signature header against the raw body.
func (g *gateway) authenticate(req mfspay.WebhookRequest) error {
	fail := func(msg string) error {
		return &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Provider: ProviderName, Op: opWebhook, Message: msg}
	}
	if len(g.secrets) == 0 {
		return fail("no webhook secret is configured")
	}
	headers := req.Header.Values(SignatureHeader)
	switch len(headers) {
	case 0:
		return fail("the " + SignatureHeader + " header is missing")
	case 1:
	default:
		return fail("more than one " + SignatureHeader + " header")
	}
	ts, sigs, ok := parseSignatureHeader(headers[0])
	if !ok {
		return fail("the " + SignatureHeader + " header is malformed")
	}
	signed := make([]byte, 0, len(ts)+1+len(req.Body))
	signed = append(append(append(signed, ts...), '.'), req.Body...)
	match := false
	for _, sig := range sigs {
		// Not short-circuited: every signature costs the same.
		match = kit.VerifyHMACSHA256(signed, strings.ToLower(sig), g.secrets) || match
	}
	if !match {
		return fail("the signature does not match the body")
	}
	// The time is trusted only once the MAC proves NodiPay wrote it.
	secs, _ := strconv.ParseInt(ts, 10, 64)
	if age := g.now().Sub(time.Unix(secs, 0)); age > g.tolerance || age < -g.tolerance {
		return fail("the signature's timestamp is outside the " + g.tolerance.String() + " tolerance")
	}
	return nil
}

// parseSignatureHeader reads "t=<unix seconds>,v1=<hex>[,v1=<hex>…]".
// Unknown keys are ignored, so that NodiPay can add schemes; t must appear
// exactly once.
func parseSignatureHeader(h string) (ts string, sigs []string, ok bool) {
	for _, part := range strings.Split(h, ",") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			return "", nil, false
		}
		switch k {
		case "t":
			if ts != "" || v == "" || len(v) > 12 || strings.Trim(v, "0123456789") != "" {
				return "", nil, false
			}
			ts = v
		case "v1":
			if len(sigs) == maxSignatures {
				return "", nil, false
			}
			sigs = append(sigs, v)
		}
	}
	return ts, sigs, ts != "" && len(sigs) > 0
}
