package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// evil is customer input that would run script if printed unescaped.
const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>"' &`

func TestOrderPageEscapesUserData(t *testing.T) {
	a := startTestApp(t, appConfig{})
	for _, provider := range []string{"wezopay", "eazzpay", "bkash", "uddoktapay"} {
		t.Run(provider, func(t *testing.T) {
			o := placeOrder(t, a, catalog[0].ID, provider, evil)
			require.Equal(t, evil, o.CustomerName, "stored as typed")
			for _, path := range []string{"/orders/" + o.ID, "/orders/" + o.ID + "/success"} {
				code, page := getPage(t, a.URL+path)
				require.Equal(t, http.StatusOK, code)
				assert.NotContains(t, page, "<script>")
				assert.NotContains(t, page, "<img")
				assert.Contains(t, page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
				customer, _ := elementText([]byte(page), "customer")
				assert.Contains(t, customer, evil, "shown as text")
			}
		})
	}
}

func TestProductPageEscapesRejectedInput(t *testing.T) {
	a := startTestApp(t, appConfig{})
	code, page := postForm(t, a.URL+"/orders", url.Values{
		"product": {catalog[0].ID}, "provider": {"wezopay"}, "name": {evil}, "phone": {"not a phone"},
	})
	require.Equal(t, http.StatusBadRequest, code)
	assert.NotContains(t, page, "<script>")
	assert.Contains(t, page, `value="&lt;script&gt;`)
}

func TestCreateOrderValidates(t *testing.T) {
	a := startTestApp(t, appConfig{})
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"unknown product", url.Values{"product": {"nope"}, "provider": {"wezopay"}, "name": {"Karim"}}, "Choose a product."},
		{"unknown provider", url.Values{"product": {catalog[0].ID}, "provider": {"bkash-direct"}, "name": {"Karim"}}, "Choose how to pay."},
		{"no name", url.Values{"product": {catalog[0].ID}, "provider": {"eazzpay"}, "name": {"  "}}, "Enter your name"},
		{"long name", url.Values{"product": {catalog[0].ID}, "provider": {"eazzpay"}, "name": {strings.Repeat("n", 61)}}, "Enter your name"},
		{"bad phone", url.Values{"product": {catalog[0].ID}, "provider": {"eazzpay"}, "name": {"Karim"}, "phone": {"call me"}}, "Enter a phone number"},
		{"damaged form token", url.Values{"product": {catalog[0].ID}, "provider": {"eazzpay"}, "name": {"Karim"}, "request_id": {"<x>"}}, "The form is damaged"},
		{"UddoktaPay without an email", url.Values{"product": {catalog[0].ID}, "provider": {"uddoktapay"}, "name": {"Karim"}}, "UddoktaPay needs your email address."},
		{"bad email", url.Values{"product": {catalog[0].ID}, "provider": {"wezopay"}, "name": {"Karim"}, "email": {"karim at home"}}, "Enter an email address"},
		{"email with a display name", url.Values{"product": {catalog[0].ID}, "provider": {"uddoktapay"}, "name": {"Karim"},
			"email": {"Karim <karim@example.com>"}}, "Enter an email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, page := postForm(t, a.URL+"/orders", tt.form)
			assert.Equal(t, http.StatusBadRequest, code)
			msg, _ := elementText([]byte(page), "error")
			assert.Contains(t, msg, tt.want)
		})
	}
	assert.Empty(t, a.sims.wezo.Requests(), "nothing reached a provider")
	assert.Empty(t, a.sims.eazz.Requests())
	assert.Empty(t, a.sims.uddokta.Requests())
}

