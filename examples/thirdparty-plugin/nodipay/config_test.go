package nodipay_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay"
)

func TestFromSettingsRejectsBadSettings(t *testing.T) {
	const key = "nsk_test_secretkey_123"
	for _, tc := range []struct {
		name     string
		settings map[string]string
		field    string
	}{
		{"no key", map[string]string{}, "api_key"},
		{"key with space", map[string]string{"api_key": "nsk_test secret"}, "api_key"},
		{"relative base", map[string]string{"api_key": key, "base_url": "/v1"}, "base_url"},
		{"base with query", map[string]string{"api_key": key, "base_url": "https://api.example/v1?k=" + key}, "base_url"},
		{"base with user", map[string]string{"api_key": key, "base_url": "https://u:" + key + "@api.example/v1"}, "base_url"},
		{"bad tolerance", map[string]string{"api_key": key, "webhook_tolerance": "soon"}, "webhook_tolerance"},
		{"zero tolerance", map[string]string{"api_key": key, "webhook_tolerance": "0s"}, "webhook_tolerance"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw, err := nodipay.FromSettings(tc.settings, mfspay.Resilience{})
			require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
			assert.Nil(t, gw)
			var me *mfspay.Error
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tc.field, me.Field)
			assert.NotContains(t, err.Error(), "secret", "the key is never quoted")
		})
	}
}

func TestFromSettingsTrimsSecretsAndAcceptsTolerance(t *testing.T) {
	body := []byte(eventBody)
	gw, err := nodipay.FromSettings(map[string]string{
		"api_key": "nsk_test_k", "webhook_secrets": " other_secret_1 , " + secret + " ,", "webhook_tolerance": "87600h",
	}, mfspay.Resilience{})
	require.NoError(t, err)
	// A year-old signature passes only because of the huge tolerance.
	_, err = gw.ParseWebhook(t.Context(), delivery(eventBody, sign(body, time.Now().Add(-365*24*time.Hour), secret)))
	assert.NoError(t, err)
}

func TestCapabilities(t *testing.T) {
	gw, err := nodipay.New(nodipay.Config{APIKey: "nsk_test_k"})
	require.NoError(t, err)
	assert.Equal(t, nodipay.ProviderName, gw.Provider())
	assert.Equal(t, mfspay.Capabilities{
		VerifyByInvoice: true, VerifyByPaymentID: true, List: true, ListByStatus: true, MaxPerPage: 100,
		Webhook: nodipay.WebhookTimestampedHMAC,
		EventTypes: []mfspay.EventType{mfspay.EventPaymentCompleted, mfspay.EventPaymentFailed,
			mfspay.EventPaymentCancelled, mfspay.EventPaymentExpired},
		Statuses: []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed,
			mfspay.StatusCancelled, mfspay.StatusExpired},
	}, gw.Capabilities())
	_, hasBreaker := mfspay.BreakerStateOf(gw)
	assert.True(t, hasBreaker, "New wraps the gateway in the shared breaker")
}

func TestBreakerOpensAndFailsFast(t *testing.T) {
	e := newEnv(t)
	co := e.create(t, "INV-1", mfspay.Taka(10))
	res := fast()
	res.Breaker = mfspay.BreakerSettings{FailureThreshold: 2, OpenTimeout: time.Hour}
	gw, err := nodipay.FromSettings(e.settings.Values, res)
	require.NoError(t, err)
	require.NoError(t, e.sim.Fail(e.ctx, simctl500(100)))
	for range 2 {
		_, err := gw.VerifyPayment(e.ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
		require.ErrorIs(t, err, mfspay.ErrUnavailable)
	}
	before := e.requests(t)
	_, err = gw.VerifyPayment(e.ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.ErrorIs(t, err, mfspay.ErrCircuitOpen)
	_, err = gw.CreatePayment(e.ctx, request("INV-2", mfspay.Taka(10)))
	require.ErrorIs(t, err, mfspay.ErrCircuitOpen)
	assert.Equal(t, before, e.requests(t), "nothing reaches NodiPay while open")
	// Webhooks are local work: the breaker does not stand in their way.
	_, err = gw.ParseWebhook(e.ctx, delivery(eventBody, "t=1,v1=00"))
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
}

// TestNoSecretInErrors makes NodiPay echo the key and the webhook secret in
// every kind of error answer.
func TestNoSecretInErrors(t *testing.T) {
	e := newEnv(t)
	co := e.create(t, "INV-1", mfspay.Taka(10))
	// The gateway's own key and secrets: those are what it knows to scrub.
	own := []string{e.settings.Values["api_key"]}
	own = append(own, strings.Split(e.settings.Values["webhook_secrets"], ",")...)
	echo := strings.Join(own, " ")
	bad, err := nodipay.FromSettings(e.settings.BadCredentials, fast())
	require.NoError(t, err)
	check := func(what string, err error, secrets ...string) {
		t.Helper()
		require.Error(t, err, what)
		for _, sec := range append(own, secrets...) {
			for _, text := range []string{err.Error(), fmtAll(err)} {
				assert.NotContains(t, text, sec, what)
			}
		}
	}
	for _, status := range []int{400, 401, 403, 404, 409, 422, 429, 500, 502} {
		for _, body := range []string{
			`{"error":{"code":"` + echo + `","message":"bad key ` + echo + `","field":"` + echo + `"}}`,
			"<html>" + echo + "</html>",
		} {
			require.NoError(t, e.sim.Fail(e.ctx, faultWith(status, body)))
			_, err := e.gw.CreatePayment(e.ctx, request("INV-E", mfspay.Taka(10)))
			check("create", err)
			_, err = e.gw.VerifyPayment(e.ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
			check("verify", err)
			_, err = e.gw.ListPayments(e.ctx, mfspay.ListQuery{})
			check("list", err)
			require.NoError(t, e.sim.ClearFaults(e.ctx))
		}
	}
	_, err = bad.CreatePayment(e.ctx, request("INV-B", mfspay.Taka(10)))
	require.ErrorIs(t, err, mfspay.ErrUnauthorized)
	check("bad credentials", err, e.settings.Secrets...)
}
