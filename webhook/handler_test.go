package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/webhook"
)

func TestHandlerAnswers(t *testing.T) {
	body := paidBody("evt_1", "INV-1", mfspay.Taka(250)).bytes(t)
	sig := kit.SignHMACSHA256(body, fakeSecret)
	altered := bytes.Replace(body, []byte("250.00"), []byte("250.01"), 1)
	require.NotEqual(t, body, altered)
	tests := []struct {
		name      string
		req       func() *http.Request
		opts      []webhook.Option
		wantCode  int
		wantCalls int64
	}{
		{"delivered", func() *http.Request { return signedRequest("/", body) }, nil, 200, 1},
		{"json with parameters", func() *http.Request {
			r := signedRequest("/", body)
			r.Header.Set("Content-Type", "Application/JSON; charset=utf-8")
			return r
		}, nil, 200, 1},
		{"no content type", func() *http.Request {
			r := signedRequest("/", body)
			r.Header.Del("Content-Type")
			return r
		}, nil, 200, 1},
		{"malformed authentic body", func() *http.Request { return signedRequest("/", []byte(`{"id":`)) }, nil, 400, 0},
		{"bad signature", func() *http.Request {
			r := signedRequest("/", body)
			r.Header.Set(fakeSigHeader, kit.SignHMACSHA256(body, "wrong"))
			return r
		}, nil, 401, 0},
		{"missing signature", func() *http.Request {
			r := signedRequest("/", body)
			r.Header.Del(fakeSigHeader)
			return r
		}, nil, 401, 0},
		{"body altered after signing", func() *http.Request {
			r := signedRequest("/", altered)
			r.Header.Set(fakeSigHeader, sig)
			return r
		}, nil, 401, 0},
		{"GET", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }, nil, 405, 0},
		{"PUT signed", func() *http.Request {
			r := signedRequest("/", body)
			r.Method = http.MethodPut
			return r
		}, nil, 405, 0},
		{"too large by content length", func() *http.Request { return signedRequest("/", body) },
			[]webhook.Option{webhook.MaxBodyBytes(int64(len(body)) - 1)}, 413, 0},
		{"too large without content length", func() *http.Request {
			r := signedRequest("/", body)
			r.ContentLength = -1
			return r
		}, []webhook.Option{webhook.MaxBodyBytes(10)}, 413, 0},
		{"exactly at the limit", func() *http.Request { return signedRequest("/", body) },
			[]webhook.Option{webhook.MaxBodyBytes(int64(len(body)))}, 200, 1},
		{"form content type", func() *http.Request {
			r := signedRequest("/", body)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, nil, 415, 0},
		{"garbled content type", func() *http.Request {
			r := signedRequest("/", body)
			r.Header.Set("Content-Type", "application/json; =;")
			return r
		}, nil, 415, 0},
		{"store down", func() *http.Request { return signedRequest("/", body) },
			[]webhook.Option{webhook.WithStore(failingStore{})}, 503, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			h := webhook.New(rec.callback, append([]webhook.Option{webhook.Route(newFake("fake"))}, tt.opts...)...)
			code, text := do(h, tt.req())
			assert.Equal(t, tt.wantCode, code, text)
			assert.Equal(t, tt.wantCalls, rec.calls.Load())
			assert.NotContains(t, text, "evt_1", "the answer never echoes the request")
			assert.NotContains(t, text, "INV-1")
		})
	}
}

func TestMethodNotAllowedSaysAllow(t *testing.T) {
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	assert.Equal(t, "POST", w.Header().Get("Allow"))
}

func TestUnauthorizedBodyIsFixed(t *testing.T) {
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")))
	body := paidBody("evt_1", "INV-1", 100).bytes(t)
	missing := signedRequest("/", body)
	missing.Header.Del(fakeSigHeader)
	wrong := signedRequest("/", body)
	wrong.Header.Set(fakeSigHeader, strings.Repeat("0", 64))
	_, a := do(h, missing)
	_, b := do(h, wrong)
	assert.Equal(t, "unauthorized\n", a)
	assert.Equal(t, a, b, "the answer says nothing about why authentication failed")
}

func TestCallbackFailureReleasesTheMark(t *testing.T) {
	var rec recorder
	rec.fail.Store(1)
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")))
	body := paidBody("evt_retry", "INV-2", mfspay.Taka(10)).bytes(t)

	code, _ := do(h, signedRequest("/", body))
	assert.Equal(t, http.StatusInternalServerError, code, "a failed callback asks the provider to retry")
	assert.Empty(t, rec.delivered())

	code, _ = do(h, signedRequest("/", body))
	assert.Equal(t, http.StatusOK, code, "the retry is delivered")
	require.Len(t, rec.delivered(), 1)
	assert.Equal(t, "evt_retry", rec.delivered()[0].ID)

	code, text := do(h, signedRequest("/", body))
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "duplicate\n", text)
	assert.EqualValues(t, 2, rec.calls.Load())
}

