package wezopay_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/internal/drivertest"
	"github.com/mfspay/mfspay/providers/wezopay"
)

// Credentials of the fuzzed merchant: an API key, the current webhook
// secret and one being rotated out. None may ever show in an error.
const (
	fzAPIKey    = "wpk_fuzz_3c1d9e7f0a2b"
	fzSecret    = "whsec_fuzz_current_8e21"
	fzOldSecret = "whsec_fuzz_previous_4b07"
	fzWrong     = "whsec_fuzz_attacker_guess"
)

// fzKeyPlaceholder in a fuzzed provider answer becomes the real API key, so
// that the fuzzer can try to smuggle it into an error.
const fzKeyPlaceholder = "{{KEY}}"

// How a fuzzed webhook carries its signature.
const (
	sigCurrent   = iota // lowercase hex under the current secret
	sigPrevious         // under the secret being rotated out
	sigFuzzed           // whatever the fuzzer wrote
	sigAbsent           // no header
	sigWrongKey         // a well-formed signature under a secret nobody configured
	sigUpperPad         // the current signature in uppercase, padded with spaces
	sigFuzzFirst        // the fuzzed value, then the real one: only the first counts
	sigOtherBody        // the current secret, over the body without its last byte
	sigModes
)

// FuzzParseWebhook drives ParseWebhook with arbitrary bodies and
// signatures. It must never panic; a request without a valid signature is
// always ErrInvalidSignature; an authentic one either parses or is
// ErrInvalidRequest; a parsed event is completed (paid) only when the body
// says both payment.completed and "paid"; and parsing is deterministic and
// independent of which accepted secret signed it.
func FuzzParseWebhook(f *testing.F) {
	for _, body := range []string{
		`{"event":"payment.completed","token":"pay_abc123xyz","invoice_id":"INV-001","status":"paid","amount":250.00,"trx_id":"8N2K3TEST12","paid_at":"2026-06-08T11:45:00Z"}`,
		`{"event":"payment.failed","token":"pay_abc123xyz","invoice_id":"INV-001","status":"failed","amount":"250.5","trx_id":null,"paid_at":null}`,
		`{"event":"payment.completed","token":"pay_1","invoice_id":"INV-9","status":"pending","amount":79.10}`,
		`{"event":"payment.completed","token":"pay_1","invoice_id":"INV-9","status":"pa\u0069d","amount":1,"method":"Nagad","sender":"017"}`,
		`{"event":"payment.completed","status":"failed","event":"payment.failed","token":"pay_1","invoice_id":"I","status":"paid","amount":1}`,
		`{"event":"payment.expired","token":"pay_x","invoice_id":"INV-2","status":"expired","amount":1e2}`,
		`{"event":"payment.cancelled","token":"pay_x","invoice_id":"INV-2","status":"cancelled","amount":-1}`,
		`{"event":"payment.completed","token":"pay x","invoice_id":"I","status":"paid","amount":1}`,
		`[1,2]`, `null`, ``, `{"event":1}`, `{"amount":0.001}`,
	} {
		for mode := range uint8(sigModes) {
			f.Add([]byte(body), "", mode)
		}
		f.Add([]byte(body), strings.Repeat("a", 64), uint8(sigFuzzed))
	}
	f.Add([]byte(`{}`), "233189e0375bc4ff31fba00b845dccdc0e850b6cb5d232cdfd6bd81a358d080f", uint8(sigFuzzed))

	gw, err := wezopay.New(wezopay.Config{
		BaseURL:        "http://127.0.0.1:9/api/v1", // webhooks need no traffic
		APIKey:         fzAPIKey,
		WebhookSecrets: []string{fzSecret, fzOldSecret},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, sig string, mode uint8) {
		req := fzSignedRequest(body, sig, mode%sigModes)
		authentic := fzAuthentic(body, req.Header.Get(wezopay.SignatureHeader))

		ev := drivertest.ParseWebhook(t, gw, req, authentic, fzAPIKey, fzSecret, fzOldSecret)
		if ev == nil {
			return
		}
		fzCheckEvent(t, gw, body, ev)

		// The same body signed with the other accepted secret is the same
		// event: re-deliveries during a rotation de-duplicate.
		other := fzSignedRequest(body, "", sigPrevious)
		if ev3, err := gw.ParseWebhook(context.Background(), other); err != nil || !reflect.DeepEqual(ev, ev3) {
			t.Fatalf("the other secret's signature gave %+v, %v; want %+v", ev3, err, ev)
		}
	})
}

// fzSignedRequest builds the webhook request the mode describes.
func fzSignedRequest(body []byte, sig string, mode uint8) mfspay.WebhookRequest {
	h := http.Header{"Content-Type": {"application/json"}}
	switch mode {
	case sigCurrent:
		h.Set(wezopay.SignatureHeader, fzSign(body, fzSecret))
	case sigPrevious:
		h.Set(wezopay.SignatureHeader, fzSign(body, fzOldSecret))
	case sigFuzzed:
		h.Set(wezopay.SignatureHeader, sig)
	case sigWrongKey:
		h.Set(wezopay.SignatureHeader, fzSign(body, fzWrong))
	case sigUpperPad:
		h.Set(wezopay.SignatureHeader, " "+strings.ToUpper(fzSign(body, fzSecret))+"\t")
	case sigFuzzFirst:
		h.Add(wezopay.SignatureHeader, sig)
		h.Add(wezopay.SignatureHeader, fzSign(body, fzSecret))
	case sigOtherBody:
		if len(body) > 0 {
			h.Set(wezopay.SignatureHeader, fzSign(body[:len(body)-1], fzSecret))
		}
	}
	return mfspay.WebhookRequest{Header: h, Body: body}
}

