package eazzpay_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

// decodeBody decodes a captured initiate body keeping numbers exact.
func decodeBody(t *testing.T, body []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m))
	return m
}

func TestCreatePaymentRequestShape(t *testing.T) {
	api := newFakeAPI(t, reply(http.StatusCreated, createdBody))
	g := newGateway(t, api.URL+"/api/v1", fastResilience())

	req := validRequest()
	req.Amount = mfspay.Poisha(25050)
	req.Metadata = map[string]string{"order": "ORD-9", "note": "a&b"}
	req.WebhookURL = "https://shop.example/ipn?shop=7&lang=bn"
	co, err := g.CreatePayment(bg, req)
	require.NoError(t, err)
	assert.Equal(t, &mfspay.Checkout{
		Provider:    "eazzpay",
		PaymentID:   "67adb1d9a7436e9d01c5f00d",
		InvoiceID:   "INV-1",
		RedirectURL: "https://pay.eazzpay.com/checkout/67adb1d9a7436e9d01c5f00d",
		Status:      mfspay.StatusPending,
	}, co)

	reqs := api.Requests()
	require.Len(t, reqs, 1)
	got := reqs[0]
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/api/v1/payments/initiate", got.Path)
	assert.Equal(t, testSecret, got.Header.Get("eazzpay-client-secret"))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", got.Header.Get("Accept"))

	body := decodeBody(t, got.Body)
	assert.Equal(t, map[string]any{
		"cus_name":    "Rahim Khan",
		"amount":      json.Number("250.50"),
		"metadata":    `{"invoice_id":"INV-1","metadata":{"note":"a&b","order":"ORD-9"}}`,
		"success_url": "https://shop.example/success",
		"cancel_url":  "https://shop.example/cancel",
		"ipn_url":     "https://shop.example/ipn?shop=7&lang=bn&invoice_id=INV-1",
		"ipn_method":  "POST",
	}, body)
	assert.IsType(t, "", body["metadata"], "metadata is a JSON string, not an object")
}

func TestCreatePaymentAmountLiterals(t *testing.T) {
	for _, tc := range []struct {
		amount  mfspay.Amount
		literal string
	}{
		{mfspay.Poisha(1), `"amount":0.01`},
		{mfspay.Poisha(10), `"amount":0.10`},
		{mfspay.Taka(250), `"amount":250.00`},
		{mfspay.Poisha(25050), `"amount":250.50`},
		{mfspay.Poisha(1999999), `"amount":19999.99`},
		{mfspay.Poisha(123456789012345), `"amount":1234567890123.45`},
	} {
		t.Run(tc.literal, func(t *testing.T) {
			api := newFakeAPI(t, reply(http.StatusCreated, createdBody))
			g := newGateway(t, api.URL, fastResilience())
			req := validRequest()
			req.Amount = tc.amount
			_, err := g.CreatePayment(bg, req)
			require.NoError(t, err)
			assert.Contains(t, string(api.Requests()[0].Body), tc.literal)
		})
	}
}

// urlOfLen returns an absolute URL exactly n characters long.
func urlOfLen(n int) string {
	const prefix = "https://shop.example/"
	return prefix + repeat("a", n-len(prefix))
}

// invoiceParam is what the adapter appends to a webhook URL without a query
// for validRequest's invoice.
const invoiceParam = "?invoice_id=INV-1"

// metadataOfLen returns merchant metadata whose encoded metadata string,
// with validRequest's invoice, is exactly n characters long.
func metadataOfLen(n int) map[string]string {
	base := len(`{"invoice_id":"INV-1","metadata":{"k":""}}`)
	return map[string]string{"k": repeat("m", n-base)}
}

