package wezopaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

// answer is one decoded API answer.
type answer struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

func call(t *testing.T, s *Server, method, path, key, body string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.BaseURL()+path, rd)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_ = dec.Decode(&a.body)
	return a
}

func createBody(invoice, amount string) string {
	return fmt.Sprintf(`{"amount": %s, "currency": "BDT", "invoice_id": %q,
		"customer_name": "Rahim Khan", "customer_email": "rahim@example.com", "customer_phone": "01712345678",
		"success_url": "https://shop.example/success", "cancel_url": "https://shop.example/cancel",
		"metadata": {"order_id": "ORD-123", "n": 5}}`, amount, invoice)
}

func data(a answer) map[string]any { d, _ := a.body["data"].(map[string]any); return d }

func TestAuth(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tests := []struct {
		name, method, path, key string
		want                    int
	}{
		{"missing key", "GET", "/payments/list", "", 401},
		{"wrong key", "GET", "/payments/list", "wpk_nope", 401},
		{"read-only key lists", "GET", "/payments/list", s.ReadOnlyKey(), 200},
		{"read-only key cannot create", "POST", "/payments/create", s.ReadOnlyKey(), 403},
		{"full key creates", "POST", "/payments/create", s.APIKey(), 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := ""
			if tt.method == "POST" {
				body = createBody("INV-"+strings.ReplaceAll(tt.name, " ", "-"), "10")
			}
			a := call(t, s, tt.method, tt.path, tt.key, body)
			assert.Equal(t, tt.want, a.status, a.raw)
			if tt.want >= 400 {
				assert.Equal(t, false, a.body["success"])
				assert.NotEmpty(t, a.body["error"])
			}
		})
	}
	assert.Equal(t, 0, s.Store.CountByInvoice("INV-read-only-key-cannot-create"))
}

func TestCreateAndVerify(t *testing.T) {
	clock := simkit.NewManualClock(time.Date(2026, 6, 8, 12, 0, 0, 0, time.UTC))
	s := NewServer(WithClock(clock.Now))
	defer s.Close()

	a := call(t, s, "POST", "/payments/create", s.APIKey(), createBody("INV-001", "250.00"))
	require.Equal(t, 201, a.status, a.raw)
	assert.Equal(t, true, a.body["success"])
	token := data(a)["token"].(string)
	assert.True(t, strings.HasPrefix(token, "pay_"))
	assert.Equal(t, s.URL+"/p/"+token, data(a)["payment_url"])
	assert.Equal(t, "2026-06-08T12:30:00Z", data(a)["expires_at"])

	p, ok := s.Payment(token)
	require.True(t, ok)
	assert.Equal(t, mfspay.Poisha(25000), p.Amount)
	assert.Equal(t, map[string]string{"order_id": "ORD-123", "n": "5"}, p.Metadata)
	assert.Equal(t, "rahim@example.com", p.CustomerEmail)

	for _, q := range []string{"?invoice_id=INV-001", "?token=" + token, "?token=" + token + "&invoice_id=INV-001"} {
		v := call(t, s, "GET", "/payments/verify"+q, s.APIKey(), "")
		require.Equal(t, 200, v.status, v.raw)
		assert.Contains(t, v.raw, `"amount":250.00`, "amount is a number literal with two decimals")
		assert.Contains(t, v.raw, `"trx_id":null`)
		assert.Contains(t, v.raw, `"paid_at":null`)
		assert.NotContains(t, v.raw, `"method"`, "method appears once paid")
		assert.Equal(t, "pending", data(v)["status"])
	}

	require.NoError(t, s.Pay(context.Background(), token, simctl.Payer{Method: mfspay.MethodNagad, Sender: "01812345678", TrxID: "8N2K3TEST12"}))
	v := call(t, s, "GET", "/payments/verify?invoice_id=INV-001", s.ReadOnlyKey(), "")
	assert.Equal(t, "paid", data(v)["status"])
	assert.Equal(t, "8N2K3TEST12", data(v)["trx_id"])
	assert.Equal(t, "2026-06-08T12:00:00Z", data(v)["paid_at"])
	assert.Equal(t, "nagad", data(v)["method"])
	assert.Equal(t, "01812345678", data(v)["sender"])
}

