package eazzpaytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
)

const secret = "esk_test_sim_0123456789"

var bg = context.Background()

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func newServer(t *testing.T, opts ...eazzpaytest.Option) *eazzpaytest.Server {
	t.Helper()
	s := eazzpaytest.NewServer(append([]eazzpaytest.Option{
		eazzpaytest.WithClientSecret(secret), eazzpaytest.WithDelivery(3, time.Millisecond),
	}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

// validBody is an initiate body that passes every check.
func validBody() map[string]any {
	return map[string]any{
		"cus_name":    "Rahim Khan",
		"amount":      json.Number("250.50"),
		"metadata":    `{"invoice_id":"INV-100001"}`,
		"success_url": "https://shop.example/success",
		"cancel_url":  "https://shop.example/cancel",
		"ipn_url":     "https://shop.example/ipn?invoice_id=INV-100001",
		"ipn_method":  "POST",
	}
}

type answer struct {
	Status int
	Header http.Header
	Body   map[string]any
}

func post(t *testing.T, s *eazzpaytest.Server, sec, contentType string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.BaseURL()+"/payments/initiate", bytes.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if sec != "" {
		req.Header.Set("eazzpay-client-secret", sec)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{Status: resp.StatusCode, Header: resp.Header}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&a.Body), "every API answer is JSON: %s", raw)
	return a
}

func initiate(t *testing.T, s *eazzpaytest.Server, body map[string]any) answer {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return post(t, s, secret, "application/json", b)
}

// create initiates validBody with changes and returns the payment id.
func create(t *testing.T, s *eazzpaytest.Server, change func(map[string]any)) string {
	t.Helper()
	body := validBody()
	if change != nil {
		change(body)
	}
	a := initiate(t, s, body)
	require.Equal(t, http.StatusCreated, a.Status, a.Body)
	return a.Body["data"].(map[string]any)["payment_id"].(string)
}

func TestInitiateCreatesPayment(t *testing.T) {
	s := newServer(t)
	a := initiate(t, s, validBody())
	require.Equal(t, http.StatusCreated, a.Status)
	assert.Equal(t, json.Number("201"), a.Body["code"])
	data := a.Body["data"].(map[string]any)
	id := data["payment_id"].(string)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{24}$`), id)
	assert.Equal(t, "INITIATED", data["transaction_status"])
	assert.Equal(t, json.Number("250.50"), data["amount"])
	assert.Equal(t, s.URL+"/checkout/"+id, data["eazzpay_url"])
	assert.NotEmpty(t, data["reference"])

	n, err := s.PaymentCount(bg, "INV-100001")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	count, err := s.RequestCount(bg)
	require.NoError(t, err)
	assert.Equal(t, 1, count)
}

func TestInitiateHasNoDuplicateCheck(t *testing.T) {
	s := newServer(t)
	first, second := create(t, s, nil), create(t, s, nil)
	assert.NotEqual(t, first, second)
	n, err := s.PaymentCount(bg, "INV-100001")
	require.NoError(t, err)
	assert.Equal(t, 2, n, "EazzPay has no invoice field: a repeat is a second payment")
}

func TestInitiateReadsInvoiceFromMetadataOrIPNURL(t *testing.T) {
	s := newServer(t)
	create(t, s, func(b map[string]any) {
		b["metadata"] = ""
		b["ipn_url"] = "https://shop.example/ipn?x=1&invoice_id=FROM-QUERY"
	})
	create(t, s, func(b map[string]any) {
		b["metadata"] = `{"invoice_id":"FROM-META"}`
		b["ipn_url"] = "https://shop.example/ipn"
	})
	create(t, s, func(b map[string]any) { delete(b, "metadata"); b["ipn_url"] = "https://shop.example/ipn" })
	for invoice, want := range map[string]int{"FROM-QUERY": 1, "FROM-META": 1, "": 1} {
		n, err := s.PaymentCount(bg, invoice)
		require.NoError(t, err)
		assert.Equal(t, want, n, invoice)
	}
}

func TestInitiateAuthentication(t *testing.T) {
	s := newServer(t)
	b, _ := json.Marshal(validBody())
	for name, sec := range map[string]string{"missing": "", "wrong": "esk_test_wrong", "prefix": secret[:10]} {
		t.Run(name, func(t *testing.T) {
			a := post(t, s, sec, "application/json", b)
			assert.Equal(t, http.StatusUnauthorized, a.Status)
			assert.Equal(t, json.Number("401"), a.Body["code"])
			assert.NotContains(t, a.Body["message"], secret)
		})
	}
	n, _ := s.PaymentCount(bg, "INV-100001")
	assert.Zero(t, n)
}

func TestInitiateValidation(t *testing.T) {
	s := newServer(t)
	str := func(n int) string { return strings.Repeat("x", n) }
	urlOf := func(n int) string { return "https://s.example/" + str(n-len("https://s.example/")) }
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		status int
		msg    string
	}{
		{"cus_name 100", func(b map[string]any) { b["cus_name"] = str(100) }, 201, ""},
		{"cus_name 101", func(b map[string]any) { b["cus_name"] = str(101) }, 422, "The cus_name must not be greater than 100 characters."},
		{"cus_name missing", func(b map[string]any) { delete(b, "cus_name") }, 422, "The cus_name field is required."},
		{"cus_name empty", func(b map[string]any) { b["cus_name"] = "" }, 422, "The cus_name field is required."},
		{"cus_name number", func(b map[string]any) { b["cus_name"] = 5 }, 422, "The cus_name must be a string."},
		{"amount missing", func(b map[string]any) { delete(b, "amount") }, 422, "The amount field is required."},
		{"amount string", func(b map[string]any) { b["amount"] = "250.50" }, 422, "The amount must be a number."},
		{"amount zero", func(b map[string]any) { b["amount"] = json.Number("0") }, 422, "The amount must be a positive number with at most two decimals."},
		{"amount three decimals", func(b map[string]any) { b["amount"] = json.Number("1.005") }, 422, "The amount must be a positive number with at most two decimals."},
		{"amount exponent", func(b map[string]any) { b["amount"] = json.Number("1e2") }, 422, "The amount must be a positive number with at most two decimals."},
		{"metadata 1000", func(b map[string]any) { b["metadata"] = str(1000) }, 201, ""},
		{"metadata 1001", func(b map[string]any) { b["metadata"] = str(1001) }, 422, "The metadata must not be greater than 1000 characters."},
		{"metadata object", func(b map[string]any) { b["metadata"] = map[string]any{"a": 1} }, 422, "The metadata must be a string."},
		{"metadata missing", func(b map[string]any) { delete(b, "metadata") }, 201, ""},
		{"success_url 100", func(b map[string]any) { b["success_url"] = urlOf(100) }, 201, ""},
		{"success_url 101", func(b map[string]any) { b["success_url"] = urlOf(101) }, 422, "The success_url must not be greater than 100 characters."},
		{"cancel_url 101", func(b map[string]any) { b["cancel_url"] = urlOf(101) }, 422, "The cancel_url must not be greater than 100 characters."},
		{"ipn_url 100", func(b map[string]any) { b["ipn_url"] = urlOf(100) }, 201, ""},
		{"ipn_url 101", func(b map[string]any) { b["ipn_url"] = urlOf(101) }, 422, "The ipn_url must not be greater than 100 characters."},
		{"ipn_url missing", func(b map[string]any) { delete(b, "ipn_url") }, 422, "The ipn_url field is required."},
		{"ipn_url relative", func(b map[string]any) { b["ipn_url"] = "/ipn" }, 422, "The ipn_url must be a valid URL."},
		{"ipn_method default", func(b map[string]any) { delete(b, "ipn_method") }, 201, ""},
		{"ipn_method PATCH", func(b map[string]any) { b["ipn_method"] = "PATCH" }, 201, ""},
		{"ipn_method bogus", func(b map[string]any) { b["ipn_method"] = "post" }, 422, "The selected ipn_method is invalid."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := validBody()
			tc.change(body)
			a := initiate(t, s, body)
			assert.Equal(t, tc.status, a.Status)
			assert.Equal(t, json.Number(itoa(tc.status)), a.Body["code"], "code mirrors the status")
			if tc.msg != "" {
				assert.Equal(t, tc.msg, a.Body["message"])
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestInitiateMalformedRequests(t *testing.T) {
	s := newServer(t)
	b, _ := json.Marshal(validBody())
	assert.Equal(t, http.StatusBadRequest, post(t, s, secret, "application/json", []byte(`{"cus_name":`)).Status)
	assert.Equal(t, http.StatusBadRequest, post(t, s, secret, "application/json", []byte(`[1]`)).Status)
	assert.Equal(t, http.StatusUnsupportedMediaType, post(t, s, secret, "text/plain", b).Status)
	assert.Equal(t, http.StatusCreated, post(t, s, secret, "application/json; charset=utf-8", b).Status)

	resp, err := http.Get(s.BaseURL() + "/payments/initiate")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	resp, err = http.Post(s.BaseURL()+"/payments/verify", "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "no verify endpoint exists")

	count, _ := s.RequestCount(bg)
	assert.Equal(t, 6, count, "every API request is counted")
}

func TestRequestsAreLogged(t *testing.T) {
	s := newServer(t)
	create(t, s, nil)
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/api/v1/payments/initiate", reqs[0].Path)
	assert.Equal(t, secret, reqs[0].Header.Get("eazzpay-client-secret"))
	assert.Equal(t, http.StatusCreated, reqs[0].Status)
	assert.Contains(t, string(reqs[0].Body), `"amount":250.50`)
}

// receiver records every notification it gets, answering with codes in
// turn (then 200).
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	codes []int
	got   []got
}

type got struct {
	Method string
	Query  url.Values
	Header http.Header
	Body   string
}

func newReceiver(t *testing.T, codes ...int) *receiver {
	rv := &receiver{codes: codes}
	rv.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rv.mu.Lock()
		rv.got = append(rv.got, got{r.Method, r.URL.Query(), r.Header.Clone(), string(b)})
		code := http.StatusOK
		if len(rv.codes) > 0 {
			code, rv.codes = rv.codes[0], rv.codes[1:]
		}
		rv.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(rv.Close)
	return rv
}

func (rv *receiver) Got() []got {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([]got(nil), rv.got...)
}

// submit posts the hosted page's form.
func submit(t *testing.T, s *eazzpaytest.Server, id string, form url.Values) *http.Response {
	t.Helper()
	resp, err := noRedirect.PostForm(s.URL+"/checkout/"+id, form)
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestHostedPagePay(t *testing.T) {
	ipn, listener := newReceiver(t, 500), newReceiver(t)
	s := newServer(t, eazzpaytest.WithWebhookURL(listener.URL+"/listener"))
	id := create(t, s, func(b map[string]any) { b["ipn_url"] = ipn.URL + "/ipn?invoice_id=INV-100001" })

	page, err := http.Get(s.URL + "/checkout/" + id)
	require.NoError(t, err)
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	assert.Equal(t, http.StatusOK, page.StatusCode)
	assert.Contains(t, string(html), "250.50")
	assert.Contains(t, string(html), `value="OK_WALLET"`)

	resp := submit(t, s, id, url.Values{"action": {"pay"}, "method": {"NAGAD"}, "sender": {"01812345678"}, "trx_id": {"NG7K2M9Q1X"}})
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "https://shop.example/success", resp.Header.Get("Location"))
	require.NoError(t, s.WaitNotifications(bg))

	ipns := ipn.Got()
	require.Len(t, ipns, 2, "the IPN is retried after a 500")
	assert.Equal(t, ipns[0], ipns[1], "a retry carries the same bytes")
	assert.Equal(t, http.MethodPost, ipns[1].Method)
	assert.Equal(t, "INV-100001", ipns[1].Query.Get("invoice_id"))
	assert.Equal(t, secret, ipns[1].Header.Get("eazzpay-client-secret"))
	assert.JSONEq(t, `{"payment_id":"`+id+`","reference":"`+ipnRef(t, ipns[1].Body)+`","amount":250.50,`+
		`"transaction_fee":4.63,"total":255.13,"metadata":"{\"invoice_id\":\"INV-100001\"}",`+
		`"payment_method":"MOBILE_BANKING","mfs_payment_method":"NAGAD","mfs_payment_account_type":"PERSONAL",`+
		`"status":"COMPLETED"}`, ipns[1].Body)
	assert.Contains(t, ipns[1].Body, `"amount":250.50`, "amounts are exact literals")

	ls := listener.Got()
	require.Len(t, ls, 1)
	assert.Equal(t, secret, ls[0].Header.Get("eazzpay-client-secret"))
	var lb map[string]any
	require.NoError(t, json.Unmarshal([]byte(ls[0].Body), &lb))
	assert.Equal(t, "250.50", lb["amount"])
	assert.Equal(t, "NAGAD", lb["payment_method"])
	assert.Equal(t, "01812345678", lb["sender_number"])
	assert.Equal(t, "NG7K2M9Q1X", lb["transaction_id"])
	assert.Equal(t, "INV-100001", lb["reference"])
	assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`, lb["date_time"])

	notes, err := s.Notifications(bg, id)
	require.NoError(t, err)
	require.Len(t, notes, 2, "one IPN and one listener notification, whatever the retries")
	assert.Equal(t, ipns[1].Body, string(notes[0].Body))
	assert.Equal(t, "INV-100001", notes[0].Query.Get("invoice_id"))
	assert.Equal(t, ls[0].Body, string(notes[1].Body))

	again := submit(t, s, id, url.Values{"action": {"cancel"}})
	assert.Equal(t, http.StatusConflict, again.StatusCode, "a final payment cannot change")
}

func ipnRef(t *testing.T, body string) string {
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &m))
	return m["reference"].(string)
}