func TestCreatePaymentFieldLimits(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*mfspay.CreatePaymentRequest)
		field  string // "" means accepted
	}{
		{"name 99", func(r *mfspay.CreatePaymentRequest) { r.Customer.Name = repeat("n", 99) }, ""},
		{"name 100", func(r *mfspay.CreatePaymentRequest) { r.Customer.Name = repeat("n", 100) }, ""},
		{"name 101", func(r *mfspay.CreatePaymentRequest) { r.Customer.Name = repeat("n", 101) }, "customer.name"},
		{"name 100 runes", func(r *mfspay.CreatePaymentRequest) { r.Customer.Name = repeat("é", 100) }, ""},
		{"name 101 runes", func(r *mfspay.CreatePaymentRequest) { r.Customer.Name = repeat("é", 101) }, "customer.name"},
		{"name missing", func(r *mfspay.CreatePaymentRequest) { r.Customer.Name = "" }, "customer.name"},
		{"name blank", func(r *mfspay.CreatePaymentRequest) { r.Customer.Name = "   " }, "customer.name"},
		{"success_url 99", func(r *mfspay.CreatePaymentRequest) { r.SuccessURL = urlOfLen(99) }, ""},
		{"success_url 100", func(r *mfspay.CreatePaymentRequest) { r.SuccessURL = urlOfLen(100) }, ""},
		{"success_url 101", func(r *mfspay.CreatePaymentRequest) { r.SuccessURL = urlOfLen(101) }, "success_url"},
		{"cancel_url 99", func(r *mfspay.CreatePaymentRequest) { r.CancelURL = urlOfLen(99) }, ""},
		{"cancel_url 100", func(r *mfspay.CreatePaymentRequest) { r.CancelURL = urlOfLen(100) }, ""},
		{"cancel_url 101", func(r *mfspay.CreatePaymentRequest) { r.CancelURL = urlOfLen(101) }, "cancel_url"},
		// The ipn_url limit counts the invoice_id parameter the adapter adds.
		{"ipn_url 99", func(r *mfspay.CreatePaymentRequest) { r.WebhookURL = urlOfLen(99 - len(invoiceParam)) }, ""},
		{"ipn_url 100", func(r *mfspay.CreatePaymentRequest) { r.WebhookURL = urlOfLen(100 - len(invoiceParam)) }, ""},
		{"ipn_url 101", func(r *mfspay.CreatePaymentRequest) { r.WebhookURL = urlOfLen(101 - len(invoiceParam)) }, "webhook_url"},
		{"webhook_url 100 before the parameter", func(r *mfspay.CreatePaymentRequest) { r.WebhookURL = urlOfLen(100) }, "webhook_url"},
		{"webhook_url missing", func(r *mfspay.CreatePaymentRequest) { r.WebhookURL = "" }, "webhook_url"},
		{"webhook_url carries invoice_id", func(r *mfspay.CreatePaymentRequest) { r.WebhookURL = "https://shop.example/ipn?invoice_id=X" }, "webhook_url"},
		{"metadata 999", func(r *mfspay.CreatePaymentRequest) { r.Metadata = metadataOfLen(999) }, ""},
		{"metadata 1000", func(r *mfspay.CreatePaymentRequest) { r.Metadata = metadataOfLen(1000) }, ""},
		{"metadata 1001", func(r *mfspay.CreatePaymentRequest) { r.Metadata = metadataOfLen(1001) }, "metadata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t, reply(http.StatusCreated, createdBody))
			g := newGateway(t, api.URL, fastResilience())
			req := validRequest()
			tc.mutate(&req)
			_, err := g.CreatePayment(bg, req)
			if tc.field == "" {
				require.NoError(t, err)
				require.Len(t, api.Requests(), 1)
				return
			}
			require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
			var e *mfspay.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.field, e.Field)
			assert.Equal(t, "eazzpay", e.Provider)
			assert.Empty(t, api.Requests(), "nothing is sent for an invalid request")
		})
	}
}

func TestCreatePaymentLimitsAreExact(t *testing.T) {
	// Guard the helpers above: the boundary values really are 100 and 1000.
	api := newFakeAPI(t, reply(http.StatusCreated, createdBody))
	g := newGateway(t, api.URL, fastResilience())
	req := validRequest()
	req.WebhookURL = urlOfLen(100 - len(invoiceParam))
	req.Metadata = metadataOfLen(1000)
	_, err := g.CreatePayment(bg, req)
	require.NoError(t, err)
	body := decodeBody(t, api.Requests()[0].Body)
	assert.Len(t, body["ipn_url"], 100)
	assert.Len(t, body["metadata"], 1000)
}

func TestCreatePaymentIPNURLKeepsQuery(t *testing.T) {
	for _, tc := range []struct{ webhook, invoice, want string }{
		{"https://shop.example/ipn", "INV-1", "https://shop.example/ipn?invoice_id=INV-1"},
		{"https://shop.example/ipn?a=1", "INV-1", "https://shop.example/ipn?a=1&invoice_id=INV-1"},
		{"https://shop.example/ipn?b=2&a=%20x", "INV-1", "https://shop.example/ipn?b=2&a=%20x&invoice_id=INV-1"},
		{"https://shop.example/ipn?a=1", "order:7", "https://shop.example/ipn?a=1&invoice_id=order%3A7"},
	} {
		t.Run(tc.webhook, func(t *testing.T) {
			api := newFakeAPI(t, reply(http.StatusCreated, createdBody))
			g := newGateway(t, api.URL, fastResilience())
			req := validRequest()
			req.WebhookURL, req.InvoiceID = tc.webhook, tc.invoice
			_, err := g.CreatePayment(bg, req)
			require.NoError(t, err)
			body := decodeBody(t, api.Requests()[0].Body)
			assert.Equal(t, tc.want, body["ipn_url"])
			u, err := url.Parse(tc.want)
			require.NoError(t, err)
			assert.Equal(t, tc.invoice, u.Query().Get("invoice_id"))
		})
	}
}

