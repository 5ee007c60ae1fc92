package wezopay_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/simkit"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

func TestCreateRequestShape(t *testing.T) {
	tests := []struct {
		amount  mfspay.Amount
		literal string
	}{
		{mfspay.Taka(250), `"amount":250.00,`},
		{mfspay.Poisha(5010), `"amount":50.10,`},
		{mfspay.Poisha(1), `"amount":0.01,`},
		{mfspay.Poisha(7910), `"amount":79.10,`},
		{mfspay.Poisha(9999999999), `"amount":99999999.99,`},
	}
	e := newEnv(t, nil, nil)
	for _, tt := range tests {
		t.Run(tt.amount.String(), func(t *testing.T) {
			req := newRequest(tt.amount)
			req.WebhookURL = "https://shop.example/hook?a=1&b=2"
			co, err := e.create(req)
			require.NoError(t, err)

			last, ok := e.sim.LastRequest()
			require.True(t, ok)
			assert.Equal(t, http.MethodPost, last.Method)
			assert.Equal(t, "/api/v1/payments/create", last.Path)
			assert.Equal(t, e.sim.APIKey(), last.Header.Get("X-API-Key"))
			assert.Equal(t, "application/json", last.Header.Get("Content-Type"))
			assert.Equal(t, "application/json", last.Header.Get("Accept"))
			assert.True(t, strings.HasPrefix(last.Header.Get("User-Agent"), "mfspay/"), last.Header.Get("User-Agent"))
			assert.Contains(t, string(last.Body), tt.literal, "an exact number literal, no float artefacts")
			assert.Contains(t, string(last.Body), `"currency":"BDT"`)
			assert.Contains(t, string(last.Body), `"webhook_url":"https://shop.example/hook?a=1&b=2"`)

			var sent map[string]any
			require.NoError(t, json.Unmarshal(last.Body, &sent))
			assert.Equal(t, req.InvoiceID, sent["invoice_id"])
			assert.Equal(t, "Rahim Khan", sent["customer_name"])
			assert.Equal(t, "rahim@example.com", sent["customer_email"])
			assert.Equal(t, "01712345678", sent["customer_phone"])
			assert.Equal(t, map[string]any{"order_id": "ORD-123"}, sent["metadata"])

			stored, ok := e.sim.Payment(co.PaymentID)
			require.True(t, ok)
			assert.Equal(t, tt.amount, stored.Amount, "the provider got exactly the amount")
			p, err := e.verify(mfspay.PaymentRef{PaymentID: co.PaymentID})
			require.NoError(t, err)
			assert.Equal(t, tt.amount, p.Amount, "and it comes back exactly")
		})
	}
}

func TestCreateOmitsEmptyOptionalFields(t *testing.T) {
	e := newEnv(t, nil, nil)
	req := newRequest(mfspay.Taka(1))
	req.Customer, req.Metadata = mfspay.Customer{}, nil
	_, err := e.create(req)
	require.NoError(t, err)
	last, _ := e.sim.LastRequest()
	for _, field := range []string{"customer_name", "customer_email", "customer_phone", "webhook_url", "metadata"} {
		assert.NotContains(t, string(last.Body), field)
	}
}

func TestCreateReturnsCheckout(t *testing.T) {
	clock := simkit.NewManualClock(time.Date(2026, 6, 8, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, []wezopaytest.Option{wezopaytest.WithClock(clock.Now)}, nil)
	req := newRequest(mfspay.Taka(250))
	co, err := e.create(req)
	require.NoError(t, err)
	assert.Equal(t, wezopay.ProviderName, co.Provider)
	assert.True(t, strings.HasPrefix(co.PaymentID, "pay_"))
	assert.Equal(t, req.InvoiceID, co.InvoiceID)
	assert.Equal(t, e.sim.PaymentURL(co.PaymentID), co.RedirectURL)
	assert.Equal(t, time.Date(2026, 6, 8, 12, 30, 0, 0, time.UTC), co.ExpiresAt.UTC())
	assert.Equal(t, mfspay.StatusPending, co.Status)
	assert.Equal(t, 1, e.requestCount(t))
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name  string
		cfg   wezopay.Config
		field string
	}{
		{"missing key", wezopay.Config{}, "api_key"},
		{"key with space", wezopay.Config{APIKey: "wpk_a b"}, "api_key"},
		{"base with query (kit.ParseBaseURL's rules)", wezopay.Config{APIKey: "wpk_x", BaseURL: "https://wezopay.com/api/v1?x=1"}, "base_url"},
		{"key with a control byte", wezopay.Config{APIKey: "wpk_\x7f"}, "api_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wezopay.New(tt.cfg)
			require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
			var me *mfspay.Error
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tt.field, me.Field)
			assert.NotContains(t, err.Error(), "wpk_a b")
		})
	}
	gw, err := wezopay.New(wezopay.Config{APIKey: "wpk_live_x"})
	require.NoError(t, err)
	assert.Equal(t, "wezopay", gw.Provider())
	_, hasBreaker := mfspay.BreakerStateOf(gw)
	assert.True(t, hasBreaker, "on by default")
}

func TestFromSettingsSplitsSecrets(t *testing.T) {
	e := newEnv(t, []wezopaytest.Option{wezopaytest.WithWebhookSecret("whsec_second")}, nil)
	settings := e.sim.SettingsMap()
	settings["webhook_secrets"] = " whsec_first , whsec_second ,"
	gw, err := wezopay.FromSettings(settings, mfspay.Resilience{Retry: fastRetry()})
	require.NoError(t, err)
	body := []byte(`{"event":"payment.failed","token":"pay_1","invoice_id":"I","status":"failed","amount":1,"trx_id":null,"paid_at":null}`)
	for _, secret := range []string{"whsec_first", "whsec_second"} {
		_, err := gw.ParseWebhook(t.Context(), signed(body, secret))
		assert.NoError(t, err, secret)
	}
	_, err = wezopay.FromSettings(map[string]string{"base_url": e.sim.BaseURL()}, mfspay.Resilience{})
	assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, "api_key is required")
}

func TestCapabilities(t *testing.T) {
	e := newEnv(t, nil, nil)
	c := e.gw.Capabilities()
	assert.True(t, c.VerifyByInvoice)
	assert.True(t, c.VerifyByPaymentID)
	assert.True(t, c.List)
	assert.True(t, c.ListByStatus)
	assert.Equal(t, 100, c.MaxPerPage)
	assert.Equal(t, mfspay.WebhookHMACSHA256, c.Webhook)
	assert.Equal(t, []mfspay.EventType{mfspay.EventPaymentPending, mfspay.EventPaymentCompleted, mfspay.EventPaymentFailed,
		mfspay.EventPaymentCancelled, mfspay.EventPaymentExpired}, c.EventTypes, "each status has its event; no money-received event")
	assert.Equal(t, []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed, mfspay.StatusCancelled,
		mfspay.StatusExpired}, c.Statuses, "the five statuses of the spec")
	assert.Equal(t, mfspay.ReturnNone, c.Return, "the customer's return needs nothing: the webhook and verify tell")
}