func TestCreateValidation(t *testing.T) {
	s := NewServer()
	defer s.Close()
	valid := map[string]string{
		"amount": `10.50`, "currency": `"BDT"`, "invoice_id": `"INV-V"`,
		"success_url": `"https://a.example/s"`, "cancel_url": `"https://a.example/c"`,
	}
	body := func(override map[string]string) string {
		var parts []string
		for k, v := range valid {
			if o, ok := override[k]; ok {
				v = o
			}
			if v != "" {
				parts = append(parts, fmt.Sprintf("%q:%s", k, v))
			}
		}
		for k, v := range override {
			if _, ok := valid[k]; !ok {
				parts = append(parts, fmt.Sprintf("%q:%s", k, v))
			}
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	tests := []struct {
		name     string
		body     string
		want     int
		field    string
		contains string
	}{
		{"malformed json", `{"amount": 1,`, 400, "", "Malformed"},
		{"not an object", `[1,2]`, 400, "", "Malformed"},
		{"trailing data", body(nil) + "x", 400, "", "Malformed"},
		{"amount as string", body(map[string]string{"amount": `"250.00"`}), 422, "amount", "must be a number"},
		{"amount with three decimals", body(map[string]string{"amount": `1.005`}), 422, "amount", "at most two decimals"},
		{"amount with exponent", body(map[string]string{"amount": `1e3`}), 422, "amount", "at most two decimals"},
		{"amount negative", body(map[string]string{"amount": `-5`}), 422, "amount", "a positive number"},
		{"amount zero", body(map[string]string{"amount": `0.00`}), 422, "amount", "a positive number"},
		{"amount missing", body(map[string]string{"amount": ``}), 422, "amount", "required"},
		{"currency other", body(map[string]string{"currency": `"USD"`}), 422, "currency", "invalid"},
		{"invoice missing", body(map[string]string{"invoice_id": ``}), 422, "invoice_id", "required"},
		{"invoice not a string", body(map[string]string{"invoice_id": `42`}), 422, "invoice_id", "must be a string"},
		{"bad email", body(map[string]string{"customer_email": `"a@"`}), 422, "customer_email", "valid email"},
		{"bad url", body(map[string]string{"success_url": `"ftp://x"`}), 422, "success_url", "valid URL"},
		{"nested metadata", body(map[string]string{"metadata": `{"a":{"b":1}}`}), 422, "metadata", "scalars"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, s, "POST", "/payments/create", s.APIKey(), tt.body)
			require.Equal(t, tt.want, a.status, a.raw)
			assert.Contains(t, a.body["error"], tt.contains)
			if tt.field != "" {
				errs, _ := a.body["errors"].(map[string]any)
				require.Contains(t, errs, tt.field, a.raw)
			}
		})
	}
	a := call(t, s, "POST", "/payments/create", s.APIKey(), body(map[string]string{"amount": `"x"`, "invoice_id": ``}))
	assert.Contains(t, a.body["error"], "(and 1 more error)")
	assert.Zero(t, s.Store.Len(), "nothing invalid was stored")

	req, _ := http.NewRequest("POST", s.BaseURL()+"/payments/create", strings.NewReader(body(nil)))
	req.Header.Set("X-API-Key", s.APIKey())
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode, "a JSON API wants a JSON content type")
}

func TestAmountsAreExact(t *testing.T) {
	s := NewServer()
	defer s.Close()
	for i, lit := range []string{"0.01", "50.10", "79.10", "79.1", "250", "99999999.99"} {
		inv := fmt.Sprintf("INV-A%d", i)
		a := call(t, s, "POST", "/payments/create", s.APIKey(), createBody(inv, lit))
		require.Equal(t, 201, a.status, a.raw)
		want, err := mfspay.ParseAmount(lit)
		require.NoError(t, err)
		p, _ := s.PaymentByInvoice(inv)
		assert.Equal(t, want, p.Amount, lit)
		v := call(t, s, "GET", "/payments/verify?invoice_id="+inv, s.APIKey(), "")
		assert.Contains(t, v.raw, `"amount":`+want.String()+`,`)
	}
}

func TestDuplicateInvoiceAndNotFound(t *testing.T) {
	s := NewServer()
	defer s.Close()
	require.Equal(t, 201, call(t, s, "POST", "/payments/create", s.APIKey(), createBody("INV-D", "10")).status)
	a := call(t, s, "POST", "/payments/create", s.APIKey(), createBody("INV-D", "10"))
	assert.Equal(t, 422, a.status)
	assert.JSONEq(t, `{"success":false,"error":"invoice_id already exists"}`, a.raw)
	n, _ := s.PaymentCount(context.Background(), "INV-D")
	assert.Equal(t, 1, n)

	for _, q := range []string{"?invoice_id=NOPE", "?token=pay_nope"} {
		a = call(t, s, "GET", "/payments/verify"+q, s.APIKey(), "")
		assert.Equal(t, 404, a.status)
		assert.JSONEq(t, `{"success":false,"error":"Payment not found"}`, a.raw)
	}
	a = call(t, s, "GET", "/payments/verify", s.APIKey(), "")
	assert.Equal(t, 400, a.status)
	a = call(t, s, "GET", "/payments/nothing", s.APIKey(), "")
	assert.Equal(t, 404, a.status)
}

