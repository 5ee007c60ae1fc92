package uddoktapaytest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/uddoktapay/uddoktapaytest"
)

var bg = context.Background()

// noRedirect is a browser that shows where it is sent instead of going.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// call posts body to the API path with key and decodes the answer.
func call(t *testing.T, s *uddoktapaytest.Server, key, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(uddoktapaytest.KeyHeader, key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	require.NoError(t, dec.Decode(&out))
	return resp.StatusCode, out
}

var invoiceSeq atomic.Int64

// chargeBody is a checkout-v2 body; amount, return_type and webhook_url
// are JSON.
func chargeBody(invoice, amount, returnType, webhook string) string {
	return fmt.Sprintf(`{"full_name":"Rahim Khan","email":"rahim@example.com","amount":%s,
		"metadata":{"order_id":%q,"cart":7},"redirect_url":"https://shop.example/return?x=1",
		"return_type":%s,"cancel_url":"https://shop.example/cancel","webhook_url":%s}`, amount, invoice, returnType, webhook)
}

// create makes a charge through the API and returns its payment_url and
// UddoktaPay's invoice_id.
func create(t *testing.T, s *uddoktapaytest.Server, amount, returnType, webhook string) (string, string) {
	t.Helper()
	invoice := fmt.Sprintf("INV-%d", invoiceSeq.Add(1))
	status, out := call(t, s, s.APIKey(), "/api/checkout-v2", chargeBody(invoice, amount, returnType, webhook))
	require.Equal(t, http.StatusOK, status, "%v", out)
	assert.Equal(t, true, out["status"])
	assert.NotContains(t, out, "invoice_id", "create answers no id")
	p, ok := s.PaymentByInvoice(invoice)
	require.True(t, ok)
	page, err := s.PaymentURL(p.ID)
	require.NoError(t, err)
	require.Equal(t, page, out["payment_url"])
	return page, p.ID
}

func verify(t *testing.T, s *uddoktapaytest.Server, id string) map[string]any {
	t.Helper()
	status, out := call(t, s, s.APIKey(), "/api/verify-payment", `{"invoice_id":"`+id+`"}`)
	require.Equal(t, http.StatusOK, status)
	return out
}

// submit posts the hosted page's form.
func submit(t *testing.T, pageURL string, form url.Values) *http.Response {
	t.Helper()
	resp, err := noRedirect.PostForm(pageURL, form)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func pay(method, sender, trx string) url.Values {
	return url.Values{"action": {"pay"}, "method": {method}, "sender": {sender}, "trx_id": {trx}}
}

func TestAPIKeyAndBrandPath(t *testing.T) {
	s := uddoktapaytest.NewServer(uddoktapaytest.WithBrandSlug("shop"))
	defer s.Close()
	body := chargeBody("INV-X", `"10"`, `"GET"`, `null`)
	for _, tc := range []struct {
		key, path string
		status    int
	}{
		{"", "/api/checkout-v2", 401},
		{"wrong", "/api/checkout-v2", 401},
		{s.APIKey(), "/api/checkout-v2", 200},
		{s.APIKey(), "/shop/api/checkout-v2", 200},
		{s.APIKey(), "/other/api/checkout-v2", 404},
		{s.APIKey(), "/api/nothing", 404},
	} {
		status, out := call(t, s, tc.key, tc.path, body)
		assert.Equal(t, tc.status, status, "%s %s: %v", tc.key, tc.path, out)
		if status == 401 {
			assert.Equal(t, map[string]any{"status": false, "message": "Invalid API Key"}, out)
		}
	}
	settings, err := s.Settings(bg)
	require.NoError(t, err)
	assert.Equal(t, s.URL+"/shop", settings.Values["base_url"])
	assert.Equal(t, []string{s.APIKey(), settings.BadCredentials["api_key"]}, settings.Secrets)
}

func TestCheckoutValidates(t *testing.T) {
	s := uddoktapaytest.NewServer()
	defer s.Close()
	for _, tc := range []struct{ body, message string }{
		{chargeBody("INV-X", `"0"`, `"GET"`, `null`), "The amount must be a positive number with at most two decimals."},
		{chargeBody("INV-X", `"1.005"`, `"GET"`, `null`), "The amount must be a positive number with at most two decimals."},
		{chargeBody("INV-X", `1e3`, `"GET"`, `null`), "The amount must be a positive number with at most two decimals."},
		{chargeBody("INV-X", `"10"`, `"PUT"`, `null`), "The selected return type is invalid."},
		{chargeBody("INV-X", `"10"`, `"GET"`, `"not a url"`), "The webhook url must be a valid URL."},
		{strings.Replace(chargeBody("INV-X", `"10"`, `"GET"`, `null`), `"rahim@example.com"`, `"rahim"`, 1), "The email must be a valid email address."},
		{strings.Replace(chargeBody("INV-X", `"10"`, `"GET"`, `null`), `"Rahim Khan"`, `""`, 1), "The full name field is required."},
		{strings.Replace(chargeBody("INV-X", `"10"`, `"GET"`, `null`), `{"order_id":"INV-X","cart":7}`, `"INV-X"`, 1), "The metadata must be a JSON object."},
	} {
		status, out := call(t, s, s.APIKey(), "/api/checkout-v2", tc.body)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Equal(t, map[string]any{"status": false, "message": tc.message}, out)
	}
	status, _ := call(t, s, s.APIKey(), "/api/checkout-v2", `[1]`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Zero(t, s.Store.Len(), "nothing refused was created")
}

func TestVerifyAnswers(t *testing.T) {
	s := uddoktapaytest.NewServer(uddoktapaytest.WithFeeBasisPoints(185))
	defer s.Close()
	_, id := create(t, s, `1000.50`, `"get"`, `null`)
	got := verify(t, s, id)
	assert.Regexp(t, `^[A-Za-z0-9]{20}$`, id)
	assert.Equal(t, "PENDING", got["status"], "nothing submitted yet")
	assert.Equal(t, "1000.50", got["amount"])
	assert.Equal(t, "18.50", got["fee"], "1.85% of 1000.50, rounded down")
	assert.Equal(t, "1019.00", got["charged_amount"])
	assert.Equal(t, json.Number("7"), got["metadata"].(map[string]any)["cart"], "metadata echoed as sent")
	assert.Equal(t, "", got["transaction_id"])
	assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`, got["date"])

	assert.Equal(t, map[string]any{"status": "ERROR", "message": "Invalid invoice id"}, verify(t, s, "Erm9wzjM0FBwjSYT0QVb"))
}

func TestPageMatchesSMSOnce(t *testing.T) {
	s := uddoktapaytest.NewServer(uddoktapaytest.WithFeeBasisPoints(100),
		uddoktapaytest.WithSMS(uddoktapaytest.SMS{TrxID: "BK12345678", Amount: mfspay.Poisha(10100)}))
	defer s.Close()
	page, id := create(t, s, `"100"`, `"GET"`, `null`)

	resp, err := http.Get(page)
	require.NoError(t, err)
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(html), "101.00 BDT", "the customer sends the amount and the fee")
	assert.Contains(t, string(html), `value="nagad"`)

	assert.Equal(t, http.StatusUnprocessableEntity, submit(t, page, pay("bkash", "123", "BK12345678")).StatusCode, "a bad sender")
	assert.Equal(t, http.StatusUnprocessableEntity, submit(t, page, pay("paypal", "01711111111", "BK12345678")).StatusCode, "not offered")
	resp = submit(t, page, pay("bkash", "01711111111", "BK12345678"))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "https://shop.example/return?x=1&invoice_id="+id, resp.Header.Get("Location"))
	got := verify(t, s, id)
	assert.Equal(t, "COMPLETED", got["status"])
	assert.Equal(t, "BK12345678", got["transaction_id"])
	assert.Equal(t, "bkash", got["payment_method"])
	assert.Equal(t, "01711111111", got["sender_number"])
	assert.Equal(t, http.StatusConflict, submit(t, page, pay("bkash", "01711111111", "BK12345678")).StatusCode, "paid already")

	// The used SMS cannot pay a second charge, nor can one of another amount.
	s.AddSMS(uddoktapaytest.SMS{TrxID: "BK99999999", Amount: mfspay.Poisha(10000)})
	for _, trx := range []string{"BK12345678", "BK99999999"} {
		page2, id2 := create(t, s, `"100"`, `"GET"`, `null`)
		require.Equal(t, http.StatusSeeOther, submit(t, page2, pay("bkash", "01711111111", trx)).StatusCode)
		assert.Equal(t, "PENDING", verify(t, s, id2)["status"], trx)
	}
	rets, err := s.Returns(bg, id)
	require.NoError(t, err)
	assert.Equal(t, []mfspay.ReturnRequest{{Method: http.MethodGet, Query: url.Values{"x": {"1"}, "invoice_id": {id}}}}, rets)
}

func TestPageWithPendingDisabledRefusesUnmatched(t *testing.T) {
	s := uddoktapaytest.NewServer(uddoktapaytest.WithPendingDisabled())
	defer s.Close()
	page, id := create(t, s, `"100"`, `"GET"`, `null`)
	resp := submit(t, page, pay("nagad", "01711111111", "NOSUCHTRX1"))
	html, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	assert.Contains(t, string(html), "Transaction not found, please try again later.")
	assert.Equal(t, "PENDING", verify(t, s, id)["status"], "still open: verify says PENDING for a charge nothing matched")
	p, _ := s.Payment(id)
	assert.Equal(t, uddoktapaytest.StatusInitiated, p.Status)
	assert.Empty(t, s.Deliveries())
	err := s.Pay(bg, id, simctl.Payer{Pending: true})
	assert.ErrorIs(t, err, mfspay.ErrUnsupported)
	require.NoError(t, s.Pay(bg, page, simctl.Payer{}), "the SMS arrives: paid")
	assert.Equal(t, "COMPLETED", verify(t, s, id)["status"])
}

func TestPageCancelChangesNothing(t *testing.T) {
	s := uddoktapaytest.NewServer()
	defer s.Close()
	page, id := create(t, s, `"100"`, `"GET"`, `"http://127.0.0.1:9/ipn"`)
	resp := submit(t, page, url.Values{"action": {"cancel"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "https://shop.example/cancel", resp.Header.Get("Location"), "nothing appended")
	assert.Equal(t, "PENDING", verify(t, s, id)["status"])
	assert.Empty(t, s.Deliveries(), "no IPN for a cancel")
	rets, err := s.Returns(bg, page)
	require.NoError(t, err)
	assert.Equal(t, []mfspay.ReturnRequest{{Method: http.MethodGet, Query: url.Values{}}}, rets)
	require.NoError(t, s.Cancel(bg, id), "the controller's cancel is the same")
	assert.Equal(t, "PENDING", verify(t, s, id)["status"])
}

func TestPostReturnTypeSubmitsAForm(t *testing.T) {
	s := uddoktapaytest.NewServer()
	defer s.Close()
	page, id := create(t, s, `"100"`, `null`, `null`) // return_type defaults to POST
	resp := submit(t, page, pay("upay", "01711111111", "UPAY123456"))
	html, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(html), `action="https://shop.example/return?x=1"`)
	assert.Contains(t, string(html), `name="invoice_id" value="`+id+`"`)
	rets, err := s.Returns(bg, id)
	require.NoError(t, err)
	assert.Equal(t, []mfspay.ReturnRequest{{Method: http.MethodPost, Query: url.Values{"x": {"1"}},
		Form: url.Values{"invoice_id": {id}}}}, rets)
}

func TestAdminDecidesPendingPayments(t *testing.T) {
	s := uddoktapaytest.NewServer()
	defer s.Close()
	_, id := create(t, s, `"100"`, `"GET"`, `null`)
	assert.Error(t, s.Approve(bg, id), "nothing submitted yet")
	require.NoError(t, s.Pay(bg, id, simctl.Payer{Pending: true}))
	require.NoError(t, s.Approve(bg, id))
	assert.Equal(t, "COMPLETED", verify(t, s, id)["status"])
	assert.Error(t, s.Reject(bg, id), "completed already")

	_, id2 := create(t, s, `"100"`, `"GET"`, `null`)
	require.NoError(t, s.Pay(bg, id2, simctl.Payer{Pending: true}))
	require.NoError(t, s.Reject(bg, id2))
	got := verify(t, s, id2)
	assert.Equal(t, "ERROR", got["status"])
	assert.NotEmpty(t, got["transaction_id"], "a rejected submission keeps its full body")

	statuses := func(id string) []string {
		notes, err := s.Notifications(bg, id)
		require.NoError(t, err)
		var out []string
		for _, n := range notes {
			var b struct{ Status string }
			require.NoError(t, json.Unmarshal(n.Body, &b))
			assert.Equal(t, s.APIKey(), n.Header.Get(uddoktapaytest.KeyHeader))
			out = append(out, b.Status)
		}
		return out
	}
	assert.Equal(t, []string{"PENDING", "COMPLETED"}, statuses(id))
	assert.Equal(t, []string{"PENDING"}, statuses(id2), "no IPN after a rejection unless resent")
	require.NoError(t, s.ResendIPN(bg, id2))
	assert.Equal(t, []string{"PENDING", "ERROR"}, statuses(id2))
}

func TestManualIPNAndRetries(t *testing.T) {
	var hits atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer receiver.Close()
	s := uddoktapaytest.NewServer(uddoktapaytest.WithManualIPN())
	defer s.Close()
	_, id := create(t, s, `"100"`, `"GET"`, `"`+receiver.URL+`"`)
	require.NoError(t, s.Pay(bg, id, simctl.Payer{}))
	assert.Empty(t, s.Deliveries(), "manual: no IPN on its own")
	require.NoError(t, s.ResendIPN(bg, id))
	require.NoError(t, s.WaitDeliveries(bg))
	d := s.Deliveries()
	require.Len(t, d, 1)
	assert.Len(t, d[0].Attempts, 4, "the first attempt and three retries")
	assert.False(t, d[0].Delivered)
	assert.EqualValues(t, 4, hits.Load())
}

func TestControllerNamesPaymentsEveryWay(t *testing.T) {
	s := uddoktapaytest.NewServer()
	defer s.Close()
	page, id := create(t, s, `"100"`, `"GET"`, `null`)
	p, _ := s.Payment(id)
	for _, handle := range []string{id, page, page[strings.LastIndex(page, "/")+1:], p.InvoiceID} {
		rets, err := s.Returns(bg, handle)
		require.NoError(t, err, handle)
		assert.Empty(t, rets)
	}
	for _, handle := range []string{"", "nobody", s.URL + "/payment/0000"} {
		_, err := s.Notifications(bg, handle)
		assert.Error(t, err, handle)
	}
	assert.ErrorIs(t, s.Expire(bg, id), mfspay.ErrUnsupported, "nothing expires")
	assert.Error(t, s.Pay(bg, id, simctl.Payer{Method: mfspay.MethodCellfin}), "not on the page")
	assert.Error(t, s.Pay(bg, id, simctl.Payer{Sender: "12"}))
	n, err := s.PaymentCount(bg, p.InvoiceID)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestTampers(t *testing.T) {
	s := uddoktapaytest.NewServer()
	defer s.Close()
	_, id := create(t, s, `"100"`, `"GET"`, `null`)
	for tamper, check := range map[simctl.Tamper]func(map[string]any){
		simctl.TamperPaidZeroAmount: func(o map[string]any) { assert.Equal(t, "0.00", o["amount"]) },
		simctl.TamperOtherPayment:   func(o map[string]any) { assert.NotEqual(t, id, o["invoice_id"]) },
		simctl.TamperUnknownStatus:  func(o map[string]any) { assert.Equal(t, "ON_HOLD", o["status"]) },
		simctl.TamperNegativeAmount: func(o map[string]any) { assert.Equal(t, "-100.00", o["amount"]) },
	} {
		require.NoError(t, s.Fail(bg, simctl.Fault{Tamper: tamper}))
		assert.Equal(t, map[string]any{"status": "ERROR", "message": "Invalid invoice id"}, verify(t, s, "Erm9wzjM0FBwjSYT0QVb"),
			"%s: the error envelope is not a payment to lie about", tamper)
		check(verify(t, s, id))
		assert.Equal(t, "PENDING", verify(t, s, id)["status"], "%s: used up", tamper)
	}
	require.NoError(t, s.Fail(bg, simctl.Fault{Tamper: simctl.TamperBadRedirect}))
	_, out := call(t, s, s.APIKey(), "/api/checkout-v2", chargeBody("INV-T", `"1"`, `"GET"`, `null`))
	assert.Equal(t, "javascript:alert(1)", out["payment_url"])
}

func TestCloseShutsThePagesToo(t *testing.T) {
	s := uddoktapaytest.NewServer()
	page, _ := create(t, s, `"100"`, `"GET"`, `null`)
	require.NoError(t, s.Closer().Close())
	_, err := http.Get(page)
	assert.Error(t, err)
}
