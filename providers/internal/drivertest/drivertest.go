// Package drivertest holds what the built-in drivers' own tests share: a
// provider that answers whatever a test (or a fuzzer) chooses, the checks
// every error and every parsed notification must pass, and a reading of
// money independent of mfspay.Amount.
package drivertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
)

// OneAttempt is the resilience of a gateway talking to a Provider: one
// attempt per call (the answer would not change) and no breaker (each
// input stands alone).
var OneAttempt = mfspay.Resilience{
	Retry:   mfspay.RetryPolicy{MaxAttempts: 1, AttemptTimeout: 5 * time.Second},
	Breaker: mfspay.BreakerSettings{Disabled: true},
}

// Statuses are the status codes a fuzzed answer may carry: the documented
// ones, what proxies add, and some nobody documents.
var Statuses = []int{200, 201, 202, 204, 302, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504}

// Answer is one canned answer.
type Answer struct {
	Status      int
	ContentType string
	Body        []byte
}

// WireSafe reports whether the answer's Content-Type reaches the client
// intact: Go's server turns CR and LF into spaces, and its client refuses
// any other control byte, so such an answer is a broken connection.
func (a Answer) WireSafe() bool {
	return !strings.ContainsFunc(a.ContentType, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\r' && r != '\n' || r == 0x7f })
}

// Provider is an HTTP server on 127.0.0.1 answering each request with the
// answer set for its method (a create is a POST, a lookup a GET).
type Provider struct {
	*httptest.Server
	mu      sync.Mutex
	answers map[string]Answer
}

// NewProvider starts a Provider, closed when t ends.
func NewProvider(t testing.TB) *Provider {
	p := &Provider{answers: map[string]Answer{}}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		a := p.answers[r.Method]
		p.mu.Unlock()
		w.Header()["Content-Type"] = []string{a.ContentType}
		w.WriteHeader(a.Status)
		_, _ = w.Write(a.Body)
	}))
	t.Cleanup(p.Close)
	return p
}

// Set makes a the answer to every request with method.
func (p *Provider) Set(method string, a Answer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answers[method] = a
}

// Amount reads a money value: a JSON number or a decimal string, parsed by
// mfspay.ParseAmount from its exact text.
func Amount(raw json.RawMessage) (mfspay.Amount, bool) {
	raw = bytes.TrimSpace(raw)
	text := string(raw)
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &text) != nil {
		return 0, false
	}
	a, err := mfspay.ParseAmount(text)
	return a, err == nil
}

// Error asserts the shape every driver error must have through the layer:
// an *mfspay.Error of a known kind, stamped with provider and op, showing
// none of secrets in any rendering or field.
func Error(t testing.TB, err error, provider, op string, secrets ...string) {
	t.Helper()
	var me *mfspay.Error
	if !errors.As(err, &me) {
		t.Fatalf("error %T is not an *mfspay.Error: %v", err, err)
	}
	if !slices.Contains(mfspay.Kinds, me.Kind) || me.Provider != provider || me.Op != op {
		t.Fatalf("error %#v has kind %v, provider %q, op %q", me, me.Kind, me.Provider, me.Op)
	}
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), me.Field, me.Code, me.Message} {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Fatalf("error shows a secret as %q: %s", s, text)
			}
		}
	}
}

// ParseWebhook parses req twice with gw and checks what every answer must
// keep: the same result both times; an error only of the shape Error
// checks, never with an event; ErrInvalidSignature when the request is
// not authentic, and no other kind than ErrInvalidRequest when it is. It
// returns the event, nil when there is none.
func ParseWebhook(t testing.TB, gw mfspay.Gateway, req mfspay.WebhookRequest, authentic bool, secrets ...string) *mfspay.Event {
	t.Helper()
	ev, err := gw.ParseWebhook(context.Background(), req)
	ev2, err2 := gw.ParseWebhook(context.Background(), req)
	switch {
	case !reflect.DeepEqual(ev, ev2) || mfspay.KindOf(err) != mfspay.KindOf(err2):
		t.Fatalf("two parses of one request differ: %+v %v / %+v %v", ev, err, ev2, err2)
	case err == nil && ev == nil, err != nil && ev != nil:
		t.Fatalf("ParseWebhook answered %+v with %v", ev, err)
	case !authentic && !errors.Is(err, mfspay.ErrInvalidSignature):
		t.Fatalf("an unauthenticated request (headers %q) gave %+v, %v", req.Header, ev, err)
	case authentic && err != nil && mfspay.KindOf(err) != mfspay.ErrInvalidRequest:
		t.Fatalf("an authentic request failed with kind %v: %v", mfspay.KindOf(err), err)
	}
	if err != nil {
		Error(t, err, gw.Provider(), "webhook", secrets...)
	}
	return ev
}
