package nodipay_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay"
)

func TestCreateReturnsPendingCheckout(t *testing.T) {
	e := newEnv(t)
	start := time.Now()
	co := e.create(t, "INV-1", mfspay.Poisha(25050))
	assert.Equal(t, nodipay.ProviderName, co.Provider)
	assert.Equal(t, "INV-1", co.InvoiceID)
	assert.Equal(t, mfspay.StatusPending, co.Status)
	assert.True(t, strings.HasPrefix(co.PaymentID, "pay_"), co.PaymentID)
	assert.Equal(t, e.sim.URL+"/pay/"+co.PaymentID, co.RedirectURL)
	assert.WithinDuration(t, start.Add(30*time.Minute), co.ExpiresAt, time.Minute)
	assert.Equal(t, 1, e.payments(t, "INV-1"))
}

// TestCreateWireFormat pins the request NodiPay receives: integer poisha,
// the bearer key, and URLs sent as given.
func TestCreateWireFormat(t *testing.T) {
	var got map[string]any
	var header http.Header
	gw := stub(t, func(w http.ResponseWriter, r *http.Request) {
		header = r.Header.Clone()
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, "/v1/payments", r.URL.Path)
		raw, _ := io.ReadAll(r.Body)
		assert.Contains(t, string(raw), `"amount":25050,`, "amount is integer poisha")
		assert.Contains(t, string(raw), `"success_url":"https://shop.example/ok?order=1&x=y"`, "no HTML escaping")
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&got))
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, paymentJSON(""))
	})
	_, err := gw.CreatePayment(t.Context(), request("INV-1", mustAmount(t, "250.50")))
	require.NoError(t, err)
	assert.Equal(t, "Bearer nsk_test_stubkey123", header.Get("Authorization"))
	assert.Equal(t, "application/json", header.Get("Content-Type"))
	assert.Equal(t, map[string]any{
		"invoice_id": "INV-1", "amount": json.Number("25050"), "currency": "BDT",
		"customer":    map[string]any{"name": "Rahim Khan", "email": "rahim@example.com", "phone": "01712345678"},
		"success_url": "https://shop.example/ok?order=1&x=y", "cancel_url": "https://shop.example/cancel",
		"webhook_url": "https://shop.example/webhooks/nodipay", "metadata": map[string]any{"order": "INV-1"},
	}, got)
}

func mustAmount(t *testing.T, s string) mfspay.Amount {
	t.Helper()
	a, err := mfspay.ParseAmount(s)
	require.NoError(t, err)
	return a
}

func TestCreateRejectsInvalidRequestsWithoutTraffic(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, field string
		mutate      func(*mfspay.CreatePaymentRequest)
	}{
		{"zero amount", "amount", func(r *mfspay.CreatePaymentRequest) { r.Amount = 0 }},
		{"negative amount", "amount", func(r *mfspay.CreatePaymentRequest) { r.Amount = -1 }},
		{"no invoice", "invoice_id", func(r *mfspay.CreatePaymentRequest) { r.InvoiceID = "" }},
		{"invoice with slash", "invoice_id", func(r *mfspay.CreatePaymentRequest) { r.InvoiceID = "INV/1" }},
		{"relative success url", "success_url", func(r *mfspay.CreatePaymentRequest) { r.SuccessURL = "/ok" }},
		{"ftp cancel url", "cancel_url", func(r *mfspay.CreatePaymentRequest) { r.CancelURL = "ftp://x.example/" }},
		{"relative webhook url", "webhook_url", func(r *mfspay.CreatePaymentRequest) { r.WebhookURL = "wh" }},
		{"bad email", "customer.email", func(r *mfspay.CreatePaymentRequest) { r.Customer.Email = "nobody" }},
		{"bad phone", "customer.phone", func(r *mfspay.CreatePaymentRequest) { r.Customer.Phone = "017-123" }},
		{"empty metadata key", "metadata", func(r *mfspay.CreatePaymentRequest) { r.Metadata = map[string]string{"": "x"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := request("INV-BAD", mfspay.Taka(10))
			tc.mutate(&req)
			before := e.requests(t)
			co, err := e.gw.CreatePayment(e.ctx, req)
			require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
			assert.Nil(t, co)
			var me *mfspay.Error
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tc.field, me.Field)
			assert.Equal(t, nodipay.ProviderName, me.Provider)
			assert.Equal(t, before, e.requests(t), "no request reached NodiPay")
		})
	}
}

func TestCreateReusedInvoiceIsDuplicate(t *testing.T) {
	e := newEnv(t)
	e.create(t, "INV-1", mfspay.Taka(100))
	before := e.requests(t)
	_, err := e.gw.CreatePayment(e.ctx, request("INV-1", mfspay.Taka(100)))
	require.ErrorIs(t, err, mfspay.ErrDuplicate)
	var me *mfspay.Error
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "invoice_id", me.Field)
	assert.Equal(t, 409, me.HTTPStatus)
	assert.Equal(t, before+1, e.requests(t), "a first-time 409 is final: no lookup, no retry")
}

