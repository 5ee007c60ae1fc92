package eazzpay

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

const opWebhook = "webhook"

// ParseNotification authenticates a notification by its eazzpay-client-secret
// header and only then parses the body, which is either an IPN (a payment's
// status) or a webhook-listener notification (money received in a wallet).
func (g *gateway) ParseNotification(_ context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	if !g.authentic(req) {
		return nil, &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Provider: ProviderName, Op: opWebhook,
			Message: "the " + SecretHeader + " header is missing or matches no configured secret"}
	}
	fields, err := decodeObject(req.Body)
	if err != nil {
		return nil, err
	}
	switch {
	case has(fields, "payment_id"):
		return parseIPN(fields, req.Query)
	case has(fields, "transaction_id"):
		return parseListener(fields)
	}
	return nil, invalidWebhook("", "the body is neither an IPN (payment_id) nor a webhook-listener notification (transaction_id)")
}

// authentic checks the shared-secret header in constant time against every
// accepted secret. A missing or repeated header fails closed.
func (g *gateway) authentic(req mfspay.WebhookRequest) bool {
	values := headerValues(req.Header, SecretHeader)
	if len(values) != 1 {
		return false
	}
	return kit.CheckSharedSecret(values[0], g.secrets)
}

// headerValues collects name's values under any spelling of the key: a
// header map rebuilt by hand or carried across a process boundary may not
// use Go's canonical form.
func headerValues(h http.Header, name string) []string {
	var out []string
	for k, v := range h {
		if strings.EqualFold(k, name) {
			out = append(out, v...)
		}
	}
	return out
}

// decodeObject reads the body as one JSON object, keeping every value raw so
// that numbers are parsed exactly later.
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return nil, invalidWebhook("", "the body is not a JSON object")
	}
	if dec.More() {
		return nil, invalidWebhook("", "the body has data after the JSON object")
	}
	return fields, nil
}

func has(fields map[string]json.RawMessage, name string) bool {
	_, ok := fields[name]
	return ok
}

// invalidWebhook is an authenticated notification that breaks the
// documented field rules.
func invalidWebhook(field, message string) *mfspay.Error {
	return kit.Invalid(ProviderName, opWebhook, field, message)
}
