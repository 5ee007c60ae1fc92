package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/webhook"
)

// returnURLOf is the shop URL the provider sent the customer back to after
// the i-th recorded return of the payment named by handle.
func returnURLOf(t *testing.T, a *app, sim simctl.Controller, provider, handle string, i int) string {
	t.Helper()
	returns, err := sim.Returns(context.Background(), handle)
	require.NoError(t, err)
	require.Greater(t, len(returns), i, "the provider recorded the customer's return")
	return a.URL + "/returns/" + provider + "?" + returns[i].Query.Encode()
}

// executes counts the execute calls bKash's simulator received for
// paymentID ("": for any payment).
func executes(a *app, paymentID string) int {
	n := 0
	for _, r := range a.sims.bkash.Requests() {
		if strings.HasSuffix(r.Path, "/execute") && strings.Contains(string(r.Body), paymentID) {
			n++
		}
	}
	return n
}

// completions counts the payment.completed events the order's notes hold.
func completions(o order) int {
	n := 0
	for _, note := range o.Notices {
		if note.Event == string(mfspay.EventPaymentCompleted) {
			n++
		}
	}
	return n
}

// The customer's browser comes back five times at once (tabs, reloads):
// bKash executes once, the order is paid once, every tab lands on the
// order page, and bKash's SNS notification then adds the same transaction.
func TestBkashReturnExecutesOnce(t *testing.T) {
	ctx := context.Background()
	a := startTestApp(t, appConfig{})
	o := placeOrder(t, a, catalog[0].ID, "bkash", "Karim")
	require.NoError(t, a.sims.bkash.Approve(o.PaymentID, demoBkashWallet))
	back := returnURLOf(t, a, a.sims.bkash, "bkash", o.PaymentID, 0)

	var wg sync.WaitGroup
	landed := make([]string, 5)
	for i := range landed {
		wg.Go(func() {
			resp, err := noRedirect.Get(back)
			if assert.NoError(t, err) {
				resp.Body.Close()
				assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
				landed[i] = resp.Header.Get("Location")
			}
		})
	}
	wg.Wait()
	for _, l := range landed {
		assert.Equal(t, a.URL+"/orders/"+o.ID+"/success", l)
	}
	assert.Equal(t, 1, executes(a, ""), "one execute for five returns")

	require.NoError(t, a.sims.bkash.WaitDeliveries(ctx))
	got := a.shop.orders.mustGet(t, o.ID)
	assert.Equal(t, statusPaid, got.Status)
	assert.Equal(t, webhook.SourceReturn, got.LearntBy)
	assert.Equal(t, 1, completions(got), "paid once: %+v", got.Notices)
	assert.Equal(t, demoBkashWallet, got.Sender)
	assert.Contains(t, got.PaidBecause, "executed the payment at bKash")
	sns := 0
	for _, n := range got.Notices {
		if n.Event == string(mfspay.EventTransactionReceived) {
			sns++
			assert.Contains(t, n.Outcome, got.TrxID, "the notification announces the executed transaction")
		}
	}
	assert.Equal(t, 1, sns, "bKash's SNS notification was verified and attached once")
	e, err := a.db.ledger.ByInvoice(ctx, "bkash", o.InvoiceID)
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPaid, e.Status)
	assert.Equal(t, ledger.SourceReturn, e.Source)
}

// A return is unauthenticated: a forged one naming another order's
// approved payment is refused and executes nothing, a success claimed for a
// payment nobody approved leaves the order waiting, and neither touches
// the order it names.
func TestForgedBkashReturnsChangeNothing(t *testing.T) {
	a := startTestApp(t, appConfig{})
	victim := placeOrder(t, a, catalog[0].ID, "bkash", "Karim")
	other := placeOrder(t, a, catalog[1].ID, "bkash", "Rahim")
	require.NoError(t, a.sims.bkash.Approve(other.PaymentID, demoBkashWallet))

	forged := url.Values{"mfspay_invoice": {victim.InvoiceID}, "paymentID": {other.PaymentID}, "status": {"success"}}
	code, page := getPage(t, a.URL+"/returns/bkash?"+forged.Encode())
	assert.Equal(t, http.StatusBadRequest, code, "the payment does not belong to the invoice in the return")
	assert.Contains(t, page, "Link not valid")
	assert.Zero(t, executes(a, ""), "nothing was executed")

	// Success claimed for the victim's own payment, which nobody approved:
	// bKash refuses the execute and the order goes on waiting.
	unapproved := url.Values{"mfspay_invoice": {victim.InvoiceID}, "paymentID": {victim.PaymentID}, "status": {"success"}}
	resp, err := noRedirect.Get(a.URL + "/returns/bkash?" + unapproved.Encode())
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, a.URL+"/orders/"+victim.ID+"/success", resp.Header.Get("Location"))
	for _, o := range []order{victim, other} {
		got := a.shop.orders.mustGet(t, o.ID)
		assert.Equal(t, statusAwaiting, got.Status)
		assert.Zero(t, completions(got))
	}
	_, page = getPage(t, a.URL+"/orders/"+victim.ID+"/success")
	status, _ := elementText([]byte(page), "status")
	assert.Equal(t, "AWAITING PAYMENT", status)

	// The real return of the approved payment still pays its own order.
	code, _ = getPage(t, returnURLOf(t, a, a.sims.bkash, "bkash", other.PaymentID, 0))
	assert.Equal(t, http.StatusSeeOther, code)
	assert.Equal(t, statusPaid, a.shop.orders.mustGet(t, other.ID).Status)
	assert.Equal(t, statusAwaiting, a.shop.orders.mustGet(t, victim.ID).Status)
}