func TestOrderStatusJSON(t *testing.T) {
	a := startTestApp(t, appConfig{})
	o := placeOrder(t, a, catalog[1].ID, "eazzpay", "Karim")

	code, body := getPage(t, a.URL+"/orders/"+o.ID+"/status")
	require.Equal(t, http.StatusOK, code)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	assert.Equal(t, "awaiting_payment", got["status"])
	assert.Equal(t, "349.75", got["amount"], "an exact decimal string")
	assert.Equal(t, o.InvoiceID, got["invoice_id"])

	code, _ = getPage(t, a.URL+"/orders/nope/status")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = getPage(t, a.URL+"/orders/nope")
	assert.Equal(t, http.StatusNotFound, code)
}

func TestPagesLinkTheDashboards(t *testing.T) {
	a := startTestApp(t, appConfig{})
	o := placeOrder(t, a, catalog[0].ID, "wezopay", "Karim")
	for _, path := range []string{"/", "/orders/" + o.ID} {
		_, page := getPage(t, a.URL+path)
		assert.Contains(t, page, `href="`+a.sims.wezo.URL+`/_dashboard"`, path)
		assert.Contains(t, page, `href="`+a.sims.eazz.URL+`/_dashboard"`, path)
	}
	code, dash := getPage(t, a.sims.wezo.URL+"/_dashboard")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, dash, o.InvoiceID)
}

// testOrderStore opens an order store in a fresh SQLite file.
func testOrderStore(t *testing.T) *orderStore {
	t.Helper()
	db, err := openDatabase(context.Background(), filepath.Join(t.TempDir(), "shop.db"), false)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	s, err := newOrderStore(context.Background(), db)
	require.NoError(t, err)
	return s
}

func TestOrderStore(t *testing.T) {
	ctx := context.Background()
	s := testOrderStore(t)
	o, existing, err := s.create(ctx, catalog[0], "wezopay", mfspay.Customer{Name: "Karim"}, "")
	require.NoError(t, err)
	assert.False(t, existing)
	assert.Len(t, o.InvoiceID, 12, "fits EazzPay's 6-15 character reference")
	paid := mfspay.Payment{InvoiceID: o.InvoiceID, Amount: o.Amount, PaymentID: "pay_1", TrxID: "TRX123456"}

	_, err = s.markPaid(ctx, "eazzpay", paid, "x", webhook.SourceNotification)
	assert.ErrorIs(t, err, errUnknownOrder, "an invoice belongs to one provider")
	short := paid
	short.Amount--
	_, err = s.markPaid(ctx, "wezopay", short, "x", webhook.SourceNotification)
	assert.ErrorIs(t, err, errAmountMismatch)
	assert.Equal(t, statusAwaiting, s.mustGet(t, o.ID).Status)
	assert.Empty(t, s.mustGet(t, o.ID).Notices, "a refused change writes nothing")

	got, err := s.markPaid(ctx, "wezopay", paid, "verified", webhook.SourceReconciliation)
	require.NoError(t, err)
	assert.Equal(t, statusPaid, got.Status)
	assert.Equal(t, webhook.SourceReconciliation, got.LearntBy)
	again, err := s.markPaid(ctx, "wezopay", paid, "verified", webhook.SourceNotification)
	require.NoError(t, err)
	assert.Equal(t, statusPaid, again.Status)
	assert.Equal(t, got.PaidAt, again.PaidAt, "idempotent")
	assert.Equal(t, webhook.SourceReconciliation, again.LearntBy, "the first source to deliver it keeps the credit")
	assert.Len(t, again.Notices, 2, "each delivery is noted")

	closed, err := s.markClosed(ctx, "wezopay", o.InvoiceID, statusCancelled, webhook.SourceNotification, notice{Event: "payment.cancelled"})
	require.NoError(t, err)
	assert.Equal(t, statusPaid, closed.Status, "paid is final")
	assert.Len(t, closed.Alerts, 1)
	assert.Equal(t, closed, s.mustGet(t, o.ID), "what update returns is what is stored")
}

