package simkit

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

func TestPayPageEscapesAndOffersMethods(t *testing.T) {
	rec := httptest.NewRecorder()
	RenderPayPage(rec, http.StatusOK, PayPage{
		Provider:  "Sim",
		PaymentID: "pay_1",
		InvoiceID: `<script>alert(1)</script>`,
		Amount:    mfspay.Poisha(25050),
		Status:    "pending",
		Open:      true,
		Methods:   []MethodOption{{"bkash", "bKash", mfspay.MethodBKash}, {"nagad", "Nagad", mfspay.MethodNagad}},
		Action:    "/p/pay_1",
		Method:    "nagad",
		Error:     `"bad" & <wrong>`,
	})
	body := rec.Body.String()
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.NotContains(t, body, "<script>")
	assert.Contains(t, body, "&lt;script&gt;")
	assert.Contains(t, body, "&lt;wrong&gt;")
	assert.Contains(t, body, "250.50 BDT")
	assert.Contains(t, body, `value="bkash"`)
	assert.Contains(t, body, `value="nagad" required checked`)
	assert.Contains(t, body, `name="sender"`)
	assert.Contains(t, body, `name="trx_id"`)
	assert.Contains(t, body, `value="pay"`)
	assert.Contains(t, body, `value="cancel"`)
}

func TestPayPageClosed(t *testing.T) {
	rec := httptest.NewRecorder()
	RenderPayPage(rec, http.StatusOK, PayPage{Provider: "Sim", Status: "paid"})
	assert.NotContains(t, rec.Body.String(), "<form")
	assert.Contains(t, rec.Body.String(), "This payment is paid")
}

func TestReadPayForm(t *testing.T) {
	form := url.Values{FieldAction: {ActionPay}, FieldMethod: {" bkash "}, FieldSender: {"01711111111"}, FieldTrxID: {"TRX1"}}
	req := httptest.NewRequest(http.MethodPost, "/p/x", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	got, err := ReadPayForm(httptest.NewRecorder(), req)
	require.NoError(t, err)
	assert.Equal(t, PayForm{Action: ActionPay, Method: "bkash", Sender: "01711111111", TrxID: "TRX1"}, got)
}

func TestDashboardListsPaymentsAndDeliveries(t *testing.T) {
	rec := httptest.NewRecorder()
	RenderDashboard(rec, DashboardPage{
		Provider: "Sim",
		Payments: []Payment{{ID: "pay_1", InvoiceID: "INV-<1>", Amount: mfspay.Taka(10), Status: "paid", CreatedAt: time.Unix(0, 0)}},
		Deliveries: []Delivery{{
			Notification: Notification{PaymentID: "pay_1", URL: "http://127.0.0.1/hook"},
			Attempts:     []Attempt{{StatusCode: 500}, {Err: "no answer: timeout"}, {StatusCode: 200}},
			Delivered:    true, Done: true,
		}},
	})
	body := rec.Body.String()
	assert.Contains(t, body, "pay_1")
	assert.Contains(t, body, "INV-&lt;1&gt;")
	assert.Contains(t, body, "10.00")
	assert.Contains(t, body, "500, no answer: timeout, 200")
	assert.Contains(t, body, "<td>yes</td>")
}

func TestMessagePage(t *testing.T) {
	rec := httptest.NewRecorder()
	RenderMessage(rec, http.StatusNotFound, MessagePage{Provider: "Sim", Title: "Not found", Message: "<b>no</b>"})
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, rec.Body.String(), "&lt;b&gt;no&lt;/b&gt;")
}

func TestManualClock(t *testing.T) {
	start := time.Date(2026, 6, 8, 12, 0, 0, 0, time.UTC)
	c := NewManualClock(start)
	assert.Equal(t, start, c.Now())
	assert.Equal(t, start.Add(time.Minute), c.Advance(time.Minute))
	c.Set(start)
	assert.Equal(t, start, Clock(c.Now)())
	assert.WithinDuration(t, time.Now(), Clock(nil).orSystem()(), time.Minute)
}

func TestNewID(t *testing.T) {
	a, b := NewID("pay_", 8), NewID("pay_", 8)
	assert.Len(t, a, 4+16)
	assert.True(t, strings.HasPrefix(a, "pay_"))
	assert.NotEqual(t, a, b)
}