// The customer closes bKash's page: bKash sends the browser back with
// status=cancel, the shop asks bKash, which still holds the payment
// unexecuted, and the order is cancelled.
func TestBkashCancelOnThePage(t *testing.T) {
	a := startTestApp(t, appConfig{})
	o := placeOrder(t, a, catalog[0].ID, "bkash", "Karim")
	c := &demoCustomer{shopURL: a.URL, client: noRedirect, stepTimeout: 10 * time.Second}
	ctx := context.Background()
	page, err := c.get(ctx, o.RedirectURL)
	require.NoError(t, err)
	form, err := findForm(page, func(f htmlForm) bool { _, ok := f.value("wallet"); return ok })
	require.NoError(t, err)
	resp, _, err := c.postForm(ctx, resolve(o.RedirectURL, form.Action), form.submission(nil, "action", "close"))
	require.NoError(t, err)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	landed, err := c.follow(ctx, resolve(o.RedirectURL, resp.Header.Get("Location")))
	require.NoError(t, err)
	assert.Equal(t, a.URL+"/orders/"+o.ID+"/cancel", landed)

	got := a.shop.orders.mustGet(t, o.ID)
	assert.Equal(t, statusCancelled, got.Status)
	assert.Equal(t, webhook.SourceReturn, got.LearntBy)
	assert.Zero(t, executes(a, ""))
	_, shown := getPage(t, landed)
	note, _ := elementText([]byte(shown), "returned")
	assert.Contains(t, note, "You left bKash's payment page without paying")
}

// UddoktaPay names its payment only when the customer comes back (or its
// IPN arrives): with the IPN lost, the return alone makes the shop ask
// UddoktaPay and the order turns paid; the IPN sent again later is a
// duplicate. A return naming a payment still PENDING at UddoktaPay, or
// one UddoktaPay does not know, pays nothing.
func TestUddoktaPayReturnVerifies(t *testing.T) {
	ctx := context.Background()
	a := startTestApp(t, appConfig{})
	sim := a.sims.uddokta
	sim.Notifier.Drop(true)

	o := placeOrder(t, a, catalog[1].ID, "uddoktapay", "Karim")
	require.Empty(t, o.PaymentID, "UddoktaPay's create names no payment")
	require.NoError(t, sim.Pay(ctx, o.InvoiceID, simctl.Payer{Sender: "01812345678", TrxID: "UDK1234567"}))
	back := returnURLOf(t, a, sim, "uddoktapay", o.InvoiceID, 0)
	code, page := getPage(t, back)
	require.Equal(t, http.StatusSeeOther, code, page)
	got := a.shop.orders.mustGet(t, o.ID)
	assert.Equal(t, statusPaid, got.Status)
	assert.Equal(t, webhook.SourceReturn, got.LearntBy)
	assert.Equal(t, "UDK1234567", got.TrxID)
	assert.NotEmpty(t, got.PaymentID, "the return named the payment")
	e, err := a.db.ledger.ByInvoice(ctx, "uddoktapay", o.InvoiceID)
	require.NoError(t, err)
	assert.Equal(t, got.PaymentID, e.PaymentID, "the ledger learnt the payment id from the return")

	sim.Notifier.Drop(false)
	require.NoError(t, sim.ResendIPN(ctx, o.InvoiceID))
	require.NoError(t, sim.WaitDeliveries(ctx))
	deliveries := sim.Deliveries()
	assert.True(t, deliveries[len(deliveries)-1].Delivered, "the IPN is answered 200 as a duplicate")
	assert.Equal(t, 1, completions(a.shop.orders.mustGet(t, o.ID)), "paid once")

	pending := placeOrder(t, a, catalog[0].ID, "uddoktapay", "Rahim")
	require.NoError(t, sim.Pay(ctx, pending.InvoiceID, simctl.Payer{Pending: true}))
	back = returnURLOf(t, a, sim, "uddoktapay", pending.InvoiceID, 0)
	resp, err := noRedirect.Get(back)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, a.URL+"/orders/"+pending.ID+"/success", resp.Header.Get("Location"))
	assert.Equal(t, statusAwaiting, a.shop.orders.mustGet(t, pending.ID).Status, "PENDING at UddoktaPay is not paid")

	code, page = getPage(t, a.URL+"/returns/uddoktapay?invoice_id=NOSUCHINVOICE1")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, page, "Link not valid")
}