func TestHostedPageCancel(t *testing.T) {
	ipn := newReceiver(t)
	s := newServer(t)
	id := create(t, s, func(b map[string]any) { b["ipn_url"] = ipn.URL + "/ipn?invoice_id=INV-100001" })
	resp := submit(t, s, id, url.Values{"action": {"cancel"}})
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "https://shop.example/cancel", resp.Header.Get("Location"))
	require.NoError(t, s.WaitNotifications(bg))
	got := ipn.Got()
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Body, `"status":"CANCELED"`)
	assert.NotContains(t, got[0].Body, "payment_method", "no method was chosen")
}

func TestHostedPageRejectsBadInput(t *testing.T) {
	s := newServer(t)
	id := create(t, s, nil)
	for name, form := range map[string]url.Values{
		"no wallet":      {"action": {"pay"}, "sender": {"01711111111"}, "trx_id": {"ABC123"}},
		"unknown wallet": {"action": {"pay"}, "method": {"PAYPAL"}, "sender": {"01711111111"}, "trx_id": {"ABC123"}},
		"bad sender":     {"action": {"pay"}, "method": {"BKASH"}, "sender": {"abc"}, "trx_id": {"ABC123"}},
		"short trx":      {"action": {"pay"}, "method": {"BKASH"}, "sender": {"01711111111"}, "trx_id": {"ABC12"}},
		"long trx":       {"action": {"pay"}, "method": {"BKASH"}, "sender": {"01711111111"}, "trx_id": {"ABCDEFGHIJ123456"}},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, http.StatusUnprocessableEntity, submit(t, s, id, form).StatusCode)
		})
	}
	assert.Equal(t, http.StatusBadRequest, submit(t, s, id, url.Values{"action": {"refund"}}).StatusCode)
	assert.Equal(t, http.StatusNotFound, submit(t, s, "000000000000000000000000", url.Values{"action": {"cancel"}}).StatusCode)
	notes, _ := s.Notifications(bg, id)
	assert.Empty(t, notes)
}