func TestCallbackPanicReleasesTheMark(t *testing.T) {
	calls := 0
	h := webhook.New(func(context.Context, *mfspay.Event) error {
		calls++
		if calls == 1 {
			panic("merchant bug")
		}
		return nil
	}, webhook.Route(newFake("fake")))
	body := paidBody("evt_panic", "INV-3", 100).bytes(t)
	assert.Panics(t, func() { do(h, signedRequest("/", body)) })
	code, _ := do(h, signedRequest("/", body))
	assert.Equal(t, http.StatusOK, code, "the re-delivery after a panic reaches the callback")
	assert.Equal(t, 2, calls)
}

func TestRoutingByPathWildcard(t *testing.T) {
	var rec recorder
	a, b := newFake("alpha"), newFake("beta")
	h := webhook.New(rec.callback, webhook.Route(a), webhook.Route(b))
	mux := http.NewServeMux()
	mux.Handle("/webhooks/{provider}", h)
	mux.Handle("/custom/beta-ipn", h.For("beta"))

	body := paidBody("evt_same_id", "INV-4", 100).bytes(t)
	code, _ := do(mux, signedRequest("/webhooks/alpha", body))
	assert.Equal(t, 200, code)
	code, _ = do(mux, signedRequest("/webhooks/beta", body))
	assert.Equal(t, 200, code, "event ids are namespaced by provider")
	code, text := do(mux, signedRequest("/custom/beta-ipn", body))
	assert.Equal(t, 200, code)
	assert.Equal(t, "duplicate\n", text)
	code, _ = do(mux, signedRequest("/webhooks/gamma", body))
	assert.Equal(t, 404, code)

	got := rec.delivered()
	require.Len(t, got, 2)
	assert.ElementsMatch(t, []string{"alpha", "beta"}, []string{got[0].Provider, got[1].Provider})
}

func TestRoutingWithoutWildcard(t *testing.T) {
	var rec recorder
	single := webhook.New(rec.callback, webhook.Route(newFake("alpha")))
	body := paidBody("evt_x", "INV-5", 100).bytes(t)
	code, _ := do(single, signedRequest("/anything", body))
	assert.Equal(t, 200, code, "one gateway needs no wildcard")

	multi := webhook.New(rec.callback, webhook.Route(newFake("alpha")), webhook.Route(newFake("beta")))
	code, _ = do(multi, signedRequest("/anything", body))
	assert.Equal(t, 404, code, "several gateways need the path to say which")

	custom := webhook.New(rec.callback, webhook.Route(newFake("alpha")), webhook.Route(newFake("beta")),
		webhook.PathWildcard("psp"))
	mux := http.NewServeMux()
	mux.Handle("/hooks/{psp}/notify", custom)
	code, _ = do(mux, signedRequest("/hooks/beta/notify", body))
	assert.Equal(t, 200, code)
}

func TestContentTypesOption(t *testing.T) {
	var rec recorder
	body := paidBody("evt_ct", "INV-6", 100).bytes(t)
	form := func() *http.Request {
		r := signedRequest("/", body)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	h := webhook.New(rec.callback, webhook.Route(newFake("fake"), webhook.ContentTypes("application/x-www-form-urlencoded")))
	code, _ := do(h, form())
	assert.Equal(t, 200, code)
	h = webhook.New(rec.callback, webhook.Route(newFake("fake"), webhook.ContentTypes()))
	code, text := do(h, form())
	assert.Equal(t, 200, code)
	assert.Equal(t, "delivered\n", text, "with no media types listed any is accepted")
}

func TestParseErrorsThatAreNotTheSendersFault(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"plugin crashed", &mfspay.Error{Kind: mfspay.ErrUnavailable}, 503},
		{"breaker open", &mfspay.Error{Kind: mfspay.ErrCircuitOpen}, 503},
		{"unclassified", errors.New("boom"), 500},
		{"authentic, and no event (a subscription handshake)", &mfspay.Error{Kind: mfspay.ErrNoEvent}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			h := webhook.New(rec.callback, webhook.Route(parseErrGateway{newFake("fake"), tt.err}))
			code, _ := do(h, signedRequest("/", []byte(`{}`)))
			assert.Equal(t, tt.want, code)
			assert.Zero(t, rec.calls.Load())
		})
	}
}

