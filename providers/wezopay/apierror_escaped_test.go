package wezopay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/internal/secretforms"
	"github.com/mfspay/mfspay/providers/internal/drivertest"
	"github.com/mfspay/mfspay/providers/wezopay"
)

// TestEscapedSecretsNeverReachErrors: WezoPay echoes a secret in every
// form a body can carry it, in its error and message texts, its field
// errors (names and messages), a 200 that says it failed and an HTML
// error page; the error shows none of them in any rendering or field.
func TestEscapedSecretsNeverReachErrors(t *testing.T) {
	p := drivertest.NewProvider(t)
	gw, err := wezopay.New(wezopay.Config{BaseURL: p.URL + "/api/v1", APIKey: "wpk_test_escapes",
		WebhookSecrets: secretforms.Secrets, Resilience: drivertest.OneAttempt})
	require.NoError(t, err)

	str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	for i, sec := range secretforms.Secrets {
		for _, form := range secretforms.Of(sec) {
			for _, b := range []struct {
				name string
				drivertest.Answer
			}{
				{"error text", answer(401, `{"success":false,"error":`+str("Invalid API key "+form.Text)+`}`)},
				{"message text", answer(403, `{"success":false,"message":`+str(form.Text)+`}`)},
				{"field error", answer(422, `{"success":false,"error":"Validation failed","errors":{"api_key":[`+str("is not "+form.Text)+`]}}`)},
				{"field name", answer(422, `{"success":false,"errors":{`+str(form.Text)+`:["is invalid"]}}`)},
				{"unsuccessful 200", answer(200, `{"success":false,"error":`+str(form.Text)+`}`)},
				{"html page", drivertest.Answer{Status: 404, ContentType: "text/html",
					Body: []byte(`<html><a href="/?key=` + form.Text + `">` + form.Text + `</a></html>`)}},
			} {
				t.Run(fmt.Sprintf("secret%d/%s/%s", i, form.Name, b.name), func(t *testing.T) {
					p.Set(http.MethodGet, b.Answer)
					p.Set(http.MethodPost, b.Answer)
					_, err := gw.VerifyPayment(context.Background(), mfspay.PaymentRef{InvoiceID: "INV-1"})
					drivertest.Error(t, err, wezopay.ProviderName, mfspay.OpVerify, secretforms.All(sec)...)
					_, err = gw.CreatePayment(context.Background(), newRequest(mfspay.Taka(10)))
					drivertest.Error(t, err, wezopay.ProviderName, mfspay.OpCreate, secretforms.All(sec)...)
				})
			}
		}
	}
}

// answer is a JSON answer with status.
func answer(status int, body string) drivertest.Answer {
	return drivertest.Answer{Status: status, ContentType: "application/json", Body: []byte(body)}
}
