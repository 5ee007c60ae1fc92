package nodipay_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay"
)

func TestParseWebhookFromTheSimulator(t *testing.T) {
	e := newEnv(t)
	payer := simctl.Payer{Method: mfspay.MethodRocket, Sender: "01912345678", TrxID: "RKT42"}
	for _, tc := range []struct {
		name   string
		act    func(id string) error
		typ    mfspay.EventType
		status mfspay.Status
	}{
		{"paid", func(id string) error { return e.sim.Pay(e.ctx, id, payer) }, mfspay.EventPaymentCompleted, mfspay.StatusPaid},
		{"declined", func(id string) error { return e.sim.Decline(e.ctx, id) }, mfspay.EventPaymentFailed, mfspay.StatusFailed},
		{"cancelled", func(id string) error { return e.sim.Cancel(e.ctx, id) }, mfspay.EventPaymentCancelled, mfspay.StatusCancelled},
		{"expired", func(id string) error { return e.sim.Expire(e.ctx, id) }, mfspay.EventPaymentExpired, mfspay.StatusExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := "INV-W-" + tc.name
			co := e.create(t, inv, mustAmount(t, "321.09"))
			require.NoError(t, tc.act(co.PaymentID))
			ns, err := e.sim.Notifications(e.ctx, co.PaymentID)
			require.NoError(t, err)
			require.Len(t, ns, 1)
			ev, err := e.gw.ParseWebhook(e.ctx, ns[0])
			require.NoError(t, err)
			assert.Equal(t, tc.typ, ev.Type)
			assert.Equal(t, nodipay.ProviderName, ev.Provider)
			assert.True(t, strings.HasPrefix(ev.ID, "nodipay:evt_"), ev.ID)
			assert.Equal(t, tc.status, ev.Payment.Status)
			assert.Equal(t, co.PaymentID, ev.Payment.PaymentID)
			assert.Equal(t, inv, ev.Payment.InvoiceID)
			assert.Equal(t, mustAmount(t, "321.09"), ev.Payment.Amount)
			assert.True(t, e.gw.Capabilities().Supports(ev.Type))
			if tc.status == mfspay.StatusPaid {
				assert.Equal(t, payer.TrxID, ev.Payment.TrxID)
				assert.Equal(t, payer.Method, ev.Payment.Method)
				assert.Equal(t, payer.Sender, ev.Payment.Sender)
			}
			again, err := e.gw.ParseWebhook(e.ctx, ns[0])
			require.NoError(t, err)
			assert.Equal(t, ev.ID, again.ID, "a re-delivery has the same ID")
		})
	}
}

// webhookGateway verifies with secrets at a fixed clock.
func webhookGateway(t *testing.T, now time.Time, tolerance time.Duration, secrets ...string) mfspay.Gateway {
	t.Helper()
	gw, err := nodipay.New(nodipay.Config{BaseURL: "http://127.0.0.1:1/v1", APIKey: "nsk_test_unused",
		WebhookSecrets: secrets, WebhookTolerance: tolerance, Now: func() time.Time { return now }, Resilience: fast()})
	require.NoError(t, err)
	return gw
}

const (
	secret    = "nwhsec_current_secret"
	oldSecret = "nwhsec_previous_secret"
	eventBody = `{"id":"evt_1","type":"payment.succeeded","created_at":"2025-01-02T15:10:00Z","payment":` +
		`{"id":"pay_0123456789abcdef0123","invoice_id":"INV-1","amount":25050,"currency":"BDT","status":"succeeded",` +
		`"checkout_url":"https://pay.nodipay.example/pay/pay_0123456789abcdef0123","paid_at":"2025-01-02T15:10:00Z",` +
		`"wallet":"bkash","wallet_number":"01712345678","trx_id":"BK123"}}`
)

var now = time.Date(2025, 1, 2, 15, 10, 30, 0, time.UTC)

func delivery(body, signature string) mfspay.WebhookRequest {
	h := http.Header{"Content-Type": {"application/json"}}
	if signature != "" {
		h.Set(nodipay.SignatureHeader, signature)
	}
	return mfspay.WebhookRequest{Header: h, Body: []byte(body)}
}

