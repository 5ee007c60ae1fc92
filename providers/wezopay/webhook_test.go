package wezopay_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
)

// The documented payload, byte for byte, and its signatures as computed
// independently of this code base with
//
//	printf '%s' "$payload" | openssl dgst -sha256 -hmac "$secret"
//
// which is what PHP's hash_hmac('sha256', $payload, $secret) returns.
const (
	katPayload  = `{"event":"payment.completed","token":"pay_abc123xyz","invoice_id":"INV-001","status":"paid","amount":250.00,"trx_id":"8N2K3TEST12","paid_at":"2026-06-08T11:45:00Z"}`
	katSecret   = "whsec_kat_3f9a"
	katSig      = "233189e0375bc4ff31fba00b845dccdc0e850b6cb5d232cdfd6bd81a358d080f"
	katSecret2  = "whsec_rotated_77c1"
	katSig2     = "8ce95e208b14cadb16fa3aaa60b6599de91a9f4e11fb6f3cf892065e25a3d5c1"
	otherSecret = "whsec_attacker_guess"
)

func signed(body []byte, secret string) mfspay.WebhookRequest {
	return mfspay.WebhookRequest{
		Header: http.Header{"X-Wezopay-Signature": {kit.SignHMACSHA256(body, secret)}, "Content-Type": {"application/json"}},
		Body:   body,
	}
}

func withSig(body, sig string) mfspay.WebhookRequest {
	h := http.Header{}
	if sig != "" {
		h.Set("X-WezoPay-Signature", sig)
	}
	return mfspay.WebhookRequest{Header: h, Body: []byte(body)}
}

// hookGateway is a gateway accepting webhooks signed under secrets.
type hookGateway struct{ mfspay.Gateway }

func newHookGateway(t *testing.T, secrets ...string) hookGateway {
	t.Helper()
	gw, err := wezopay.New(wezopay.Config{APIKey: "wpk_unused_in_webhooks", WebhookSecrets: secrets})
	require.NoError(t, err)
	return hookGateway{gw}
}

func (g hookGateway) parse(req mfspay.WebhookRequest) (*mfspay.Event, error) {
	return g.ParseWebhook(context.Background(), req)
}

func TestWebhookKnownAnswer(t *testing.T) {
	require.Equal(t, katSig, kit.SignHMACSHA256([]byte(katPayload), katSecret), "our signer agrees with openssl")

	e := newHookGateway(t, katSecret)
	ev, err := e.parse(withSig(katPayload, katSig))
	require.NoError(t, err)
	assert.Equal(t, &mfspay.Event{
		ID:       "wezopay:pay_abc123xyz:payment.completed",
		Provider: "wezopay",
		Type:     mfspay.EventPaymentCompleted,
		Payment: mfspay.Payment{
			Provider:  "wezopay",
			PaymentID: "pay_abc123xyz",
			InvoiceID: "INV-001",
			Status:    mfspay.StatusPaid,
			Amount:    mfspay.Taka(250),
			TrxID:     "8N2K3TEST12",
			Method:    mfspay.MethodUnknown,
			PaidAt:    time.Date(2026, 6, 8, 11, 45, 0, 0, time.UTC),
		},
	}, ev)

	again, err := e.parse(withSig(katPayload, katSig))
	require.NoError(t, err)
	assert.Equal(t, ev.ID, again.ID, "a re-delivery has the same id")
}

func TestWebhookRotation(t *testing.T) {
	e := newHookGateway(t, katSecret2, katSecret)
	for _, sig := range []string{katSig, katSig2} {
		_, err := e.parse(withSig(katPayload, sig))
		assert.NoError(t, err, "either secret is accepted during rotation")
	}
	only := newHookGateway(t, katSecret2)
	_, err := only.parse(withSig(katPayload, katSig))
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature, "the retired secret is refused once removed")
}

// TestWebhookRejectsForgeries: what the signature header must hold, to the
// byte (a changed body, a wrong secret and a missing header are
// conformance rules).
func TestWebhookRejectsForgeries(t *testing.T) {
	tamperedBody := strings.Replace(katPayload, "250.00", "250.01", 1)
	tests := []struct {
		name string
		req  mfspay.WebhookRequest
	}{
		{"one hex digit of the signature changed", withSig(katPayload, katSig[:63]+"e")},
		{"signature of another body", withSig(katPayload, kit.SignHMACSHA256([]byte(tamperedBody), katSecret))},
		{"blank header", mfspay.WebhookRequest{Header: http.Header{"X-Wezopay-Signature": {"  "}}, Body: []byte(katPayload)}},
		{"garbled header", withSig(katPayload, "not-hex-at-all")},
		{"truncated signature", withSig(katPayload, katSig[:32])},
		{"prefixed signature", withSig(katPayload, "sha256="+katSig)},
		{"signature in another header", mfspay.WebhookRequest{Header: http.Header{"X-Signature": {katSig}}, Body: []byte(katPayload)}},
		{"signature in the query", mfspay.WebhookRequest{Header: http.Header{}, Query: map[string][]string{"signature": {katSig}}, Body: []byte(katPayload)}},
		{"empty body", withSig("", kit.SignHMACSHA256(nil, otherSecret))},
	}
	e := newHookGateway(t, katSecret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := e.parse(tt.req)
			assert.Nil(t, ev)
			assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
		})
	}

	t.Run("no secret configured fails closed", func(t *testing.T) {
		none := newHookGateway(t)
		_, err := none.parse(withSig(katPayload, katSig))
		assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
		assert.Contains(t, err.Error(), "no webhook secret")
	})
}