// The same form submitted twice continues one order; the token reused for
// another purchase is refused.
func TestOrderStoreRequestIDs(t *testing.T) {
	ctx := context.Background()
	s := testOrderStore(t)
	first, existing, err := s.create(ctx, catalog[0], "wezopay", mfspay.Customer{Name: "Karim"}, "form-1")
	require.NoError(t, err)
	require.False(t, existing)
	again, existing, err := s.create(ctx, catalog[0], "wezopay", mfspay.Customer{Name: "Karim"}, "form-1")
	require.NoError(t, err)
	assert.True(t, existing)
	assert.Equal(t, first.ID, again.ID)
	_, _, err = s.create(ctx, catalog[1], "wezopay", mfspay.Customer{Name: "Karim"}, "form-1")
	assert.ErrorIs(t, err, errOtherOrder)
	other, existing, err := s.create(ctx, catalog[0], "wezopay", mfspay.Customer{Name: "Karim"}, "")
	require.NoError(t, err)
	assert.False(t, existing)
	assert.NotEqual(t, first.ID, other.ID, "no token, a new order")
}

// Concurrent deliveries to one order lose none of their notes.
func TestOrderStoreSerialisesUpdates(t *testing.T) {
	ctx := context.Background()
	s := testOrderStore(t)
	o, _, err := s.create(ctx, catalog[0], "wezopay", mfspay.Customer{Name: "Karim"}, "")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			assert.NoError(t, s.annotate(ctx, "wezopay", o.InvoiceID, "", notice{Event: fmt.Sprint("e", i)}))
		})
	}
	wg.Wait()
	assert.Len(t, s.mustGet(t, o.ID).Notices, 20)
}

// The return endpoint is served for providers whose customer's return
// needs an action (bKash executes, UddoktaPay verifies): only their creates
// carry /returns/{provider} as ReturnURL. A return that names no payment
// is refused as not valid.
func TestReturnEndpoint(t *testing.T) {
	a := startTestApp(t, appConfig{})
	wantReturn := map[string]bool{"bkash": true, "uddoktapay": true}
	for _, g := range a.shop.gateways {
		o := placeOrder(t, a, catalog[0].ID, g.Name, "Karim")
		if wantReturn[g.Name] {
			assert.Equal(t, a.URL+"/returns/"+g.Name, a.shop.paymentRequest(o, g).ReturnURL, g.Name)
		} else {
			assert.Empty(t, a.shop.paymentRequest(o, g).ReturnURL, g.Name)
		}
		code, page := getPage(t, a.URL+"/returns/"+g.Name+"?paymentID=x")
		assert.Equal(t, http.StatusBadRequest, code, g.Name)
		assert.Contains(t, page, "Link not valid")
	}
	code, _ := getPage(t, a.URL+"/returns/nopay")
	assert.Equal(t, http.StatusNotFound, code)
}

// A form submitted again does not make a second order or a second payment:
// the ledger answers the same create with the recorded checkout.
func TestResubmittedFormContinuesItsOrder(t *testing.T) {
	a := startTestApp(t, appConfig{})
	form := url.Values{"product": {catalog[0].ID}, "provider": {"eazzpay"}, "name": {"Karim"}, "request_id": {"form-twice"}}
	var first string
	for range 3 {
		resp, err := noRedirect.PostForm(a.URL+"/orders", form)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		if first == "" {
			first = resp.Header.Get(orderIDHeader)
		}
		assert.Equal(t, first, resp.Header.Get(orderIDHeader))
	}
	o := a.shop.orders.mustGet(t, first)
	n, err := a.sims.eazz.PaymentCount(context.Background(), o.InvoiceID)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "one payment, though EazzPay would accept a second")
	creates := 0
	for _, r := range a.sims.eazz.Requests() {
		if r.Method == http.MethodPost {
			creates++
		}
	}
	assert.Equal(t, 1, creates, "the repeats never reached the provider")

	form.Set("product", catalog[1].ID)
	code, page := postForm(t, a.URL+"/orders", form)
	assert.Equal(t, http.StatusConflict, code)
	msg, _ := elementText([]byte(page), "error")
	assert.Contains(t, msg, "already used for another order")
}
