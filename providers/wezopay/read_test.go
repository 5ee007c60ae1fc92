package wezopay_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/internal/drivertest"
	"github.com/mfspay/mfspay/providers/wezopay"
)

func TestStatusMapping(t *testing.T) {
	tests := []struct {
		raw  string
		want mfspay.Status
	}{
		{"pending", mfspay.StatusPending},
		{"paid", mfspay.StatusPaid},
		{"failed", mfspay.StatusFailed},
		{"cancelled", mfspay.StatusCancelled},
		{"expired", mfspay.StatusExpired},
		{"PAID", mfspay.StatusUnknown},
		{"Paid", mfspay.StatusUnknown},
		{"paid ", mfspay.StatusUnknown},
		{"completed", mfspay.StatusUnknown},
		{"success", mfspay.StatusUnknown},
		{"canceled", mfspay.StatusUnknown},
		{"refunded", mfspay.StatusUnknown},
		{"", mfspay.StatusUnknown},
	}
	e := newEnv(t, nil, nil)
	co, err := e.create(newRequest(mfspay.Taka(5)))
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			assert.Equal(t, tt.want, wezopay.MapStatus(tt.raw))
			if tt.raw == "" {
				return // the API never omits status; a missing one is malformed (TestMalformedAnswers).
			}
			require.NoError(t, e.sim.SetStatus(co.PaymentID, tt.raw))
			p, err := e.verify(mfspay.PaymentRef{PaymentID: co.PaymentID})
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.Status, "through the wire")
		})
	}
}

func TestVerifyByInvoiceAndToken(t *testing.T) {
	e := newEnv(t, nil, nil)
	req := newRequest(mfspay.Poisha(12345))
	co, err := e.create(req)
	require.NoError(t, err)

	for _, ref := range []mfspay.PaymentRef{{InvoiceID: req.InvoiceID}, {PaymentID: co.PaymentID}} {
		p, err := e.verify(ref)
		require.NoError(t, err)
		assert.Equal(t, mfspay.Payment{Provider: "wezopay", PaymentID: co.PaymentID, InvoiceID: req.InvoiceID,
			Status: mfspay.StatusPending, Amount: mfspay.Poisha(12345), Method: mfspay.MethodUnknown}, *p)
	}
	last, _ := e.sim.LastRequest()
	assert.Equal(t, "/api/v1/payments/verify", last.Path)
	assert.Equal(t, co.PaymentID, last.Query.Get("token"))
	assert.Equal(t, e.sim.APIKey(), last.Header.Get("X-API-Key"))
	assert.Empty(t, last.Body)

	require.NoError(t, e.sim.Pay(context.Background(), co.PaymentID, simctl.Payer{Method: mfspay.MethodRocket, Sender: "01898765432", TrxID: "RKT12345"}))
	p, err := e.verify(mfspay.PaymentRef{InvoiceID: req.InvoiceID})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPaid, p.Status)
	assert.Equal(t, "RKT12345", p.TrxID)
	assert.Equal(t, mfspay.MethodRocket, p.Method)
	assert.Equal(t, "01898765432", p.Sender)
	assert.WithinDuration(t, time.Now(), p.PaidAt, time.Minute)
}

// TestListQueryAndPages: the query goes out in WezoPay's words, and its
// meta block becomes the page (paging itself is a conformance rule).
func TestListQueryAndPages(t *testing.T) {
	e := newEnv(t, nil, nil)
	var ids []string
	for i := range 3 {
		co, err := e.create(newRequest(mfspay.Poisha(int64(100 + i))))
		require.NoError(t, err)
		ids = append(ids, co.PaymentID)
	}
	require.NoError(t, e.sim.Cancel(context.Background(), ids[0]))

	got, err := e.gw.ListPayments(context.Background(), mfspay.ListQuery{Page: 1, PerPage: 2})
	require.NoError(t, err)
	last, _ := e.sim.LastRequest()
	assert.Equal(t, "/api/v1/payments/list", last.Path)
	assert.Equal(t, url.Values{"page": {"1"}, "per_page": {"2"}}, last.Query)
	assert.Equal(t, mfspay.PaymentPage{Payments: got.Payments, Page: 1, PerPage: 2, Total: 3, HasMore: true}, *got)
	assert.Equal(t, []string{ids[2], ids[1]}, []string{got.Payments[0].PaymentID, got.Payments[1].PaymentID}, "newest first")

	got, err = e.gw.ListPayments(context.Background(), mfspay.ListQuery{Status: mfspay.StatusCancelled})
	require.NoError(t, err)
	last, _ = e.sim.LastRequest()
	assert.Equal(t, "cancelled", last.Query.Get("status"))
	require.Len(t, got.Payments, 1)
	assert.Equal(t, mfspay.Payment{Provider: "wezopay", PaymentID: ids[0], InvoiceID: got.Payments[0].InvoiceID,
		Status: mfspay.StatusCancelled, Amount: mfspay.Poisha(100), Method: mfspay.MethodUnknown}, got.Payments[0])
	assert.False(t, got.HasMore)
}

// fixedGateway is a gateway on a provider giving one canned answer.
func fixedGateway(t *testing.T, status int, contentType, body string) mfspay.Gateway {
	p := drivertest.NewProvider(t)
	p.Set(http.MethodGet, drivertest.Answer{Status: status, ContentType: contentType, Body: []byte(body)})
	gw, err := wezopay.New(wezopay.Config{BaseURL: p.URL + "/api/v1", APIKey: "wpk_fixed", Resilience: drivertest.OneAttempt})
	require.NoError(t, err)
	return gw
}