func TestWebhookAuthenticThenMalformed(t *testing.T) {
	tests := []struct {
		name, body, field string
	}{
		{"not json", `{"event":`, "body"},
		{"an array", `[]`, "body"},
		{"event missing", `{"token":"pay_1","invoice_id":"I","status":"paid","amount":1}`, "event"},
		{"token missing", `{"event":"payment.completed","invoice_id":"I","status":"paid","amount":1}`, "token"},
		{"invoice missing", `{"event":"payment.completed","token":"pay_1","status":"paid","amount":1}`, "invoice_id"},
		{"status missing", `{"event":"payment.completed","token":"pay_1","invoice_id":"I","amount":1}`, "status"},
		{"amount missing", `{"event":"payment.completed","token":"pay_1","invoice_id":"I","status":"paid"}`, "amount"},
		{"amount garbage", `{"event":"payment.completed","token":"pay_1","invoice_id":"I","status":"paid","amount":"lots"}`, "amount"},
		{"amount an object", `{"event":"payment.completed","token":"pay_1","invoice_id":"I","status":"paid","amount":{}}`, "amount"},
		{"trx_id a number", `{"event":"payment.completed","token":"pay_1","invoice_id":"I","status":"paid","amount":1,"trx_id":7}`, "trx_id"},
		{"amount float artefact", `{"event":"payment.completed","token":"pay_1","invoice_id":"I","status":"paid","amount":79.09999999999999}`, "amount"},
		{"paid_at garbage", `{"event":"payment.completed","token":"pay_1","invoice_id":"I","status":"paid","amount":1,"paid_at":"soon"}`, "paid_at"},
	}
	e := newHookGateway(t, katSecret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := e.parse(signed([]byte(tt.body), katSecret))
			assert.Nil(t, ev)
			require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
			var me *mfspay.Error
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tt.field, me.Field)
		})
	}
}

func TestWebhookEventStatusTable(t *testing.T) {
	tests := []struct {
		event, status string
		typ           mfspay.EventType
		want          mfspay.Status
		id            string
	}{
		{"payment.completed", "paid", mfspay.EventPaymentCompleted, mfspay.StatusPaid, "wezopay:pay_1:payment.completed"},
		{"payment.failed", "failed", mfspay.EventPaymentFailed, mfspay.StatusFailed, "wezopay:pay_1:payment.failed"},
		{"payment.cancelled", "cancelled", mfspay.EventPaymentCancelled, mfspay.StatusCancelled, "wezopay:pay_1:payment.cancelled"},
		{"payment.expired", "expired", mfspay.EventPaymentExpired, mfspay.StatusExpired, "wezopay:pay_1:payment.expired"},
		{"payment.pending", "pending", mfspay.EventPaymentPending, mfspay.StatusPending, "wezopay:pay_1:payment.pending"},
		// Contradictions and unknowns are never a completed payment.
		{"payment.completed", "pending", mfspay.EventPaymentPending, mfspay.StatusUnknown, "wezopay:pay_1:payment.completed:pending"},
		{"payment.completed", "PAID", mfspay.EventPaymentPending, mfspay.StatusUnknown, "wezopay:pay_1:payment.completed:PAID"},
		{"payment.completed", "failed", mfspay.EventPaymentPending, mfspay.StatusUnknown, "wezopay:pay_1:payment.completed:failed"},
		{"payment.failed", "paid", mfspay.EventPaymentPending, mfspay.StatusUnknown, "wezopay:pay_1:payment.failed:paid"},
		{"payment.refunded", "paid", mfspay.EventPaymentPending, mfspay.StatusUnknown, "wezopay:pay_1:payment.refunded:paid"},
		{"payment.updated", "refunded", mfspay.EventPaymentPending, mfspay.StatusUnknown, "wezopay:pay_1:payment.updated:refunded"},
		{"PAYMENT.COMPLETED", "paid", mfspay.EventPaymentPending, mfspay.StatusUnknown, "wezopay:pay_1:PAYMENT.COMPLETED:paid"},
	}
	e := newHookGateway(t, katSecret)
	for _, tt := range tests {
		t.Run(tt.event+"/"+tt.status, func(t *testing.T) {
			body := `{"event":"` + tt.event + `","token":"pay_1","invoice_id":"INV-9","status":"` + tt.status + `","amount":79.10,"trx_id":null,"paid_at":null}`
			ev, err := e.parse(signed([]byte(body), katSecret))
			require.NoError(t, err)
			assert.Equal(t, tt.typ, ev.Type)
			assert.Equal(t, tt.want, ev.Payment.Status)
			assert.Equal(t, tt.id, ev.ID)
			assert.Equal(t, mfspay.Poisha(7910), ev.Payment.Amount)
			if tt.typ != mfspay.EventPaymentCompleted {
				assert.NotEqual(t, mfspay.StatusPaid, ev.Payment.Status)
			}
		})
	}
}

func TestWebhookOptionalFields(t *testing.T) {
	e := newHookGateway(t, katSecret)
	body := `{"event":"payment.completed","token":"pay_1","invoice_id":"INV-9","status":"paid","amount":"10.5","trx_id":"T1","paid_at":"2026-06-08T17:45:00+06:00","method":"Nagad","sender":"01711111111","future_field":{"x":[1]}}`
	ev, err := e.parse(signed([]byte(body), katSecret))
	require.NoError(t, err)
	assert.Equal(t, mfspay.MethodNagad, ev.Payment.Method)
	assert.Equal(t, "01711111111", ev.Payment.Sender)
	assert.Equal(t, mfspay.Poisha(1050), ev.Payment.Amount)
	assert.True(t, ev.Payment.PaidAt.Equal(time.Date(2026, 6, 8, 11, 45, 0, 0, time.UTC)))
}