func TestListPagination(t *testing.T) {
	s := NewServer()
	defer s.Close()
	const n = 23
	for i := range n {
		a := call(t, s, "POST", "/payments/create", s.APIKey(), createBody(fmt.Sprintf("INV-L%02d", i), "1"))
		require.Equal(t, 201, a.status)
		if i%4 == 0 {
			require.NoError(t, s.Cancel(context.Background(), data(a)["token"].(string)))
		}
	}
	seen := map[string]bool{}
	var invoices []string
	for page := 1; page <= 3; page++ {
		a := call(t, s, "GET", fmt.Sprintf("/payments/list?page=%d&per_page=10", page), s.APIKey(), "")
		require.Equal(t, 200, a.status, a.raw)
		meta := a.body["meta"].(map[string]any)
		assert.Equal(t, json.Number(fmt.Sprint(page)), meta["page"])
		assert.Equal(t, json.Number("10"), meta["per_page"])
		assert.Equal(t, json.Number("23"), meta["total"])
		assert.Equal(t, json.Number("3"), meta["last_page"])
		for _, item := range a.body["data"].([]any) {
			m := item.(map[string]any)
			assert.False(t, seen[m["token"].(string)])
			seen[m["token"].(string)] = true
			invoices = append(invoices, m["invoice_id"].(string))
		}
	}
	assert.Len(t, seen, n)
	assert.IsDecreasing(t, invoices, "newest first")

	a := call(t, s, "GET", "/payments/list?status=cancelled&per_page=100", s.APIKey(), "")
	assert.Len(t, a.body["data"], 6)
	a = call(t, s, "GET", "/payments/list", s.APIKey(), "")
	assert.Equal(t, json.Number("20"), a.body["meta"].(map[string]any)["per_page"], "default page size")
	a = call(t, s, "GET", "/payments/list?page=9", s.APIKey(), "")
	assert.Empty(t, a.body["data"])
	assert.Equal(t, "[]", string(mustJSON(a.body["data"])), "an empty page is [], not null")

	for _, q := range []string{"per_page=101", "per_page=0", "page=0", "page=x", "status=refunded", "per_page=99999999999999999999"} {
		a := call(t, s, "GET", "/payments/list?"+q, s.APIKey(), "")
		assert.Equal(t, 422, a.status, q)
		assert.NotEmpty(t, a.body["errors"], q)
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

func TestRateLimit(t *testing.T) {
	clock := simkit.NewManualClock(time.Unix(0, 0))
	s := NewServer(WithClock(clock.Now), WithRateLimit(2, 2*time.Second))
	defer s.Close()
	for range 2 {
		assert.Equal(t, 200, call(t, s, "GET", "/payments/list", s.APIKey(), "").status)
	}
	a := call(t, s, "GET", "/payments/list", s.APIKey(), "")
	assert.Equal(t, 429, a.status)
	assert.Equal(t, "1", a.header.Get("Retry-After"))
	assert.Equal(t, false, a.body["success"])
	assert.Equal(t, 200, call(t, s, "GET", "/payments/list", s.ReadOnlyKey(), "").status, "per key")
	clock.Advance(time.Second)
	assert.Equal(t, 200, call(t, s, "GET", "/payments/list", s.APIKey(), "").status)
}

// hook is a webhook receiver that keeps what it got.
type hook struct {
	got chan mfspay.WebhookRequest
}

func newHook(t *testing.T) (*hook, string) {
	h := &hook{got: make(chan mfspay.WebhookRequest, 16)}
	srv := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.got <- mfspay.WebhookRequest{Header: r.Header.Clone(), Body: b}
	}))
	return h, srv
}

func (h *hook) next(t *testing.T) mfspay.WebhookRequest {
	t.Helper()
	select {
	case w := <-h.got:
		return w
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook arrived")
		return mfspay.WebhookRequest{}
	}
}