func TestParseWebhookGenuine(t *testing.T) {
	gw := webhookGateway(t, now, 0, secret)
	ev, err := gw.ParseWebhook(t.Context(), delivery(eventBody, sign([]byte(eventBody), now.Add(-30*time.Second), secret)))
	require.NoError(t, err)
	assert.Equal(t, &mfspay.Event{ID: "nodipay:evt_1", Provider: "nodipay", Type: mfspay.EventPaymentCompleted,
		Payment: mfspay.Payment{Provider: "nodipay", PaymentID: "pay_0123456789abcdef0123", InvoiceID: "INV-1",
			Status: mfspay.StatusPaid, Amount: mfspay.Poisha(25050), TrxID: "BK123", Method: mfspay.MethodBKash,
			Sender: "01712345678", PaidAt: time.Date(2025, 1, 2, 15, 10, 0, 0, time.UTC)}}, ev)
}

// TestParseWebhookKnownVector pins the scheme to a value computed outside
// Go (Python's hmac): HMAC-SHA256 under "nwhsec_current_secret" of
// "1735830600.{}".
func TestParseWebhookKnownVector(t *testing.T) {
	const header = "t=1735830600,v1=eeffe2a50b721a61c4ffb0f7b75e2b6a61b7371a4dbfb4f6ae38b3c1d6dbd4ce"
	ts := time.Unix(1735830600, 0)
	assert.Equal(t, header, sign([]byte("{}"), ts, secret), "the test's own signer")
	gw := webhookGateway(t, ts, 0, secret)
	// Authentication passes, then the body fails to parse: a bad MAC would
	// have been ErrInvalidSignature.
	_, err := gw.ParseWebhook(t.Context(), delivery("{}", header))
	assert.ErrorIs(t, err, mfspay.ErrInvalidRequest)
	_, err = gw.ParseWebhook(t.Context(), delivery("{} ", header))
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
}

func TestParseWebhookRotation(t *testing.T) {
	body := []byte(eventBody)
	ts := now.Add(-time.Minute)
	good := sign(body, ts, secret)
	tsPart, v1Part, _ := strings.Cut(good, ",")
	for name, tc := range map[string]struct {
		secrets []string
		header  string
	}{
		"old secret still accepted":     {[]string{secret, oldSecret}, sign(body, ts, oldSecret)},
		"sender signs with both":        {[]string{secret}, sign(body, ts, oldSecret, secret)},
		"a garbled v1 next to a good":   {[]string{secret}, good + ",v1=zz"},
		"spaces and unknown schemes ok": {[]string{secret}, tsPart + ", v0=abc, " + v1Part},
		"uppercase hex":                 {[]string{secret}, tsPart + ",v1=" + strings.ToUpper(strings.TrimPrefix(v1Part, "v1="))},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := webhookGateway(t, now, 0, tc.secrets...).ParseWebhook(t.Context(), delivery(eventBody, tc.header))
			assert.NoError(t, err)
		})
	}
}

func TestParseWebhookRejectsForgeries(t *testing.T) {
	body := []byte(eventBody)
	good := sign(body, now, secret)
	tampered := strings.Replace(eventBody, "25050", "25060", 1)
	for name, req := range map[string]mfspay.WebhookRequest{
		"no header":              delivery(eventBody, ""),
		"empty header":           {Header: http.Header{nodipay.SignatureHeader: {""}}, Body: body},
		"two headers":            {Header: http.Header{nodipay.SignatureHeader: {good, good}}, Body: body},
		"no timestamp":           delivery(eventBody, good[strings.Index(good, "v1="):]),
		"no v1":                  delivery(eventBody, good[:strings.Index(good, ",")]),
		"two timestamps":         delivery(eventBody, "t=1,"+good),
		"timestamp not digits":   delivery(eventBody, strings.Replace(good, "t=", "t=-", 1)),
		"part without =":         delivery(eventBody, good+",junk"),
		"too many v1":            delivery(eventBody, good+strings.Repeat(",v1=00", 8)),
		"wrong secret":           delivery(eventBody, sign(body, now, "nwhsec_guess")),
		"body only, no time":     delivery(eventBody, sign(body, now)+",v1="+hmacHex(secret, body)),
		"tampered body":          delivery(tampered, good),
		"timestamp moved":        delivery(eventBody, strings.Replace(good, "t=", "t=1", 1)),
		"stale by 6 minutes":     delivery(eventBody, sign(body, now.Add(-6*time.Minute), secret)),
		"from 6 minutes ahead":   delivery(eventBody, sign(body, now.Add(6*time.Minute), secret)),
		"signature truncated":    delivery(eventBody, good[:len(good)-2]),
		"signature of empty":     delivery(eventBody, sign(nil, now, secret)),
		"header value in query":  {Header: http.Header{}, Body: body, Query: map[string][]string{nodipay.SignatureHeader: {good}}},
		"signature case changed": delivery(eventBody, strings.Replace(good, "v1=", "V1=", 1)),
	} {
		t.Run(name, func(t *testing.T) {
			ev, err := webhookGateway(t, now, 0, secret).ParseWebhook(t.Context(), req)
			require.ErrorIs(t, err, mfspay.ErrInvalidSignature)
			assert.Nil(t, ev)
			assert.NotContains(t, err.Error(), secret)
			for _, v := range req.Header.Values(nodipay.SignatureHeader) {
				if len(v) > 20 {
					assert.NotContains(t, err.Error(), v[len(v)-20:], "the header's value is quoted")
				}
			}
		})
	}
}