func TestCreatePaymentResponses(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		body      string
		header    map[string]string
		kind      error
		code, msg string
	}{
		{name: "wrong secret", status: 401, body: `{"code":401,"message":"Invalid client secret"}`,
			kind: mfspay.ErrUnauthorized, code: "401", msg: "Invalid client secret"},
		{name: "validation", status: 422, body: `{"code":422,"message":"The cus_name field is required."}`,
			kind: mfspay.ErrInvalidRequest, code: "422", msg: "The cus_name field is required."},
		{name: "bad request", status: 400, body: `{"code":400,"message":"amount must be a number"}`,
			kind: mfspay.ErrInvalidRequest, code: "400", msg: "amount must be a number"},
		{name: "field errors object", status: 422, body: `{"code":422,"message":{"amount":["too small"]}}`,
			kind: mfspay.ErrInvalidRequest, code: "422", msg: `amount: too small`},
		{name: "forbidden", status: 403, body: `{"code":403,"message":"Merchant inactive"}`,
			kind: mfspay.ErrForbidden, code: "403", msg: "Merchant inactive"},
		{name: "rate limited", status: 429, body: `{"code":429,"message":"Too many requests"}`,
			header: map[string]string{"Retry-After": "120"}, kind: mfspay.ErrRateLimited, code: "429"},
		{name: "html 401", status: 401, body: "<html><body>\n<h1>401 Unauthorized</h1></body></html>",
			kind: mfspay.ErrUnauthorized, msg: "non-JSON body: <html><body> <h1>401 Unauthorized</h1></body></html>"},
		{name: "empty 404", status: 404, body: "", kind: mfspay.ErrNotFound},
		{name: "server error", status: 500, body: `{"code":500,"message":"Internal error"}`,
			kind: mfspay.ErrOutcomeUnknown, code: "500"},
		{name: "html bad gateway", status: 502, body: "<html>Bad Gateway</html>", kind: mfspay.ErrOutcomeUnknown},
		{name: "created without data", status: 201, body: `{"code":201,"message":"ok"}`, kind: mfspay.ErrOutcomeUnknown},
		{name: "created non-JSON", status: 201, body: `<html>ok</html>`, kind: mfspay.ErrOutcomeUnknown},
		{name: "created without payment id", status: 201,
			body: `{"code":201,"data":{"eazzpay_url":"https://pay.eazzpay.com/checkout/x"}}`, kind: mfspay.ErrOutcomeUnknown},
		{name: "created with a numeric payment id", status: 201,
			body: `{"code":201,"data":{"payment_id":12,"eazzpay_url":"https://pay.eazzpay.com/checkout/x"}}`,
			kind: mfspay.ErrOutcomeUnknown, msg: "the payment may have been created and EazzPay offers no lookup: " +
				"check the dashboard or wait for its IPN before creating it again (malformed response: no data.payment_id)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				reply(tc.status, tc.body)(w, r)
			})
			r := fastResilience()
			r.Breaker.Disabled = true
			g := newGateway(t, api.URL, r)
			co, err := g.CreatePayment(bg, validRequest())
			require.Error(t, err)
			assert.Nil(t, co)
			assert.ErrorIs(t, err, tc.kind)
			var e *mfspay.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "eazzpay", e.Provider)
			assert.Equal(t, "create", e.Op)
			assert.Equal(t, tc.status, e.HTTPStatus)
			if tc.code != "" {
				assert.Equal(t, tc.code, e.Code)
			}
			if tc.msg != "" {
				assert.Equal(t, tc.msg, e.Message)
			}
			if tc.kind == mfspay.ErrRateLimited {
				assert.Equal(t, 120*time.Second, e.RetryAfter)
			}
			assert.Len(t, api.Requests(), 1, "a create is sent once")
		})
	}
}

func TestCreatePaymentOutcomeUnknownSaysWhatToDo(t *testing.T) {
	api := newFakeAPI(t, reply(http.StatusInternalServerError, `{"code":500,"message":"boom"}`))
	g := newGateway(t, api.URL, fastResilience())
	_, err := g.CreatePayment(bg, validRequest())
	require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "no lookup")
	assert.Contains(t, err.Error(), "boom")
	assert.False(t, errors.Is(err, mfspay.ErrUnavailable))
}
