package webhook_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
)

// Helpers shared by the tests against the real adapters and simulators.

// fastResilience keeps retries short so that outage tests stay fast.
var fastResilience = mfspay.Resilience{
	Retry: mfspay.RetryPolicy{
		MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		AttemptTimeout: 200 * time.Millisecond,
	},
}

// merchant is a merchant's web server: a mux on 127.0.0.1 to which the
// handler is attached once the gateways exist.
type merchant struct {
	*httptest.Server
	mux *http.ServeMux
}

func newMerchant(t *testing.T) *merchant {
	t.Helper()
	m := &merchant{mux: http.NewServeMux()}
	m.Server = httptest.NewServer(m.mux)
	t.Cleanup(m.Close)
	return m
}

func (m *merchant) mount(h *webhook.Handler) { m.mux.Handle("/webhooks/{provider}", h) }

// webhookURL is where the provider should notify.
func (m *merchant) webhookURL(provider string) string { return m.URL + "/webhooks/" + provider }

// post sends a notification to the merchant's server the way the provider
// did and returns the status code.
func (m *merchant) post(t *testing.T, path string, n mfspay.WebhookRequest) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodPost, m.URL+path, bytes.NewReader(n.Body))
	require.NoError(t, err)
	req.URL.RawQuery = n.Query.Encode()
	req.Header = wireHeader(n.Header)
	resp, err := m.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// replay turns a notification the simulator produced back into the request
// the provider sent, aimed at path.
func replay(path string, n mfspay.WebhookRequest) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(n.Body))
	r.URL.RawQuery = n.Query.Encode()
	r.Header = wireHeader(n.Header)
	return r
}

// wireHeader is h as a receiver gets it: keys in canonical form, as they
// arrive over HTTP/1.1 (a simulator may keep them as it wrote them).
func wireHeader(h http.Header) http.Header {
	out := http.Header{}
	for k, vs := range h {
		for _, v := range vs {
			out.Add(k, v)
		}
	}
	return out
}

// mutation changes a genuine notification before it is replayed.
type mutation struct {
	name      string
	change    func(r *http.Request) *http.Request
	wantCode  int
	wantCalls int64
}

// answerMutations are the refusals every notification kind must produce.
// authHeader carries the provider's credential; reauth makes a changed body
// authentic again (re-signing it, for a provider that signs bodies).
func answerMutations(authHeader string, reauth func(r *http.Request, body []byte)) []mutation {
	setBody := func(r *http.Request, body []byte) {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	return []mutation{
		{"bad credential", func(r *http.Request) *http.Request {
			got := r.Header.Get(authHeader)
			if got == "" {
				panic("notification without " + authHeader)
			}
			r.Header.Set(authHeader, strings.Repeat("f", len(got)))
			return r
		}, 401, 0},
		{"credential missing", func(r *http.Request) *http.Request {
			r.Header.Del(authHeader)
			return r
		}, 401, 0},
		{"authentic but malformed", func(r *http.Request) *http.Request {
			body := []byte(`{"status": "paid", "amount": `)
			setBody(r, body)
			reauth(r, body)
			return r
		}, 400, 0},
		{"GET", func(r *http.Request) *http.Request {
			r.Method = http.MethodGet
			return r
		}, 405, 0},
		{"too large", func(r *http.Request) *http.Request {
			body := bytes.Repeat([]byte(" "), webhook.DefaultMaxBodyBytes+1)
			setBody(r, body)
			reauth(r, body)
			return r
		}, 413, 0},
		{"too large, length not announced", func(r *http.Request) *http.Request {
			body := bytes.Repeat([]byte(" "), webhook.DefaultMaxBodyBytes+1)
			setBody(r, body)
			r.ContentLength = -1
			reauth(r, body)
			return r
		}, 413, 0},
		{"form content type", func(r *http.Request) *http.Request {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 415, 0},
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