// TestCreateAmbiguousOutcomes covers each way a create can leave its
// outcome open: the adapter must settle it by looking the invoice up.
func TestCreateAmbiguousOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault simctl.Fault
		// want: the checkout comes back (true) or the outcome stays unknown.
		settled bool
	}{
		{"500 after processing", simctl.Fault{AfterProcessing: true, Status: 500}, true},
		{"reset after processing", simctl.Fault{AfterProcessing: true, Reset: true}, true},
		{"truncated answer", simctl.Fault{AfterProcessing: true, ResetMidBody: true}, true},
		{"500 before processing", simctl.Fault{Status: 500}, true},
		{"502 proxy page", simctl.Fault{Status: 502, ContentType: "text/html", Body: "<h1>Bad Gateway</h1>"}, true},
		{"every request fails", simctl.Fault{AfterProcessing: true, Status: 503, Count: 100}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			require.NoError(t, e.sim.Fail(e.ctx, tc.fault))
			co, err := e.gw.CreatePayment(e.ctx, request("INV-A", mfspay.Taka(180)))
			require.NoError(t, e.sim.ClearFaults(e.ctx))
			assert.LessOrEqual(t, e.payments(t, "INV-A"), 1, "a double charge")
			if !tc.settled {
				require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
				assert.Nil(t, co)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "INV-A", co.InvoiceID)
			assert.Equal(t, 1, e.payments(t, "INV-A"))
			p, err := e.gw.VerifyPayment(e.ctx, mfspay.PaymentRef{InvoiceID: "INV-A"})
			require.NoError(t, err)
			assert.Equal(t, p.PaymentID, co.PaymentID)
			assert.Equal(t, e.sim.URL+"/pay/"+co.PaymentID, co.RedirectURL)
		})
	}
}

func TestCreateAmbiguousAgainstAnotherAmountIsDuplicate(t *testing.T) {
	e := newEnv(t)
	e.create(t, "INV-1", mfspay.Taka(100))
	require.NoError(t, e.sim.Fail(e.ctx, simctl.Fault{Status: 500}))
	_, err := e.gw.CreatePayment(e.ctx, request("INV-1", mfspay.Taka(200)))
	require.ErrorIs(t, err, mfspay.ErrDuplicate)
	assert.Equal(t, 1, e.payments(t, "INV-1"))
}

// TestCreateUnreadableSuccessIsReconciled: a 201 that cannot be read may
// have made the payment, so the invoice is looked up; NotFound allows one
// more create.
func TestCreateUnreadableSuccessIsReconciled(t *testing.T) {
	var posts atomic.Int32
	gw := stub(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && posts.Add(1) == 1:
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, paymentJSON(`"amount":250.5`)) // not integer poisha
		case r.Method == "POST":
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, paymentJSON(""))
		case r.URL.Path == "/v1/invoices/INV-1/payment":
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":{"code":"not_found","message":"no such payment"}}`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
		}
	})
	co, err := gw.CreatePayment(t.Context(), request("INV-1", mfspay.Poisha(25050)))
	require.NoError(t, err)
	assert.Equal(t, "pay_0123456789abcdef0123", co.PaymentID)
	assert.Equal(t, int32(2), posts.Load())
}

func TestCreateAnswerForAnotherPaymentIsNotTrusted(t *testing.T) {
	gw := stub(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, paymentJSON(`"invoice_id":"INV-OTHER"`))
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"error":{"code":"down","message":"maintenance"}}`)
	})
	co, err := gw.CreatePayment(t.Context(), request("INV-1", mfspay.Poisha(25050)))
	require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	assert.Nil(t, co)
}

func TestCreateRateLimitedCarriesRetryAfter(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.sim.Fail(e.ctx, simctl.Fault{Status: 429, RetryAfter: 30 * time.Second, Count: 10}))
	_, err := e.gw.CreatePayment(e.ctx, request("INV-R", mfspay.Taka(10)))
	require.ErrorIs(t, err, mfspay.ErrRateLimited)
	var me *mfspay.Error
	require.True(t, errors.As(err, &me))
	assert.Equal(t, 30*time.Second, me.RetryAfter)
	require.NoError(t, e.sim.ClearFaults(e.ctx))
	assert.Zero(t, e.payments(t, "INV-R"))
}

func TestCreateShortRateLimitIsRetried(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.sim.Fail(e.ctx, simctl.Fault{Status: 429, Count: 2}))
	co := e.create(t, "INV-R", mfspay.Taka(10))
	assert.NotEmpty(t, co.PaymentID)
	assert.Equal(t, 3, e.requests(t), "two refusals and the create")
}

func TestCreateErrorKinds(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		kind   error
		field  string
	}{
		{400, `{"error":{"code":"bad_json","message":"broken"}}`, mfspay.ErrInvalidRequest, ""},
		{422, `{"error":{"code":"invalid_field","message":"only BDT","field":"currency"}}`, mfspay.ErrInvalidRequest, "currency"},
		{401, `{"error":{"code":"unauthorized","message":"no"}}`, mfspay.ErrUnauthorized, ""},
		{403, `{"error":{"code":"forbidden","message":"no"}}`, mfspay.ErrForbidden, ""},
		{409, `{"error":{"code":"invoice_taken","message":"taken","field":"invoice_id"}}`, mfspay.ErrDuplicate, "invoice_id"},
		{413, `{"error":{"code":"too_large","message":"big"}}`, mfspay.ErrInvalidRequest, ""},
		{500, `{"error":{"code":"oops","message":"db"}}`, mfspay.ErrOutcomeUnknown, ""},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			gw := stub(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			_, err := gw.CreatePayment(t.Context(), request("INV-1", mfspay.Taka(1)))
			require.ErrorIs(t, err, tc.kind)
			var me *mfspay.Error
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tc.field, me.Field)
		})
	}
}
