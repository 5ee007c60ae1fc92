package eazzpay_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/eazzpay"
)

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   eazzpay.Config
		field string
	}{
		{"no secret", eazzpay.Config{}, "client_secret"},
		{"padded secret", eazzpay.Config{ClientSecret: " esk "}, "client_secret"},
		{"ftp base (kit.ParseBaseURL's rules)", eazzpay.Config{ClientSecret: "esk", BaseURL: "ftp://pay.eazzpay.com"}, "base_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := eazzpay.New(tc.cfg)
			require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
			assert.Nil(t, g)
			var e *mfspay.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.field, e.Field)
		})
	}
}

func TestFromSettings(t *testing.T) {
	sim, _ := simGateway(t, fastResilience())
	settings, err := sim.Settings(bg)
	require.NoError(t, err)

	g, err := eazzpay.FromSettings(settings.Values, fastResilience())
	require.NoError(t, err)
	_, err = g.CreatePayment(bg, validRequest())
	require.NoError(t, err)

	bad, err := eazzpay.FromSettings(settings.BadCredentials, fastResilience())
	require.NoError(t, err)
	_, err = bad.CreatePayment(bg, validRequest())
	require.ErrorIs(t, err, mfspay.ErrUnauthorized)
	for _, s := range settings.Secrets {
		assert.NotContains(t, err.Error(), s)
	}

	_, err = eazzpay.FromSettings(map[string]string{}, fastResilience())
	require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
}

func TestFromSettingsAcceptedSecrets(t *testing.T) {
	g, err := eazzpay.FromSettings(map[string]string{
		"client_secret":    testSecret,
		"accepted_secrets": " " + oldSecret + " ,, esk_live_older ",
	}, mfspay.Resilience{})
	require.NoError(t, err)
	for _, s := range []string{testSecret, oldSecret, "esk_live_older"} {
		_, err := g.ParseWebhook(bg, notification(s, documentedListener, nil))
		assert.NoError(t, err, "secret %d accepted", len(s))
	}
	_, err = g.ParseWebhook(bg, notification(" "+oldSecret, documentedListener, nil))
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
}

func TestCapabilities(t *testing.T) {
	g, err := eazzpay.New(eazzpay.Config{ClientSecret: "esk"})
	require.NoError(t, err)
	assert.Equal(t, mfspay.Capabilities{
		Webhook: mfspay.WebhookSharedSecret,
		EventTypes: []mfspay.EventType{mfspay.EventPaymentPending, mfspay.EventPaymentCompleted, mfspay.EventPaymentFailed,
			mfspay.EventPaymentCancelled, mfspay.EventTransactionReceived},
		Statuses: []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed, mfspay.StatusCancelled},
	}, g.Capabilities(), "no lookup or list (none documented), no expiry of its own (an expired payment is FAILED)")
}
