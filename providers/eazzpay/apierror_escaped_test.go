package eazzpay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/internal/secretforms"
	"github.com/mfspay/mfspay/providers/eazzpay"
)

// echoServer answers every request with the status, content type and body
// it currently holds.
type echoServer struct {
	*httptest.Server
	mu                sync.Mutex
	status            int
	contentType, body string
}

func newEchoServer(t *testing.T) *echoServer {
	t.Helper()
	s := &echoServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", s.contentType)
		w.WriteHeader(s.status)
		_, _ = w.Write([]byte(s.body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *echoServer) answer(status int, contentType, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.contentType, s.body = status, contentType, body
}

// jsonString is s as a JSON string literal.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestEscapedSecretsNeverReachErrors: EazzPay echoes a secret in every
// form a body can carry it, in an object message or code (kept as text),
// a string message, and an HTML error page; the error shows none of them
// in its text, %v, %+v, %#v or fields.
func TestEscapedSecretsNeverReachErrors(t *testing.T) {
	srv := newEchoServer(t)
	gw, err := eazzpay.New(eazzpay.Config{BaseURL: srv.URL, ClientSecret: testSecret,
		AcceptedSecrets: secretforms.Secrets, Resilience: fastResilience()})
	require.NoError(t, err)

	for i, sec := range secretforms.Secrets {
		forbidden := secretforms.All(sec)
		for _, form := range secretforms.Of(sec) {
			bodies := []struct {
				name        string
				status      int
				contentType string
				body        string
			}{
				{"object message", 422, "application/json",
					`{"code":422,"message":{"cus_name":["rejected ` + jsonString(form.Text)[1:] + `]}}`},
				{"object code", 400, "application/json",
					`{"code":{"key":` + jsonString(form.Text) + `},"message":"bad request"}`},
				{"raw object", 401, "application/json",
					`{"code":401,"message":{"detail":"` + form.Text + `"}}`},
				{"string message", 401, "application/json",
					`{"code":401,"message":` + jsonString("invalid key "+form.Text) + `}`},
				{"html page", 403, "text/html",
					`<html><body><a href="/retry?key=` + form.Text + `">retry</a> key: ` + form.Text + `</body></html>`},
			}
			for _, b := range bodies {
				t.Run(fmt.Sprintf("secret%d/%s/%s", i, form.Name, b.name), func(t *testing.T) {
					srv.answer(b.status, b.contentType, b.body)
					_, err := gw.CreatePayment(context.Background(), validRequest())
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
					assert.NotEmpty(t, e.Message+e.Code, "the provider's text is kept, redacted")
				})
			}
		}
	}
}

// TestProviderTextIsKeptDecoded: what EazzPay sends as an object, with
// escapes, is kept as the text it stands for.
func TestProviderTextIsKeptDecoded(t *testing.T) {
	srv := newEchoServer(t)
	gw, err := eazzpay.New(eazzpay.Config{BaseURL: srv.URL, ClientSecret: testSecret, Resilience: fastResilience()})
	require.NoError(t, err)
	for _, tc := range []struct{ body, contentType, code, msg string }{
		{`{"code":{"reason":"bad\/input"},"message":{"cus_name":["is required","is too \u003cshort\u003e"],"amount":"caf\u00e9"}}`,
			"application/json", "reason: bad/input", "amount: café; cus_name: is required, is too <short>"},
		{`{"code":422,"message":[1,true,null,"x"]}`, "application/json", "422", "1, true, , x"},
		{"<p>Tom &amp; Jerry&#39;s &lt;page&gt;</p>", "text/html", "", "non-JSON body: <p>Tom & Jerry's <page></p>"},
	} {
		srv.answer(422, tc.contentType, tc.body)
		_, err := gw.CreatePayment(context.Background(), validRequest())
		var e *mfspay.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, tc.code, e.Code)
		assert.Equal(t, tc.msg, e.Message)
	}
}
