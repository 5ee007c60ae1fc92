package simkit

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// returnSpec is a provider whose page sends the browser back to its success
// URL with its own parameters appended, as bKash does.
func returnSpec() Spec {
	return Spec{
		Name: "ReturnPay", APIPrefix: "/api", API: http.NotFoundHandler(), PagePath: "/p/",
		Methods: []MethodOption{{Method: mfspay.MethodBKash, Value: "bkash", Label: "bKash"}},
		Open:    "open", Paid: "paid", Cancelled: "cancelled", Failed: "failed", Expired: "expired",
		Announce: func(*Server, Payment) {},
		ReturnURL: func(p Payment, outcome string) string {
			return p.SuccessURL + "?paymentID=" + url.QueryEscape(p.ID) + "&status=" + outcome
		},
	}
}

// TestReturnsRecordWhereTheBrowserWent: the hosted page's redirect and the
// controller's Pay and Cancel each leave the return the merchant's endpoint
// receives, in order.
func TestReturnsRecordWhereTheBrowserWent(t *testing.T) {
	s := NewServer(returnSpec(), Options{})
	defer s.Close()
	ctx := context.Background()
	insert := func(id string) {
		_, err := s.Insert(Payment{ID: id, InvoiceID: "INV-" + id, Status: "open", Amount: mfspay.Taka(10),
			SuccessURL: "https://shop.example/return", CancelURL: "https://shop.example/cancel"}, true)
		require.NoError(t, err)
	}
	insert("a")
	insert("b")
	insert("c")

	require.NoError(t, s.Pay(ctx, "a", simctl.Payer{}))
	require.NoError(t, s.Cancel(ctx, "b"))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(s.PageURL("c"), url.Values{"action": {ActionPay}, "method": {"bkash"},
		"sender": {"01712345678"}, "trx_id": {"TRXPAGE1"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "https://shop.example/return?paymentID=c"))

	for id, want := range map[string]string{"a": "paid", "b": "cancelled", "c": "paid"} {
		rets, err := s.Returns(ctx, id)
		require.NoError(t, err)
		require.Len(t, rets, 1, id)
		assert.Equal(t, http.MethodGet, rets[0].Method)
		assert.Equal(t, url.Values{"paymentID": {id}, "status": {want}}, rets[0].Query)
	}
	_, err = s.Returns(ctx, "nobody")
	assert.ErrorIs(t, err, ErrPaymentNotFound)
}

// TestControllerTakesThePageURL: a provider whose create answers no id
// leaves the merchant the hosted page's URL, and every controller method
// that names a payment takes it in place of the id (simctl.Controller).
func TestControllerTakesThePageURL(t *testing.T) {
	s := NewServer(returnSpec(), Options{})
	defer s.Close()
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		_, err := s.Insert(Payment{ID: id, InvoiceID: "INV-" + id, Status: "open", Amount: mfspay.Taka(10),
			SuccessURL: "https://shop.example/return", CancelURL: "https://shop.example/cancel"}, true)
		require.NoError(t, err)
	}
	require.NoError(t, s.Pay(ctx, s.PageURL("a"), simctl.Payer{}))
	require.NoError(t, s.Cancel(ctx, s.PageURL("b")+"?lang=bn"))
	require.NoError(t, s.Expire(ctx, s.PageURL("c")))
	for id, want := range map[string]string{"a": "paid", "b": "cancelled", "c": "expired"} {
		p, _ := s.Payment(id)
		assert.Equal(t, want, p.Status, id)
	}
	byURL, err := s.Returns(ctx, s.PageURL("a"))
	require.NoError(t, err)
	byID, err := s.Returns(ctx, "a")
	require.NoError(t, err)
	require.Len(t, byURL, 1)
	assert.Equal(t, byID, byURL)
	_, err = s.Notifications(ctx, s.PageURL("a"))
	assert.NoError(t, err)
	_, err = s.Returns(ctx, s.PageURL("nobody"))
	assert.ErrorIs(t, err, ErrPaymentNotFound)
	_, err = s.Returns(ctx, s.PageURL(""))
	assert.ErrorIs(t, err, ErrPaymentNotFound)
}
