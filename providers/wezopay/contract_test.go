package wezopay_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/wezopay"
)

// TestWebhookPaidNeedsMoneyAndValidIDs: a signed notification is still only
// the provider's claim of what it knows, held to the same rules as every
// other adapter's (the portable layer's checks): a payment announced as
// paid carries a positive amount, and its ids pass the request rules.
func TestWebhookPaidNeedsMoneyAndValidIDs(t *testing.T) {
	const secret = "whsec_contract_1"
	gw, err := wezopay.New(wezopay.Config{APIKey: "wpk_contract_key", WebhookSecrets: []string{secret}})
	require.NoError(t, err)
	for name, body := range map[string]string{
		"amount 0":         `{"event":"payment.completed","token":"pay_z1","invoice_id":"INV-001","status":"paid","amount":0}`,
		"amount 0.00":      `{"event":"payment.completed","token":"pay_z2","invoice_id":"INV-001","status":"paid","amount":"0.00"}`,
		"NUL in invoice":   `{"event":"payment.completed","token":"pay_z3","invoice_id":"INV\u0000-1","status":"paid","amount":250.00}`,
		"NUL in token":     `{"event":"payment.completed","token":"pay\u0000z4","invoice_id":"INV-001","status":"paid","amount":250.00}`,
		"space in invoice": `{"event":"payment.failed","token":"pay_z5","invoice_id":"INV 1","status":"failed","amount":250.00}`,
	} {
		t.Run(name, func(t *testing.T) {
			ev, err := gw.ParseWebhook(context.Background(), signed([]byte(body), secret))
			require.ErrorIs(t, err, mfspay.ErrInvalidRequest, "%+v", ev)
			assert.Nil(t, ev)
		})
	}
	ok := `{"event":"payment.completed","token":"pay_ok","invoice_id":"INV-001","status":"paid","amount":0.01}`
	ev, err := gw.ParseWebhook(context.Background(), signed([]byte(ok), secret))
	require.NoError(t, err)
	assert.Equal(t, mfspay.Poisha(1), ev.Payment.Amount)
}
