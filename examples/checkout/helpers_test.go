package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/stretchr/testify/require"
)

// startTestApp starts the shop with both simulators on a free port.
func startTestApp(t *testing.T, cfg appConfig) *app {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	a, err := startApp(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(a.Close)
	return a
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// placeOrder orders product with provider through the shop's form, without
// paying, and returns the order.
func placeOrder(t *testing.T, a *app, productID, provider, name string) order {
	t.Helper()
	resp, err := noRedirect.PostForm(a.URL+"/orders", url.Values{
		"product": {productID}, "provider": {provider}, "name": {name}, "phone": {"01712345678"}, "email": {"karim@example.com"},
	})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	o := a.shop.orders.mustGet(t, resp.Header.Get(orderIDHeader))
	require.Equal(t, o.RedirectURL, resp.Header.Get("Location"))
	return o
}

// getPage fetches a shop page and returns its status code and body.
func getPage(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := noRedirect.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// postForm posts a form to the shop and returns the answer's status code
// and body.
func postForm(t *testing.T, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := noRedirect.PostForm(u, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// postNotification sends a notification to the shop as a provider would and
// returns the answer's status code.
func postNotification(t *testing.T, u string, header http.Header, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	require.NoError(t, err)
	req.Header = header.Clone()
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := noRedirect.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// setAmount changes what the shop expects for an order, standing for a price
// changed after the payment was created.
func (s *orderStore) setAmount(t *testing.T, id string, a mfspay.Amount) {
	t.Helper()
	_, err := s.update(context.Background(), func(o *order) error { o.Amount = a; return nil }, `id = $1`, id)
	require.NoError(t, err)
}

// envMap is a getenv over a map.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// mustGet returns the order with id.
func (s *orderStore) mustGet(t *testing.T, id string) order {
	t.Helper()
	o, err := s.get(context.Background(), id)
	require.NoError(t, err, "order %s", id)
	return o
}