func TestParseWebhookWithoutSecretsFailsClosed(t *testing.T) {
	gw := webhookGateway(t, now, 0)
	_, err := gw.ParseWebhook(t.Context(), delivery(eventBody, sign([]byte(eventBody), now, secret)))
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
}

func TestParseWebhookTolerance(t *testing.T) {
	body := []byte(eventBody)
	old := sign(body, now.Add(-9*time.Minute), secret)
	_, err := webhookGateway(t, now, 10*time.Minute, secret).ParseWebhook(t.Context(), delivery(eventBody, old))
	assert.NoError(t, err, "within a 10m tolerance")
	_, err = webhookGateway(t, now, 0, secret).ParseWebhook(t.Context(), delivery(eventBody, old))
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature, "outside the default 5m")
	edge := sign(body, now.Add(-nodipay.DefaultWebhookTolerance), secret)
	_, err = webhookGateway(t, now, 0, secret).ParseWebhook(t.Context(), delivery(eventBody, edge))
	assert.NoError(t, err, "exactly at the tolerance")
}

// TestParseWebhookAuthenticBadBodies: once authentic, a body that is not
// NodiPay's event is an invalid request naming the field.
func TestParseWebhookAuthenticBadBodies(t *testing.T) {
	for _, tc := range []struct{ name, body, field string }{
		{"not json", `nope`, "body"},
		{"no id", strings.Replace(eventBody, `"id":"evt_1"`, `"id":""`, 1), "id"},
		{"id with spaces", strings.Replace(eventBody, `"id":"evt_1"`, `"id":"evt 1"`, 1), "id"},
		{"no payment", `{"id":"evt_1","type":"payment.succeeded"}`, "payment"},
		{"type contradicts status", strings.Replace(eventBody, `"type":"payment.succeeded"`, `"type":"payment.lapsed"`, 1), "type"},
		{"open is not announced", strings.NewReplacer(`"type":"payment.succeeded"`, `"type":"payment.open"`,
			`"status":"succeeded"`, `"status":"open"`).Replace(eventBody), "payment.status"},
		{"unknown status", strings.NewReplacer(`"type":"payment.succeeded"`, `"type":"payment.settled"`,
			`"status":"succeeded"`, `"status":"settled"`).Replace(eventBody), "payment.status"},
		{"float amount", strings.Replace(eventBody, `25050`, `250.50`, 1), "payment.amount"},
		{"no currency", strings.Replace(eventBody, `"currency":"BDT",`, ``, 1), "payment.currency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw := webhookGateway(t, now, 0, secret)
			_, err := gw.ParseWebhook(t.Context(), delivery(tc.body, sign([]byte(tc.body), now, secret)))
			require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
			var me *mfspay.Error
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tc.field, me.Field)
		})
	}
}

func TestParseWebhookDoesNotAlterTheRequest(t *testing.T) {
	gw := webhookGateway(t, now, 0, secret)
	req := delivery(eventBody, sign([]byte(eventBody), now, secret))
	before := bytes.Clone(req.Body)
	_, err := gw.ParseWebhook(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, before, req.Body)
}