func TestControllerPayCancelExpire(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		name   string
		act    func(id string) error
		status string
	}{
		{"pay", func(id string) error { return s.Pay(bg, id, simctlPayer("bkash")) }, "COMPLETED"},
		{"pay bank", func(id string) error { return s.Pay(bg, id, simctlPayer("bank")) }, "COMPLETED"},
		{"cancel", func(id string) error { return s.Cancel(bg, id) }, "CANCELED"},
		{"expire", func(id string) error { return s.Expire(bg, id) }, "FAILED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := create(t, s, nil)
			require.NoError(t, tc.act(id))
			notes, err := s.Notifications(bg, id)
			require.NoError(t, err)
			require.NotEmpty(t, notes)
			assert.Contains(t, string(notes[0].Body), `"status":"`+tc.status+`"`)
			assert.Error(t, tc.act(id), "a final payment cannot change")
		})
	}
	require.Error(t, s.Cancel(bg, "nope"))
}

func TestDashboardListsPayments(t *testing.T) {
	s := newServer(t)
	id := create(t, s, nil)
	resp, err := http.Get(s.URL + "/_dashboard")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), id)
	assert.NotContains(t, string(body), secret)
	count, _ := s.RequestCount(bg)
	assert.Equal(t, 1, count, "pages are not API requests")
}

