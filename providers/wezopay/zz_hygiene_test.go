package wezopay_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// TestSecretHygiene provokes failures whose raw material holds the secrets
// (a provider that echoes the API key, webhooks signed with near-miss
// secrets) and then checks every error and log line recorded by all the
// tests of this package. It runs last (file order); TestMain repeats the
// check after every test has run.
func TestSecretHygiene(t *testing.T) {
	e := newEnv(t, nil, func(r *mfspay.Resilience) { r.Retry.MaxAttempts = 1 })
	key, secret := e.sim.APIKey(), e.sim.WebhookSecret()

	echo := `{"success":false,"error":"key ` + key + ` is not allowed; secret ` + secret + `"}`
	for _, status := range []int{400, 401, 403, 404, 422, 429, 500, 503} {
		e.fail(t, simctl.Fault{Status: status, Body: echo})
		_, err := e.verify(mfspay.PaymentRef{InvoiceID: "INV-ECHO"})
		require.Error(t, err)
		assert.NotContains(t, err.Error(), key)
		assert.NotContains(t, err.Error(), secret)
		assert.Contains(t, err.Error(), "[REDACTED]", "the provider's text is kept, scrubbed")
	}
	e.fail(t, simctl.Fault{Status: 422, Body: `{"success":false,"error":"bad","errors":{"api_key":["` + key + `"]}}`})
	_, err := e.create(newRequest(mfspay.Taka(1)))
	require.Error(t, err)
	e.fail(t, simctl.Fault{Status: 200, Body: `{"success":false,"error":"` + key + `"}`})
	_, err = e.verify(mfspay.PaymentRef{InvoiceID: "INV-ECHO"})
	require.Error(t, err)

	body := []byte(`{"event":"payment.completed","token":"pay_1","invoice_id":"I","status":"paid","amount":1}`)
	for _, near := range []string{secret + "x", secret[:len(secret)-1], strings.ToUpper(secret)} {
		recordSecrets(near)
		_, err := e.parse(signed(body, near))
		require.ErrorIs(t, err, mfspay.ErrInvalidSignature)
	}
	_, err = e.parse(mfspay.WebhookRequest{Header: http.Header{"X-Wezopay-Signature": {secret}}, Body: body})
	require.ErrorIs(t, err, mfspay.ErrInvalidSignature)

	logs := hygiene.logs.String()
	assert.Contains(t, logs, "mfspay http attempt", "the debug logger was wired and used")
	assert.Contains(t, logs, "path=/api/v1/payments/verify")
	assert.NotContains(t, logs, "invoice_id=", "no query strings in logs")
	assert.Empty(t, leaks())
}