func fzSign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// fzAuthentic is the oracle, written apart from the adapter: the first
// signature header, surrounding spaces trimmed, is the hex (either case)
// HMAC-SHA256 of the exact body under an accepted secret.
func fzAuthentic(body []byte, header string) bool {
	got, err := hex.DecodeString(strings.TrimSpace(header))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	for _, s := range []string{fzSecret, fzOldSecret} {
		m := hmac.New(sha256.New, []byte(s))
		m.Write(body)
		if hmac.Equal(got, m.Sum(nil)) {
			return true
		}
	}
	return false
}

// fzEventTypes maps each documented event to the only status it may carry.
var fzEventTypes = map[string]struct {
	typ    mfspay.EventType
	status mfspay.Status
	raw    string
}{
	"payment.completed": {mfspay.EventPaymentCompleted, mfspay.StatusPaid, "paid"},
	"payment.failed":    {mfspay.EventPaymentFailed, mfspay.StatusFailed, "failed"},
	"payment.cancelled": {mfspay.EventPaymentCancelled, mfspay.StatusCancelled, "cancelled"},
	"payment.expired":   {mfspay.EventPaymentExpired, mfspay.StatusExpired, "expired"},
	"payment.pending":   {mfspay.EventPaymentPending, mfspay.StatusPending, "pending"},
}

// fzCheckEvent compares a parsed event with what the body says, read by
// the oracle on its own.
func fzCheckEvent(t *testing.T, gw mfspay.Gateway, body []byte, ev *mfspay.Event) {
	t.Helper()
	obj, ok := fzRead(body)
	if !ok {
		t.Fatalf("a body that is not a JSON object parsed: %q", body)
	}
	if ev.Provider != wezopay.ProviderName || ev.Payment.Provider != wezopay.ProviderName ||
		!gw.Capabilities().Supports(ev.Type) || !ev.Payment.Status.Valid() {
		t.Fatalf("malformed event %+v", ev)
	}
	if obj.Token == "" || ev.Payment.PaymentID != obj.Token || !strings.HasPrefix(ev.ID, "wezopay:"+obj.Token+":") {
		t.Fatalf("event %+v does not carry the body's token %q", ev, obj.Token)
	}
	if ev.Payment.InvoiceID == "" || ev.Payment.InvoiceID != obj.InvoiceID {
		t.Fatalf("event invoice %q, body says %q", ev.Payment.InvoiceID, obj.InvoiceID)
	}
	want, known := fzEventTypes[obj.Event]
	agree := known && want.raw == obj.Status
	paid := ev.Type == mfspay.EventPaymentCompleted || ev.Payment.Status == mfspay.StatusPaid
	if paid && !(obj.Event == "payment.completed" && obj.Status == "paid") {
		t.Fatalf("event %q with status %q became %s/%s", obj.Event, obj.Status, ev.Type, ev.Payment.Status)
	}
	switch {
	case agree && (ev.Type != want.typ || ev.Payment.Status != want.status):
		t.Fatalf("event %q/%q became %s/%s", obj.Event, obj.Status, ev.Type, ev.Payment.Status)
	case !agree && (ev.Type != mfspay.EventPaymentPending || ev.Payment.Status != mfspay.StatusUnknown):
		t.Fatalf("unknown or contradicting %q/%q became %s/%s, not pending/unknown", obj.Event, obj.Status, ev.Type, ev.Payment.Status)
	}
	if amount, ok := drivertest.Amount(obj.Amount); !ok || amount != ev.Payment.Amount {
		t.Fatalf("event amount %v, body says %s", ev.Payment.Amount, obj.Amount)
	}
}

// fzMembers is what the oracles read of a WezoPay object.
type fzMembers struct {
	Event, Token, InvoiceID, Status, PaymentURL string
	Amount                                      json.RawMessage // for drivertest.Amount
}

// fzRead reads raw as one JSON object, by exact member names as the driver
// reads it (it refuses a member given twice, so which of two wins does not
// matter where it succeeds); a member of another type reads as absent.
func fzRead(raw []byte) (fzMembers, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		return fzMembers{}, false
	}
	str := func(name string) (s string) {
		_ = json.Unmarshal(obj[name], &s)
		return s
	}
	return fzMembers{Event: str("event"), Token: str("token"), InvoiceID: str("invoice_id"), Status: str("status"),
		PaymentURL: str("payment_url"), Amount: obj["amount"]}, true
}

// fzCheckError asserts the shape every error must have, secrets included.
func fzCheckError(t *testing.T, err error, op string) {
	drivertest.Error(t, err, wezopay.ProviderName, op, fzAPIKey, fzSecret, fzOldSecret)
}
