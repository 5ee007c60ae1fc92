package wezopaytest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/conformance/simctl"
)

func httptestServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// noRedirect is a browser that shows us the redirect instead of following.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func postForm(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := noRedirect.PostForm(u, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestHostedPagePayAndCancel(t *testing.T) {
	s := NewServer()
	defer s.Close()
	h, hookURL := newHook(t)
	body := strings.Replace(createBody("INV-H1", "99.50"), `"metadata"`, `"webhook_url": "`+hookURL+`", "metadata"`, 1)
	payURL := data(call(t, s, "POST", "/payments/create", s.APIKey(), body))["payment_url"].(string)

	resp, err := http.Get(payURL)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	for _, want := range []string{"<form", `value="bkash"`, `value="nagad"`, `value="rocket"`, `value="upay"`, "INV-H1", "99.50 BDT"} {
		assert.Contains(t, string(page), want)
	}

	// A bad entry re-shows the form with the customer's values.
	r, html := postForm(t, payURL, url.Values{"action": {"pay"}, "method": {"bkash"}, "sender": {"123"}, "trx_id": {"TRXOK123"}})
	assert.Equal(t, 422, r.StatusCode)
	assert.Contains(t, html, "11-digit")
	assert.Contains(t, html, `value="TRXOK123"`)

	r, _ = postForm(t, payURL, url.Values{"action": {"pay"}, "method": {"upay"}, "sender": {"01612345678"}, "trx_id": {"TRXOK123"}})
	assert.Equal(t, http.StatusSeeOther, r.StatusCode)
	assert.Equal(t, "https://shop.example/success", r.Header.Get("Location"))
	w := h.next(t)
	assert.Contains(t, string(w.Body), `"event":"payment.completed"`)
	assert.Contains(t, string(w.Body), `"trx_id":"TRXOK123"`)

	r, _ = postForm(t, payURL, url.Values{"action": {"cancel"}})
	assert.Equal(t, http.StatusConflict, r.StatusCode, "a paid payment cannot be cancelled")
	resp, err = http.Get(payURL)
	require.NoError(t, err)
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.NotContains(t, string(page), "<form")

	payURL2 := data(call(t, s, "POST", "/payments/create", s.APIKey(), strings.Replace(body, "INV-H1", "INV-H2", 1)))["payment_url"].(string)
	r, _ = postForm(t, payURL2, url.Values{"action": {"cancel"}})
	assert.Equal(t, http.StatusSeeOther, r.StatusCode)
	assert.Equal(t, "https://shop.example/cancel", r.Header.Get("Location"))
	w = h.next(t)
	assert.Contains(t, string(w.Body), `"event":"payment.cancelled"`)
	assert.Contains(t, string(w.Body), `"status":"cancelled"`)

	r, _ = postForm(t, s.URL+"/p/pay_unknown", url.Values{"action": {"pay"}})
	assert.Equal(t, 404, r.StatusCode)
	r, _ = postForm(t, payURL2, url.Values{"action": {"refund"}})
	assert.Equal(t, 400, r.StatusCode)
}

func TestPagesAreNotFaultedNorCounted(t *testing.T) {
	s := NewServer()
	defer s.Close()
	token := data(call(t, s, "POST", "/payments/create", s.APIKey(), createBody("INV-F", "1")))["token"].(string)
	require.NoError(t, s.Fail(context.Background(), simctl.Fault{Status: 500, Count: 3}))
	before, _ := s.RequestCount(context.Background())

	for _, u := range []string{s.PaymentURL(token), s.URL + "/_dashboard"} {
		resp, err := http.Get(u)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode, u)
		assert.Contains(t, string(b), "INV-F")
	}
	after, _ := s.RequestCount(context.Background())
	assert.Equal(t, before, after)

	assert.Equal(t, 500, call(t, s, "GET", "/payments/list", s.APIKey(), "").status)
	require.NoError(t, s.ClearFaults(context.Background()))
	assert.Equal(t, 200, call(t, s, "GET", "/payments/list", s.APIKey(), "").status)
	after, _ = s.RequestCount(context.Background())
	assert.Equal(t, before+2, after)
}

func TestControllerSettings(t *testing.T) {
	s := NewServer(WithAPIKeys("wpk_a", "wpk_b"), WithReadOnlyKey("wpk_ro"), WithWebhookSecret("sec"))
	defer s.Close()
	st, err := s.Settings(context.Background())
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"base_url": s.URL + "/api/v1", "api_key": "wpk_a", "webhook_secrets": "sec"}, st.Values)
	assert.NotEqual(t, "wpk_a", st.BadCredentials["api_key"])
	assert.Equal(t, 401, call(t, s, "GET", "/payments/list", st.BadCredentials["api_key"], "").status)
	assert.Equal(t, 200, call(t, s, "GET", "/payments/list", "wpk_b", "").status)
	for _, sec := range []string{"wpk_a", "wpk_b", "wpk_ro", "sec", st.BadCredentials["api_key"]} {
		assert.Contains(t, st.Secrets, sec)
	}

	token := data(call(t, s, "POST", "/payments/create", "wpk_a", createBody("INV-C", "1")))["token"].(string)
	assert.Error(t, s.Pay(context.Background(), token, simctl.Payer{Method: "cellfin"}), "WezoPay offers four wallets")
	require.NoError(t, s.Decline(token))
	p, _ := s.Payment(token)
	assert.Equal(t, StatusFailed, p.Status)
	notes, _ := s.Notifications(context.Background(), token)
	require.Len(t, notes, 1)
	assert.Contains(t, string(notes[0].Body), `"event":"payment.failed"`)
	assert.Empty(t, notes[0].Header.Get("X-Api-Key"))

	require.NoError(t, s.SetStatus(token, "refunded"))
	assert.Equal(t, "refunded", data(call(t, s, "GET", "/payments/verify?token="+token, "wpk_a", ""))["status"])
	assert.Error(t, s.SetStatus("pay_missing", "paid"))
}