// parseErrGateway fails every ParseWebhook with err.
type parseErrGateway struct {
	*fakeGateway
	err error
}

func (g parseErrGateway) ParseWebhook(context.Context, mfspay.WebhookRequest) (*mfspay.Event, error) {
	return nil, g.err
}

func TestEventWithoutIDIsNotDelivered(t *testing.T) {
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(noIDGateway{newFake("fake")}))
	code, _ := do(h, signedRequest("/", []byte(`{}`)))
	assert.Equal(t, http.StatusInternalServerError, code)
	assert.Zero(t, rec.calls.Load())
}

type noIDGateway struct{ *fakeGateway }

func (noIDGateway) ParseWebhook(context.Context, mfspay.WebhookRequest) (*mfspay.Event, error) {
	return &mfspay.Event{Type: mfspay.EventPaymentCompleted}, nil
}

func TestRawRequestReachesTheGateway(t *testing.T) {
	var got mfspay.WebhookRequest
	g := captureGateway{fakeGateway: newFake("fake"), got: &got}
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(g))
	raw := []byte("{\"id\": \"evt_raw\",\n \"type\":\"payment.pending\" , \"amount\": 1.50}\n")
	r := signedRequest("/?invoice_id=INV-7&x=%2F", raw)
	r.Header.Add("X-Extra", "a")
	r.Header.Add("X-Extra", "b")
	code, _ := do(h, r)
	require.Equal(t, 200, code)
	assert.Equal(t, raw, got.Body, "the body is handed over byte for byte")
	assert.Equal(t, []string{"a", "b"}, got.Header.Values("X-Extra"))
	assert.Equal(t, "INV-7", got.Query.Get("invoice_id"))
	assert.Equal(t, "/", got.Query.Get("x"))
}

type captureGateway struct {
	*fakeGateway
	got *mfspay.WebhookRequest
}

func (g captureGateway) ParseWebhook(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	*g.got = req
	return &mfspay.Event{ID: "evt_raw", Provider: g.name, Type: mfspay.EventPaymentPending}, nil
}

func TestNewPanicsOnMisuse(t *testing.T) {
	cb := func(context.Context, *mfspay.Event) error { return nil }
	assert.Panics(t, func() { webhook.New(nil, webhook.Route(newFake("a"))) })
	assert.Panics(t, func() { webhook.New(cb) })
	assert.Panics(t, func() { webhook.New(cb, webhook.Route(nil)) })
	assert.Panics(t, func() { webhook.New(cb, webhook.Route(newFake(""))) })
	assert.Panics(t, func() { webhook.New(cb, webhook.Route(newFake("a/b"))) })
	assert.Panics(t, func() { webhook.New(cb, webhook.Route(newFake("a")), webhook.Route(newFake("a"))) })
	assert.Panics(t, func() { webhook.New(cb, webhook.Route(newFake("a"))).For("b") })
}

func TestUnreadableBody(t *testing.T) {
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")))
	r := signedRequest("/", paidBody("evt_cut", "INV", 1).bytes(t))
	r.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"id":`), errReader{}))
	r.ContentLength = -1
	code, _ := do(h, r)
	assert.Equal(t, http.StatusBadRequest, code, "a body cut off mid-way is malformed")
	assert.Zero(t, rec.calls.Load())
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestSNSRoutesAcceptTextPlain: AWS SNS posts its JSON as text/plain, so a
// gateway whose notifications are SNS-signed takes it by default; others
// keep refusing it, and ContentTypes still decides when given.
func TestSNSRoutesAcceptTextPlain(t *testing.T) {
	plain := func() *http.Request {
		r := signedRequest("/", paidBody("evt_sns", "INV-SNS", 100).bytes(t))
		r.Header.Set("Content-Type", "text/plain; charset=UTF-8")
		return r
	}
	var rec recorder
	sns := newFake("fake")
	sns.caps.Webhook = mfspay.WebhookSNS
	code, _ := do(webhook.New(rec.callback, webhook.Route(sns)), plain())
	assert.Equal(t, http.StatusOK, code)

	code, _ = do(webhook.New(rec.callback, webhook.Route(newFake("fake"))), plain())
	assert.Equal(t, http.StatusUnsupportedMediaType, code, "an HMAC-signed JSON route")

	code, _ = do(webhook.New(rec.callback, webhook.Route(sns, webhook.ContentTypes("application/json"))), plain())
	assert.Equal(t, http.StatusUnsupportedMediaType, code, "the merchant's choice stands")
}