func TestMalformedAnswers(t *testing.T) {
	const good = `"token":"pay_1","invoice_id":"INV-1","status":"paid","amount":10.00`
	tests := []struct {
		name string
		body string
	}{
		{"not json", `<html>ok</html>`},
		{"empty", ``},
		{"cut off", `{"success":true,"data":{` + good},
		{"success false", `{"success":false,"error":"Payment not found"}`},
		{"success missing", `{"data":{` + good + `}}`},
		{"success a string", `{"success":"true","data":{` + good + `}}`},
		{"data missing", `{"success":true}`},
		{"data not an object", `{"success":true,"data":[1]}`},
		{"token missing", `{"success":true,"data":{"invoice_id":"INV-1","status":"paid","amount":10.00}}`},
		{"status missing", `{"success":true,"data":{"token":"pay_1","invoice_id":"INV-1","amount":10.00}}`},
		{"status a number", `{"success":true,"data":{"token":"pay_1","invoice_id":"INV-1","status":1,"amount":10.00}}`},
		{"amount missing", `{"success":true,"data":{"token":"pay_1","invoice_id":"INV-1","status":"paid"}}`},
		{"amount three decimals", `{"success":true,"data":{"token":"pay_1","invoice_id":"INV-1","status":"paid","amount":10.001}}`},
		{"amount exponent", `{"success":true,"data":{"token":"pay_1","invoice_id":"INV-1","status":"paid","amount":1e3}}`},
		{"amount negative", `{"success":true,"data":{"token":"pay_1","invoice_id":"INV-1","status":"paid","amount":-10}}`},
		{"amount boolean", `{"success":true,"data":{"token":"pay_1","invoice_id":"INV-1","status":"paid","amount":true}}`},
		{"paid_at garbage", `{"success":true,"data":{` + good + `,"paid_at":"yesterday"}}`},
		{"trx_id a number", `{"success":true,"data":{` + good + `,"trx_id":5}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := fixedGateway(t, 200, "application/json", tt.body)
			p, err := gw.VerifyPayment(context.Background(), mfspay.PaymentRef{InvoiceID: "INV-1"})
			assert.Nil(t, p, "never a half-filled result")
			require.ErrorIs(t, err, mfspay.ErrUnavailable)
			var me *mfspay.Error
			require.ErrorAs(t, err, &me)
			assert.Less(t, len(me.Message), 200)
			assert.NotContains(t, err.Error(), "<html>")
		})
	}

	t.Run("tolerated variations", func(t *testing.T) {
		for _, body := range []string{
			`{"success":true,"data":{"token":"pay_1","invoice_id":"INV-1","status":"paid","amount":"10.5","extra":{"x":1}}}`,
			`{"success":true,"data":{"token":"pay_1","invoice_id":"INV-1","status":"paid","amount":10.5,"method":"BKASH","sender":null,"trx_id":null,"paid_at":null}}`,
		} {
			gw := fixedGateway(t, 200, "application/json", body)
			p, err := gw.VerifyPayment(context.Background(), mfspay.PaymentRef{InvoiceID: "INV-1"})
			require.NoError(t, err, body)
			assert.Equal(t, mfspay.Poisha(1050), p.Amount)
		}
	})

	t.Run("list", func(t *testing.T) {
		for _, body := range []string{
			`{"success":true,"data":null,"meta":{"page":1,"per_page":20,"total":0,"last_page":1}}`,
			`{"success":true,"data":[],"meta":null}`,
			`{"success":true,"data":[]}`,
			`{"success":true,"data":[{"token":"pay_1"}],"meta":{"page":1,"per_page":20,"total":1,"last_page":1}}`,
			`{"success":true,"data":[{}, {}],"meta":{"page":1,"per_page":1,"total":2,"last_page":2}}`,
		} {
			gw := fixedGateway(t, 200, "application/json", body)
			page, err := gw.ListPayments(context.Background(), mfspay.ListQuery{})
			assert.Nil(t, page)
			assert.ErrorIs(t, err, mfspay.ErrUnavailable, body)
		}
		gw := fixedGateway(t, 200, "application/json", `{"success":true,"data":[],"meta":{"page":1,"per_page":20,"total":0,"last_page":1}}`)
		page, err := gw.ListPayments(context.Background(), mfspay.ListQuery{})
		require.NoError(t, err)
		assert.Empty(t, page.Payments)
		assert.False(t, page.HasMore)
	})
}

func TestMalformedCreateIsReconciled(t *testing.T) {
	// A 201 whose body cannot be read leaves the payment's existence unknown:
	// the adapter looks the invoice up instead of reporting a failure that
	// would invite a second create.
	e := newEnv(t, nil, nil)
	req := newRequest(mfspay.Taka(3))
	require.NoError(t, e.sim.Fail(context.Background(), simctl.Fault{AfterProcessing: true, Status: 201, Body: `{"success":true,"data":{"token":`}))
	co, err := e.create(req)
	require.NoError(t, err)
	assert.Equal(t, 1, e.paymentCount(t, req.InvoiceID))
	stored, _ := e.sim.PaymentByInvoice(req.InvoiceID)
	assert.Equal(t, stored.ID, co.PaymentID)
	assert.Equal(t, e.sim.PaymentURL(stored.ID), co.RedirectURL)
	assert.Equal(t, 2, e.requestCount(t), "create, then verify by invoice")

	req = newRequest(mfspay.Taka(3))
	require.NoError(t, e.sim.Fail(context.Background(), simctl.Fault{AfterProcessing: true, Status: 200, Body: `{"success":false,"error":"temporarily unable"}`}))
	co, err = e.create(req)
	require.NoError(t, err, "a 200 success:false is never a success, and the lookup settles it")
	assert.Equal(t, 1, e.paymentCount(t, req.InvoiceID))
	assert.NotEmpty(t, co.PaymentID)
}
