package nodipaytest_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay/nodipaytest"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func TestSettings(t *testing.T) {
	s := nodipaytest.NewServer()
	t.Cleanup(s.Close)
	st, err := s.Settings(context.Background())
	require.NoError(t, err)
	assert.Equal(t, s.URL+"/v1", st.Values["base_url"])
	assert.NotEqual(t, st.Values["api_key"], st.BadCredentials["api_key"])
	assert.Equal(t, st.Values["base_url"], st.BadCredentials["base_url"])
	require.Len(t, st.Secrets, 3, "key, bad key, webhook secret")
	for _, sec := range st.Secrets {
		assert.GreaterOrEqual(t, len(sec), 8)
	}
	assert.Contains(t, st.Secrets, st.Values["api_key"])
	assert.Contains(t, st.Secrets, st.BadCredentials["api_key"])
	assert.Contains(t, st.Secrets, st.Values["webhook_secrets"])
	assert.Equal(t, http.StatusUnauthorized, call(t, s, "GET", "/v1/payments", st.BadCredentials["api_key"], "").status)
	assert.Equal(t, http.StatusOK, call(t, s, "GET", "/v1/payments", st.Values["api_key"], "").status)
}

func TestAPIAnswers(t *testing.T) {
	s := newServer(t)
	id := create(t, s, "INV-1")
	for _, tc := range []struct {
		name, method, path, key, body string
		status                        int
		contains                      string
	}{
		{"no key", "GET", "/v1/payments", "", "", 401, `"code":"unauthorized"`},
		{"wrong key", "GET", "/v1/payments", "nsk_test_other", "", 401, `"code":"unauthorized"`},
		{"get", "GET", "/v1/payments/" + id, apiKey, "", 200, `"amount":25050,`},
		{"by invoice", "GET", "/v1/invoices/INV-1/payment", apiKey, "", 200, `"id":"` + id + `"`},
		{"unknown id", "GET", "/v1/payments/pay_00000000000000000000", apiKey, "", 404, `"code":"not_found"`},
		{"unknown invoice", "GET", "/v1/invoices/NONE/payment", apiKey, "", 404, `"code":"not_found"`},
		{"unknown route", "GET", "/v1/refunds", apiKey, "", 404, `"code":"no_route"`},
		{"taken invoice", "POST", "/v1/payments", apiKey, createBody, 409, `"code":"invoice_taken"`},
		{"fractional amount", "POST", "/v1/payments", apiKey, strings.Replace(createBody, "25050", "250.50", 1), 422, `"field":"amount"`},
		{"exponent amount", "POST", "/v1/payments", apiKey, strings.Replace(createBody, "25050", "2.505e4", 1), 422, `"field":"amount"`},
		{"string amount", "POST", "/v1/payments", apiKey, strings.Replace(createBody, "25050", `"25050"`, 1), 422, `"field":"amount"`},
		{"leading zero", "POST", "/v1/payments", apiKey, strings.Replace(createBody, "25050", `025050`, 1), 400, `"code":"bad_json"`},
		{"zero amount", "POST", "/v1/payments", apiKey, strings.Replace(createBody, "25050", "0", 1), 422, `"field":"amount"`},
		{"usd", "POST", "/v1/payments", apiKey, strings.Replace(createBody, "BDT", "USD", 1), 422, `"field":"currency"`},
		{"bad invoice", "POST", "/v1/payments", apiKey, strings.Replace(createBody, "INV-1", "INV 1", 1), 422, `"field":"invoice_id"`},
		{"relative url", "POST", "/v1/payments", apiKey, strings.Replace(createBody, "https://shop.example/ok", "/ok", 1), 422, `"field":"success_url"`},
		{"not json", "POST", "/v1/payments", apiKey, "{", 400, `"code":"bad_json"`},
		{"page 0", "GET", "/v1/payments?page=0", apiKey, "", 422, `"field":"page"`},
		{"per_page 101", "GET", "/v1/payments?per_page=101", apiKey, "", 422, `"field":"per_page"`},
		{"unknown status", "GET", "/v1/payments?status=paid", apiKey, "", 422, `"field":"status"`},
		{"huge page", "GET", "/v1/payments?page=9223372036854775807&per_page=100", apiKey, "", 200, `"data":[]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := call(t, s, tc.method, tc.path, tc.key, tc.body)
			assert.Equal(t, tc.status, a.status, a.body)
			assert.Contains(t, a.body, tc.contains)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
		})
	}
}

func TestCreateRefusesOtherMediaAndHugeBodies(t *testing.T) {
	s := newServer(t)
	req, _ := http.NewRequest("POST", s.URL+"/v1/payments", strings.NewReader(createBody))
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode)

	huge := `{"metadata":{"x":"` + strings.Repeat("a", 70<<10) + `"}}`
	assert.Equal(t, http.StatusRequestEntityTooLarge, call(t, s, "POST", "/v1/payments", apiKey, huge).status)
}

func TestListNewestFirstWithFilter(t *testing.T) {
	s := newServer(t)
	a, b, c := create(t, s, "A"), create(t, s, "B"), create(t, s, "C")
	require.NoError(t, s.Pay(context.Background(), b, simctl.Payer{}))
	var page struct {
		Data []struct {
			ID     string
			Status string
		}
		Page, PerPage, Total int
		HasMore              bool `json:"has_more"`
	}
	require.NoError(t, jsonUnmarshal(call(t, s, "GET", "/v1/payments?per_page=2", apiKey, "").body, &page))
	require.Len(t, page.Data, 2)
	assert.Equal(t, []string{c, b}, []string{page.Data[0].ID, page.Data[1].ID})
	assert.True(t, page.HasMore)
	assert.Equal(t, 3, page.Total)
	require.NoError(t, jsonUnmarshal(call(t, s, "GET", "/v1/payments?per_page=2&page=2", apiKey, "").body, &page))
	require.Len(t, page.Data, 1)
	assert.Equal(t, a, page.Data[0].ID)
	assert.False(t, page.HasMore)
	require.NoError(t, jsonUnmarshal(call(t, s, "GET", "/v1/payments?status=succeeded", apiKey, "").body, &page))
	require.Len(t, page.Data, 1)
	assert.Equal(t, b, page.Data[0].ID)
}

func TestFaultStatusBodyAndRetryAfter(t *testing.T) {
	s := newServer(t)
	fail(t, s, simctl.Fault{Status: 429, RetryAfter: 1500 * time.Millisecond, Count: 2})
	fail(t, s, simctl.Fault{Status: 502, ContentType: "text/html", Body: "<h1>Bad Gateway</h1>"})
	for range 2 {
		a := call(t, s, "GET", "/v1/payments", apiKey, "")
		assert.Equal(t, 429, a.status)
		assert.Equal(t, "2", a.header.Get("Retry-After"), "rounded up to whole seconds")
		assert.Contains(t, a.body, `"error":`)
	}
	a := call(t, s, "GET", "/v1/payments", apiKey, "")
	assert.Equal(t, 502, a.status)
	assert.Equal(t, "text/html", a.header.Get("Content-Type"))
	assert.Equal(t, "<h1>Bad Gateway</h1>", a.body)
	assert.Equal(t, 200, call(t, s, "GET", "/v1/payments", apiKey, "").status, "the faults are used up")
	assert.Equal(t, 4, requests(t, s), "faulted requests count")
}

func TestFaultBeforeAuthentication(t *testing.T) {
	s := newServer(t)
	fail(t, s, simctl.Fault{Status: 503})
	assert.Equal(t, 503, call(t, s, "GET", "/v1/payments", "", "").status)
}

func TestClearFaults(t *testing.T) {
	s := newServer(t)
	fail(t, s, simctl.Fault{Status: 500, Count: 10})
	require.NoError(t, s.ClearFaults(context.Background()))
	assert.Equal(t, 200, call(t, s, "GET", "/v1/payments", apiKey, "").status)
}

func TestFaultReset(t *testing.T) {
	s := newServer(t)
	fail(t, s, simctl.Fault{Reset: true})
	resp, err := http.Get(s.URL + "/v1/payments")
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "no answer at all")
}

func TestFaultResetMidBodyAfterProcessing(t *testing.T) {
	s := newServer(t)
	fail(t, s, simctl.Fault{ResetMidBody: true, AfterProcessing: true})
	req, _ := http.NewRequest("POST", s.URL+"/v1/payments", strings.NewReader(createBody))
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err, "the headers arrive")
	assert.Equal(t, http.StatusCreated, resp.StatusCode, "the real answer's status")
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.True(t, strings.HasPrefix(string(body), `{"id":"pay_`), "the first half of the real answer: %s", body)
	n, err := s.PaymentCount(context.Background(), "INV-1")
	require.NoError(t, err)
	assert.Equal(t, 1, n, "NodiPay acted before hanging up")
}

func TestFaultAfterProcessingStatus(t *testing.T) {
	s := newServer(t)
	fail(t, s, simctl.Fault{Status: 500, AfterProcessing: true})
	assert.Equal(t, 500, call(t, s, "POST", "/v1/payments", apiKey, createBody).status)
	n, _ := s.PaymentCount(context.Background(), "INV-1")
	assert.Equal(t, 1, n)
	fail(t, s, simctl.Fault{Status: 500})
	assert.Equal(t, 500, call(t, s, "POST", "/v1/payments", apiKey, strings.Replace(createBody, "INV-1", "INV-2", 1)).status)
	n, _ = s.PaymentCount(context.Background(), "INV-2")
	assert.Zero(t, n, "a fault before processing leaves nothing behind")
}

func TestFaultNothingAtAllIs500(t *testing.T) {
	s := newServer(t)
	fail(t, s, simctl.Fault{AfterProcessing: true})
	assert.Equal(t, 500, call(t, s, "POST", "/v1/payments", apiKey, createBody).status)
	n, _ := s.PaymentCount(context.Background(), "INV-1")
	assert.Equal(t, 1, n)
}

func TestFaultDelayLetsTheAnswerThroughLate(t *testing.T) {
	s := newServer(t)
	fail(t, s, simctl.Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	a := call(t, s, "POST", "/v1/payments", apiKey, createBody)
	assert.Equal(t, 201, a.status)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond, "held back")
}

// TestFaultDelayEndsWithTheClient: a held answer is abandoned when the
// client goes away, so a long delay cannot pin the server (Close returns).
func TestFaultDelayEndsWithTheClient(t *testing.T) {
	s := nodipaytest.NewServer(nodipaytest.WithAPIKey(apiKey))
	fail(t, s, simctl.Fault{Delay: time.Hour, AfterProcessing: true})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", s.URL+"/v1/payments", strings.NewReader(createBody))
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Content-Type", "application/json")
	_, err := http.DefaultClient.Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	n, _ := s.PaymentCount(context.Background(), "INV-1")
	assert.Equal(t, 1, n, "processed before the hold")
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close is stuck behind a held answer")
	}
}

func TestFailRejectsNonsense(t *testing.T) {
	s := newServer(t)
	for _, f := range []simctl.Fault{{Status: 42}, {Status: 600}, {Count: -1}, {Delay: -time.Second}} {
		assert.Error(t, s.Fail(context.Background(), f), "%+v", f)
	}
}

func TestCheckoutPagesAreNotAPIRequests(t *testing.T) {
	s := newServer(t)
	id := create(t, s, "INV-1")
	before := requests(t, s)
	resp, err := http.Get(s.URL + "/pay/" + id)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(body), "250.50 BDT")
	assert.Contains(t, string(body), "INV-1")
	assert.Equal(t, before, requests(t, s))
}

func TestCheckoutPay(t *testing.T) {
	s := newServer(t)
	id := create(t, s, "INV-1")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(s.URL+"/pay/"+id, url.Values{
		"action": {"pay"}, "method": {"nagad"}, "sender": {"01812345678"}, "trx_id": {"NG1"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "https://shop.example/ok", resp.Header.Get("Location"))
	a := call(t, s, "GET", "/v1/payments/"+id, apiKey, "")
	for _, want := range []string{`"status":"succeeded"`, `"wallet":"nagad"`, `"wallet_number":"01812345678"`, `"trx_id":"NG1"`} {
		assert.Contains(t, a.body, want)
	}
	resp, err = noRedirect.PostForm(s.URL+"/pay/"+id, url.Values{"action": {"cancel"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusConflict, resp.StatusCode, "a paid payment cannot be cancelled")
}

func TestCheckoutCancel(t *testing.T) {
	s := newServer(t)
	id := create(t, s, "INV-1")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(s.URL+"/pay/"+id, url.Values{"action": {"cancel"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "https://shop.example/no", resp.Header.Get("Location"))
}

func TestTransitionsOnlyFromOpen(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	id := create(t, s, "INV-1")
	require.NoError(t, s.Cancel(ctx, id))
	assert.Error(t, s.Pay(ctx, id, simctl.Payer{}))
	assert.Error(t, s.Expire(ctx, id))
	assert.Error(t, s.Pay(ctx, "pay_none", simctl.Payer{}))
	_, err := s.Notifications(ctx, "pay_none")
	assert.Error(t, err)
}

func TestPaymentsLapseWithTime(t *testing.T) {
	var mu sync.Mutex
	clock := time.Date(2025, 1, 2, 15, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	s := newServer(t, nodipaytest.WithClock(now), nodipaytest.WithCheckoutTTL(10*time.Minute))
	id := create(t, s, "INV-1")
	assert.Contains(t, call(t, s, "GET", "/v1/payments/"+id, apiKey, "").body, `"expires_at":"2025-01-02T15:10:00Z"`)
	mu.Lock()
	clock = clock.Add(10 * time.Minute)
	mu.Unlock()
	assert.Contains(t, call(t, s, "GET", "/v1/payments/"+id, apiKey, "").body, `"status":"lapsed"`)
	ns, err := s.Notifications(context.Background(), id)
	require.NoError(t, err)
	require.Len(t, ns, 1)
	assert.Contains(t, string(ns[0].Body), `"type":"payment.lapsed"`)
}

// TestNotificationsAreSignedAsDocumented checks the signature against an
// HMAC computed here, over "<t>.<body>".
func TestNotificationsAreSignedAsDocumented(t *testing.T) {
	s := newServer(t, nodipaytest.WithWebhookSecrets(whsec, "nwhsec_previous_0001"))
	id := create(t, s, "INV-1")
	start := time.Now().Unix()
	require.NoError(t, s.Pay(context.Background(), id, simctl.Payer{Method: mfspay.MethodUpay, Sender: "01612345678", TrxID: "UP1"}))
	ns, err := s.Notifications(context.Background(), id)
	require.NoError(t, err)
	require.Len(t, ns, 1)
	n := ns[0]
	assert.Equal(t, "application/json", n.Header.Get("Content-Type"))
	parts := strings.Split(n.Header.Get("Nodi-Signature"), ",")
	require.Len(t, parts, 3, "t and one v1 per secret")
	ts, ok := strings.CutPrefix(parts[0], "t=")
	require.True(t, ok)
	secs, err := strconv.ParseInt(ts, 10, 64)
	require.NoError(t, err)
	assert.InDelta(t, start, secs, 5)
	for i, sec := range []string{whsec, "nwhsec_previous_0001"} {
		m := hmac.New(sha256.New, []byte(sec))
		m.Write([]byte(ts + "." + string(n.Body)))
		assert.Equal(t, "v1="+hex.EncodeToString(m.Sum(nil)), parts[i+1])
	}
	var ev struct {
		ID, Type string
		Payment  map[string]any
	}
	require.NoError(t, json.Unmarshal(n.Body, &ev))
	assert.True(t, strings.HasPrefix(ev.ID, "evt_"))
	assert.Equal(t, "payment.succeeded", ev.Type)
	assert.Equal(t, "succeeded", ev.Payment["status"])
	assert.Equal(t, "upay", ev.Payment["wallet"])
	assert.Equal(t, float64(25050), ev.Payment["amount"]) // a test-only read of a small integer
}

// TestWebhookDeliveryRetriesWithFreshSignatures: a receiver that fails
// gets the same event again, re-signed, until it answers 2xx.
func TestWebhookDeliveryRetriesWithFreshSignatures(t *testing.T) {
	type got struct {
		sig  string
		body string
	}
	deliveries := make(chan got, 10)
	var mu sync.Mutex
	answers := []int{500, 503, 200}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		deliveries <- got{r.Header.Get("Nodi-Signature"), string(b)}
		mu.Lock()
		code := answers[0]
		answers = answers[1:]
		mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(receiver.Close)
	s := newServer(t)
	body := strings.Replace(createBody, `"currency"`, `"webhook_url":"`+receiver.URL+`","currency"`, 1)
	a := call(t, s, "POST", "/v1/payments", apiKey, body)
	require.Equal(t, 201, a.status, a.body)
	var p struct{ ID string }
	require.NoError(t, jsonUnmarshal(a.body, &p))
	require.NoError(t, s.Cancel(context.Background(), p.ID))
	var all []got
	for range 3 {
		select {
		case d := <-deliveries:
			all = append(all, d)
		case <-time.After(10 * time.Second):
			t.Fatal("a delivery did not come")
		}
	}
	for _, d := range all[1:] {
		assert.Equal(t, all[0].body, d.body, "the same event")
	}
	assert.Contains(t, all[0].body, `"type":"payment.abandoned"`)
	ns, err := s.Notifications(context.Background(), p.ID)
	require.NoError(t, err)
	require.Len(t, ns, 1, "retries are not distinct notifications")
	assert.Equal(t, all[0].sig, ns[0].Header.Get("Nodi-Signature"))
	s.Close() // waits for deliveries: no fourth one may come
	select {
	case d := <-deliveries:
		t.Fatalf("delivered after a 2xx: %v", d)
	default:
	}
}

func TestConcurrentCreatesHoldOnePaymentPerInvoice(t *testing.T) {
	s := newServer(t)
	var wg sync.WaitGroup
	codes := make([]int, 20)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", s.URL+"/v1/payments", strings.NewReader(createBody))
			req.Header.Set("Authorization", "Bearer "+apiKey)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				codes[i] = -1
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	created := 0
	for _, c := range codes {
		if c == 201 {
			created++
		} else {
			assert.Equal(t, 409, c)
		}
	}
	assert.Equal(t, 1, created)
	n, _ := s.PaymentCount(context.Background(), "INV-1")
	assert.Equal(t, 1, n)
}

func TestCloseIsIdempotent(t *testing.T) {
	s := nodipaytest.NewServer()
	s.Close()
	s.Close()
	_, err := http.Get(s.URL + "/v1/payments")
	assert.Error(t, err, "the listener is gone")
}