func TestExpiryOnRead(t *testing.T) {
	clock := simkit.NewManualClock(time.Date(2026, 6, 8, 12, 0, 0, 0, time.UTC))
	s := NewServer(WithClock(clock.Now))
	defer s.Close()
	h, hookURL := newHook(t)
	body := strings.Replace(createBody("INV-E", "5"), `"metadata"`, `"webhook_url": "`+hookURL+`", "metadata"`, 1)
	a := call(t, s, "POST", "/payments/create", s.APIKey(), body)
	require.Equal(t, 201, a.status, a.raw)
	token := data(a)["token"].(string)

	clock.Advance(29*time.Minute + 59*time.Second)
	assert.Equal(t, "pending", data(call(t, s, "GET", "/payments/verify?token="+token, s.APIKey(), ""))["status"])
	clock.Advance(time.Second)
	assert.Equal(t, "expired", data(call(t, s, "GET", "/payments/verify?token="+token, s.APIKey(), ""))["status"])

	w := h.next(t)
	assert.JSONEq(t, fmt.Sprintf(`{"event":"payment.expired","token":%q,"invoice_id":"INV-E","status":"expired","amount":5.00,"trx_id":null,"paid_at":null}`, token), string(w.Body))
	assert.ErrorIs(t, s.Pay(context.Background(), token, simctl.Payer{}), ErrNotPending)
	notes, _ := s.Notifications(context.Background(), token)
	assert.Len(t, notes, 1, "expiry is announced once")
}

func TestSweepAndExpire(t *testing.T) {
	clock := simkit.NewManualClock(time.Date(2026, 6, 8, 12, 0, 0, 0, time.UTC))
	s := NewServer(WithClock(clock.Now), WithExpiry(time.Minute))
	defer s.Close()
	a := call(t, s, "POST", "/payments/create", s.APIKey(), createBody("INV-S1", "5"))
	t1 := data(a)["token"].(string)
	a = call(t, s, "POST", "/payments/create", s.APIKey(), createBody("INV-S2", "5"))
	t2 := data(a)["token"].(string)

	require.NoError(t, s.Expire(context.Background(), t2))
	assert.ErrorIs(t, s.Expire(context.Background(), t2), ErrNotPending)
	clock.Advance(time.Minute)
	a = call(t, s, "GET", "/payments/list?status=expired", s.APIKey(), "")
	assert.Len(t, a.body["data"], 2, "listing expires overdue payments first")
	p, _ := s.Payment(t1)
	assert.Equal(t, StatusExpired, p.Status)
	assert.ErrorIs(t, s.Cancel(context.Background(), "pay_missing"), ErrUnknownPayment)
}

func TestWebhookSignedAndRetried(t *testing.T) {
	s := NewServer(WithWebhookSecret("whsec_test"), WithDelivery(4, time.Millisecond))
	defer s.Close()
	var codes = []int{500, 502}
	got := make(chan mfspay.WebhookRequest, 8)
	hookURL := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- mfspay.WebhookRequest{Header: r.Header.Clone(), Body: b}
		if len(codes) > 0 {
			w.WriteHeader(codes[0])
			codes = codes[1:]
		}
	}))
	body := strings.Replace(createBody("INV-W", "250.00"), `"metadata"`, `"webhook_url": "`+hookURL+`", "metadata"`, 1)
	a := call(t, s, "POST", "/payments/create", s.APIKey(), body)
	token := data(a)["token"].(string)
	require.NoError(t, s.Pay(context.Background(), token, simctl.Payer{Method: mfspay.MethodRocket, Sender: "01912345678", TrxID: "ABC123XYZ"}))
	require.NoError(t, s.WaitDeliveries(context.Background()))

	require.Len(t, got, 3, "two failures, then delivered")
	var first mfspay.WebhookRequest
	for i := range 3 {
		w := <-got
		if i == 0 {
			first = w
		}
		assert.Equal(t, first.Body, w.Body, "re-deliveries are byte-identical")
	}
	sig := first.Header.Get("X-WezoPay-Signature")
	assert.Equal(t, kit.SignHMACSHA256(first.Body, "whsec_test"), sig)
	assert.Equal(t, "application/json", first.Header.Get("Content-Type"))
	var payload map[string]any
	dec := json.NewDecoder(bytes.NewReader(first.Body))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&payload))
	assert.Equal(t, []string{"amount", "event", "invoice_id", "paid_at", "status", "token", "trx_id"}, slices.Sorted(maps.Keys(payload)))
	assert.Contains(t, string(first.Body), `"amount":250.00`)
	assert.Equal(t, "payment.completed", payload["event"])
	assert.Equal(t, "paid", payload["status"])
	assert.Equal(t, "ABC123XYZ", payload["trx_id"])

	ds := s.Deliveries()
	require.Len(t, ds, 1)
	assert.True(t, ds[0].Delivered)
	assert.Len(t, ds[0].Attempts, 3)
	notes, err := s.Notifications(context.Background(), token)
	require.NoError(t, err)
	require.Len(t, notes, 1, "one distinct notification, however many deliveries")
	assert.Equal(t, first.Body, notes[0].Body)
}
