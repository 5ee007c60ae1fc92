package webhook_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/plugins"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
	"github.com/mfspay/mfspay/webhook"
)

// TestConfirmPluginConfiguredAfterNew is the regression test for a handler
// built from a plugin before its settings were known (they come from the
// plugin's own simulator here, as in the conformance suite): the plugin
// reported no capabilities then, and a handler that kept them skipped
// Confirm for good, delivering a forged "paid" as completed.
func TestConfirmPluginConfiguredAfterNew(t *testing.T) {
	ctx := ctxT(t)
	gw, err := plugins.OpenInMemory(ctx, plugins.ServeConfig{
		Name:    wezopay.ProviderName,
		Factory: wezopay.DriverFromSettings,
		Simulator: func() (simctl.Controller, io.Closer, error) {
			s := wezopaytest.NewServer()
			return s, closerFunc(s.Close), nil
		},
	}, plugins.Config{Retry: fastResilience.Retry})
	require.NoError(t, err)
	defer gw.Close()
	require.False(t, gw.Capabilities().CanVerify(), "an unconfigured plugin reports no capabilities")

	m := newMerchant(t)
	var rec recorder
	m.mount(webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm()))

	sim, err := gw.Simulator(ctx)
	require.NoError(t, err)
	settings, err := sim.Settings(ctx)
	require.NoError(t, err)
	early := forgePaid(t, settings, "pay_not_yet", "INV-LATE-0")
	assert.Equal(t, http.StatusInternalServerError, m.post(t, "/webhooks/wezopay", early),
		"an unconfigured plugin declares no notifications: refused for now, so the provider retries")
	require.NoError(t, gw.Configure(ctx, settings.Values))
	require.True(t, gw.Capabilities().CanVerify())

	co, err := gw.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID: "INV-LATE-1", Amount: mfspay.Taka(250),
		Customer:   mfspay.Customer{Name: "Rahim Khan", Phone: "01712345678"},
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/cart",
		WebhookURL: m.webhookURL(wezopay.ProviderName),
	})
	require.NoError(t, err)

	forged := forgePaid(t, settings, co.PaymentID, co.InvoiceID)
	assert.Equal(t, http.StatusServiceUnavailable, m.post(t, "/webhooks/wezopay", forged),
		"the provider says pending: the claim is not confirmed")
	for _, e := range rec.delivered() {
		assert.NotEqual(t, mfspay.EventPaymentCompleted, e.Type, "a forged paid is never delivered as completed")
	}
	assert.Empty(t, rec.delivered())
}

// TestCapabilitiesAreReadPerRequest checks the handler against a gateway
// whose capabilities change after New, both ways: the current ones decide
// each request.
func TestCapabilitiesAreReadPerRequest(t *testing.T) {
	pending := mfspay.Payment{Provider: "fake", PaymentID: "pay_INV-1", InvoiceID: "INV-1",
		Status: mfspay.StatusPending, Amount: mfspay.Taka(250)}
	gw := newFake("fake") // its Capabilities returns caps, which the test changes between requests
	gw.setPayment(pending)
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm())

	gw.caps = mfspay.Capabilities{} // cannot verify: passed through unconfirmed
	code, _ := do(h, signedRequest("/", paidBody("evt_1", "INV-1", mfspay.Taka(250)).bytes(t)))
	assert.Equal(t, http.StatusOK, code)
	require.Len(t, rec.deliveries(), 1)
	assert.False(t, rec.deliveries()[0].Confirmed)

	pending2 := pending
	pending2.PaymentID, pending2.InvoiceID = "pay_INV-2", "INV-2"
	gw.setPayment(pending2)
	gw.caps = newFake("fake").caps // can verify now: confirmed, and the forgery refused
	code, _ = do(h, signedRequest("/", paidBody("evt_2", "INV-2", mfspay.Taka(250)).bytes(t)))
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Len(t, rec.deliveries(), 1, "nothing more delivered")
	assert.EqualValues(t, 1, gw.verifies.Load())
}

// forgePaid is a "paid" notification for a payment, signed with the real
// webhook secret: what a leaked secret or a premature claim looks like.
func forgePaid(t *testing.T, settings simctl.Settings, paymentID, invoiceID string) mfspay.WebhookRequest {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"event": "payment.completed", "token": paymentID, "invoice_id": invoiceID, "status": "paid",
		"amount": mfspay.Taka(250).Number(), "trx_id": "FORGED1234", "paid_at": "2026-06-08T11:45:00Z",
	})
	require.NoError(t, err)
	return mfspay.WebhookRequest{Header: http.Header{
		"Content-Type":        {"application/json"},
		"X-Wezopay-Signature": {kit.SignHMACSHA256(body, settings.Values[wezopaytest.SettingWebhookSecrets])},
	}, Body: body}
}

type closerFunc func()

func (c closerFunc) Close() error { c(); return nil }