func TestRateLimit(t *testing.T) {
	s := newServer(t, eazzpaytest.WithRateLimit(1, time.Hour))
	create(t, s, nil)
	a := initiate(t, s, validBody())
	assert.Equal(t, http.StatusTooManyRequests, a.Status)
	assert.Equal(t, json.Number("429"), a.Body["code"])
	assert.NotEmpty(t, a.Header.Get("Retry-After"))
}

func TestListenerTimeIsDhakaTime(t *testing.T) {
	paidAt := time.Date(2023, 11, 27, 6, 34, 56, 0, time.UTC)
	listener := newReceiver(t)
	s := newServer(t, eazzpaytest.WithClock(func() time.Time { return paidAt }),
		eazzpaytest.WithWebhookURL(listener.URL))
	id := create(t, s, nil)
	require.NoError(t, s.Pay(bg, id, simctlPayer("upay")))
	require.NoError(t, s.WaitNotifications(bg))
	got := listener.Got()
	require.Len(t, got, 1)
	assert.JSONEq(t, `{"amount":"250.50","payment_method":"UPAY","sender_number":"01911111111",`+
		`"transaction_id":"TRX9988776","reference":"INV-100001","date_time":"2023-11-27 12:34:56"}`, got[0].Body)
}

func TestListenerOmitsReferenceOutsideSixToFifteen(t *testing.T) {
	s := newServer(t)
	id := create(t, s, func(b map[string]any) {
		b["metadata"] = `{"invoice_id":"INV-2024-000000042"}` // 17 characters
	})
	require.NoError(t, s.Pay(bg, id, simctlPayer("bkash")))
	notes, err := s.Notifications(bg, id)
	require.NoError(t, err)
	require.Len(t, notes, 2)
	assert.NotContains(t, string(notes[1].Body), "reference")
	assert.Empty(t, notes[1].Query, "without WithWebhookURL the listener notification is only recorded")
}

func TestFaultAfterProcessingCreatesThePayment(t *testing.T) {
	s := newServer(t)
	require.NoError(t, s.Fail(bg, simctlFault(500, true)))
	a := initiate(t, s, validBody())
	assert.Equal(t, http.StatusInternalServerError, a.Status)
	assert.Equal(t, json.Number("500"), a.Body["code"], "injected faults answer in EazzPay's error format")
	n, _ := s.PaymentCount(bg, "INV-100001")
	assert.Equal(t, 1, n)

	require.NoError(t, s.Fail(bg, simctlFault(503, false)))
	require.NoError(t, s.ClearFaults(bg))
	assert.Equal(t, http.StatusCreated, initiate(t, s, validBody()).Status)
}
