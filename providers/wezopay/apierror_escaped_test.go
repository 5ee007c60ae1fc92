package wezopay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/internal/secretforms"
	"github.com/mfspay/mfspay/providers/wezopay"
)

// TestEscapedSecretsNeverReachErrors: WezoPay echoes a secret in every
// form a body can carry it, in its error and message texts, its field
// errors (names and messages) and an HTML error page; the error shows none
// of them in its text, %v, %+v, %#v or fields.
func TestEscapedSecretsNeverReachErrors(t *testing.T) {
	var mu sync.Mutex
	var status int
	var contentType, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	r := mfspay.Resilience{Retry: fastRetry()}
	r.Retry.MaxAttempts = 1
	r.Breaker.Disabled = true
	gw, err := wezopay.New(wezopay.Config{BaseURL: srv.URL + "/api/v1", APIKey: "wpk_test_escapes",
		WebhookSecrets: secretforms.Secrets, Resilience: r})
	require.NoError(t, err)

	str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	for i, sec := range secretforms.Secrets {
		forbidden := secretforms.All(sec)
		for _, form := range secretforms.Of(sec) {
			bodies := []struct {
				name        string
				status      int
				contentType string
				body        string
			}{
				{"error text", 401, "application/json", `{"success":false,"error":` + str("Invalid API key "+form.Text) + `}`},
				{"message text", 403, "application/json", `{"success":false,"message":` + str(form.Text) + `}`},
				{"field error", 422, "application/json",
					`{"success":false,"error":"Validation failed","errors":{"api_key":[` + str("is not "+form.Text) + `]}}`},
				{"field name", 422, "application/json", `{"success":false,"errors":{` + str(form.Text) + `:"is invalid"}}`},
				{"html page", 404, "text/html", `<html><a href="/?key=` + form.Text + `">` + form.Text + `</a></html>`},
			}
			for _, b := range bodies {
				t.Run(fmt.Sprintf("secret%d/%s/%s", i, form.Name, b.name), func(t *testing.T) {
					mu.Lock()
					status, contentType, body = b.status, b.contentType, b.body
					mu.Unlock()
					_, verr := gw.VerifyPayment(context.Background(), mfspay.PaymentRef{InvoiceID: "INV-1"})
					_, cerr := gw.CreatePayment(context.Background(), newRequest(mfspay.Taka(10)))
					for _, err := range []error{verr, cerr} {
						require.Error(t, err)
						var e *mfspay.Error
						require.ErrorAs(t, err, &e)
						for _, text := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err),
							fmt.Sprintf("%#v", err), e.Message, e.Code, e.Field} {
							for _, f := range forbidden {
								if strings.Contains(text, f) {
									t.Errorf("the error shows the secret as %q: %s", f, text)
								}
							}
						}
					}
				})
			}
		}
	}
}
