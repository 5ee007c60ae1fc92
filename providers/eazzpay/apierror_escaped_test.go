package eazzpay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/internal/secretforms"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/internal/drivertest"
)

// TestEscapedSecretsNeverReachErrors: EazzPay echoes a secret in every
// form a body can carry it, in an object message or code (kept as text),
// a string message, and an HTML error page; the error shows none of them
// in its text, %v, %+v, %#v or fields.
func TestEscapedSecretsNeverReachErrors(t *testing.T) {
	p := drivertest.NewProvider(t)
	gw, err := eazzpay.New(eazzpay.Config{BaseURL: p.URL, ClientSecret: testSecret,
		AcceptedSecrets: secretforms.Secrets, Resilience: drivertest.OneAttempt})
	require.NoError(t, err)

	for i, sec := range secretforms.Secrets {
		for _, form := range secretforms.Of(sec) {
			for _, b := range []struct{ name, contentType, body string }{
				{"object message", "application/json", `{"code":422,"message":{"cus_name":["rejected ` + jsonString(form.Text)[1:] + `]}}`},
				{"object code", "application/json", `{"code":{"key":` + jsonString(form.Text) + `},"message":"bad request"}`},
				{"raw object", "application/json", `{"code":401,"message":{"detail":"` + form.Text + `"}}`},
				{"string message", "application/json", `{"code":401,"message":` + jsonString("invalid key "+form.Text) + `}`},
				{"html page", "text/html", `<html><body><a href="/retry?key=` + form.Text + `">retry</a> key: ` + form.Text + `</body></html>`},
			} {
				t.Run(fmt.Sprintf("secret%d/%s/%s", i, form.Name, b.name), func(t *testing.T) {
					p.Set(http.MethodPost, drivertest.Answer{Status: 422, ContentType: b.contentType, Body: []byte(b.body)})
					_, err := gw.CreatePayment(context.Background(), validRequest())
					drivertest.Error(t, err, eazzpay.ProviderName, mfspay.OpCreate, secretforms.All(sec)...)
					var e *mfspay.Error
					require.ErrorAs(t, err, &e)
					assert.NotEmpty(t, e.Message+e.Code, "the provider's text is kept, redacted")
				})
			}
		}
	}
}

// TestProviderTextIsKeptDecoded: what EazzPay sends as an object, with
// escapes, is kept as the text it stands for.
func TestProviderTextIsKeptDecoded(t *testing.T) {
	p := drivertest.NewProvider(t)
	gw, err := eazzpay.New(eazzpay.Config{BaseURL: p.URL, ClientSecret: testSecret, Resilience: drivertest.OneAttempt})
	require.NoError(t, err)
	for _, tc := range []struct{ body, contentType, code, msg string }{
		{`{"code":{"reason":"bad\/input"},"message":{"cus_name":["is required","is too \u003cshort\u003e"],"amount":"caf\u00e9"}}`,
			"application/json", "reason: bad/input", "amount: café; cus_name: is required, is too <short>"},
		{`{"code":422,"message":[1,true,null,"x"]}`, "application/json", "422", "1, true, , x"},
		{"<p>Tom &amp; Jerry&#39;s &lt;page&gt;</p>", "text/html", "", "non-JSON body: <p>Tom & Jerry's <page></p>"},
	} {
		p.Set(http.MethodPost, drivertest.Answer{Status: 422, ContentType: tc.contentType, Body: []byte(tc.body)})
		_, err := gw.CreatePayment(context.Background(), validRequest())
		var e *mfspay.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, tc.code, e.Code)
		assert.Equal(t, tc.msg, e.Message)
	}
}

// jsonString is s as a JSON string literal.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
