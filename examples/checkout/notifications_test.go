package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/uddoktapay"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wezoCompleted is a WezoPay payment.completed webhook body for o claiming
// amount.
func wezoCompleted(o order, amount mfspay.Amount) string {
	return fmt.Sprintf(`{"event":"payment.completed","token":%q,"invoice_id":%q,"status":"paid","amount":%s,"trx_id":"FORGED1234","paid_at":"2026-06-08T11:45:00Z"}`,
		o.PaymentID, o.InvoiceID, amount)
}

// eazzCompleted is an EazzPay COMPLETED IPN body for o claiming amount.
func eazzCompleted(o order, amount mfspay.Amount) string {
	return fmt.Sprintf(`{"payment_id":%q,"reference":"","amount":%s,"transaction_fee":0,"total":%s,"metadata":"{\"invoice_id\":\"%s\"}",`+
		`"payment_method":"MOBILE_BANKING","mfs_payment_method":"BKASH","mfs_payment_account_type":"PERSONAL","status":"COMPLETED"}`,
		o.PaymentID, amount, amount, o.InvoiceID)
}

func TestForgedNotificationsDoNotMarkPaid(t *testing.T) {
	a := startTestApp(t, appConfig{})
	wezoSecret, eazzSecret := a.sims.wezo.WebhookSecret(), a.sims.eazz.ClientSecret()
	wezoHook := a.URL + "/webhooks/wezopay"

	tests := []struct {
		name     string
		provider string
		header   func(body string) http.Header
		// body makes the notification for the order; nil means a claim
		// that the order is paid in full.
		body     func(o order) string
		wantCode int
	}{
		{"wezopay unsigned", "wezopay", func(string) http.Header { return http.Header{} }, nil, http.StatusUnauthorized},
		{"wezopay signed with another secret", "wezopay", func(b string) http.Header {
			return http.Header{wezopay.SignatureHeader: {kit.SignHMACSHA256([]byte(b), "not-the-secret")}}
		}, nil, http.StatusUnauthorized},
		{"wezopay signature of another body", "wezopay", func(string) http.Header {
			return http.Header{wezopay.SignatureHeader: {kit.SignHMACSHA256([]byte(`{}`), wezoSecret)}}
		}, nil, http.StatusUnauthorized},
		// Someone holding the real secret claims a payment that never
		// happened: WezoPay, asked, says pending, so nothing is delivered
		// and the answer asks WezoPay to retry.
		{"wezopay correctly signed but never paid", "wezopay", func(b string) http.Header {
			return http.Header{wezopay.SignatureHeader: {kit.SignHMACSHA256([]byte(b), wezoSecret)}}
		}, nil, http.StatusServiceUnavailable},
		{"eazzpay without the secret", "eazzpay", func(string) http.Header { return http.Header{} }, nil, http.StatusUnauthorized},
		{"eazzpay with another secret", "eazzpay", func(string) http.Header {
			return http.Header{eazzpay.SecretHeader: {"not-the-secret"}}
		}, nil, http.StatusUnauthorized},
		{"eazzpay with a secret prefix", "eazzpay", func(string) http.Header {
			return http.Header{eazzpay.SecretHeader: {eazzSecret[:len(eazzSecret)-1]}}
		}, nil, http.StatusUnauthorized},
		{"eazzpay forged wallet transaction", "eazzpay", func(string) http.Header {
			return http.Header{eazzpay.SecretHeader: {"not-the-secret"}}
		}, func(o order) string {
			return fmt.Sprintf(`{"amount":%q,"payment_method":"BKASH","sender_number":"01311111111","transaction_id":"TRX12345","reference":%q,"date_time":"2026-06-08 12:34:56"}`,
				o.Amount.String(), o.InvoiceID)
		}, http.StatusUnauthorized},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := catalog[i%len(catalog)]
			o := placeOrder(t, a, p.ID, tt.provider, "Karim")
			body := eazzCompleted(o, o.Amount)
			if tt.provider == "wezopay" {
				body = wezoCompleted(o, o.Amount)
			}
			if tt.body != nil {
				body = tt.body(o)
			}
			u := wezoHook
			if tt.provider == "eazzpay" {
				u = a.URL + "/webhooks/eazzpay?invoice_id=" + o.InvoiceID
			}
			assert.Equal(t, tt.wantCode, postNotification(t, u, tt.header(body), body))

			got := a.shop.orders.mustGet(t, o.ID)
			assert.Equal(t, statusAwaiting, got.Status)
			assert.Empty(t, got.TrxID, "nothing from the forgery reaches the order")
			_, page := getPage(t, a.URL+"/orders/"+o.ID)
			status, _ := elementText([]byte(page), "status")
			assert.Equal(t, "AWAITING PAYMENT", status)
		})
	}
}

func TestWrongAmountDoesNotMarkPaid(t *testing.T) {
	a := startTestApp(t, appConfig{})
	ctx := context.Background()

	t.Run("eazzpay IPN one poisha short", func(t *testing.T) {
		o := placeOrder(t, a, catalog[0].ID, "eazzpay", "Karim")
		body := eazzCompleted(o, o.Amount-1)
		code := postNotification(t, a.URL+"/webhooks/eazzpay?invoice_id="+o.InvoiceID,
			http.Header{eazzpay.SecretHeader: {a.sims.eazz.ClientSecret()}}, body)
		assert.Equal(t, http.StatusOK, code, "refused for good: a retry would not change the amount")

		got := a.shop.orders.mustGet(t, o.ID)
		assert.Equal(t, statusAwaiting, got.Status)
		require.Len(t, got.Alerts, 1)
		assert.Contains(t, got.Alerts[0], "paid 1250.49 BDT, order is 1250.50 BDT")
	})

	t.Run("wezopay payment for an amount the order no longer has", func(t *testing.T) {
		o := placeOrder(t, a, catalog[1].ID, "wezopay", "Karim")
		// The shop's price changed after the payment was created: WezoPay
		// will confirm 349.75 BDT, the order now expects 350.00.
		a.shop.orders.setAmount(t, o.ID, mfspay.Taka(350))
		require.NoError(t, a.sims.wezo.Pay(ctx, o.PaymentID, simctl.Payer{Method: mfspay.MethodNagad, Sender: "01812345678", TrxID: "NGD1234567"}))
		waitCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		require.NoError(t, a.sims.wezo.WaitDeliveries(waitCtx))

		got := a.shop.orders.mustGet(t, o.ID)
		assert.Equal(t, statusAwaiting, got.Status)
		require.Len(t, got.Alerts, 1)
		assert.Contains(t, got.Alerts[0], "paid 349.75 BDT, order is 350.00 BDT")
		deliveries := a.sims.wezo.Deliveries()
		last := deliveries[len(deliveries)-1]
		assert.True(t, last.Delivered, "answered 200 once: the notification will never become valid")
	})
}

// TestReturnPageDoesNotMarkPaid: coming back to the success URL, which
// anyone can type, proves nothing.
func TestReturnPageDoesNotMarkPaid(t *testing.T) {
	a := startTestApp(t, appConfig{})
	for _, provider := range []string{"wezopay", "eazzpay", "bkash", "uddoktapay"} {
		o := placeOrder(t, a, catalog[0].ID, provider, "Karim")
		code, page := getPage(t, a.URL+"/orders/"+o.ID+"/success")
		require.Equal(t, http.StatusOK, code)
		status, _ := elementText([]byte(page), "status")
		assert.Equal(t, "AWAITING PAYMENT", status, provider)
		returned, _ := elementText([]byte(page), "returned")
		assert.Contains(t, returned, "waiting for")
		assert.Equal(t, statusAwaiting, a.shop.orders.mustGet(t, o.ID).Status)
	}
}

// TestRedeliveryChangesNothing: a provider's retry of a delivered
// notification is answered 200 and the order stays as it was.
func TestRedeliveryChangesNothing(t *testing.T) {
	a := startTestApp(t, appConfig{})
	ctx := context.Background()
	o := placeOrder(t, a, catalog[0].ID, "wezopay", "Karim")
	require.NoError(t, a.sims.wezo.Pay(ctx, o.PaymentID, simctl.Payer{}))
	require.NoError(t, a.sims.wezo.WaitDeliveries(ctx))
	paid := a.shop.orders.mustGet(t, o.ID)
	require.Equal(t, statusPaid, paid.Status)

	sent, err := a.sims.wezo.Notifications(ctx, o.PaymentID)
	require.NoError(t, err)
	require.Len(t, sent, 1)
	for range 3 {
		assert.Equal(t, http.StatusOK, postNotification(t, a.URL+"/webhooks/wezopay", sent[0].Header, string(sent[0].Body)))
	}
	again := a.shop.orders.mustGet(t, o.ID)
	assert.Equal(t, paid, again)
}

// TestCancelledPayment: the customer cancels on the hosted page; the
// provider's notification cancels the order. (bKash's cancel comes with the
// customer's return: TestBkashCancelOnThePage; UddoktaPay's changes
// nothing: TestUddoktaPayCancelChangesNothing.)
func TestCancelledPayment(t *testing.T) {
	a := startTestApp(t, appConfig{})
	ctx := context.Background()
	sims := map[string]simctl.Controller{"wezopay": a.sims.wezo, "eazzpay": a.sims.eazz}
	for provider, sim := range sims {
		o := placeOrder(t, a, catalog[0].ID, provider, "Karim")
		require.NoError(t, sim.Cancel(ctx, o.PaymentID))
		require.Eventually(t, func() bool {
			return a.shop.orders.mustGet(t, o.ID).Status == statusCancelled
		}, 5*time.Second, 10*time.Millisecond, provider)
	}
}

// UddoktaPay's cancel button sends the customer to the cancel URL and
// changes nothing at UddoktaPay, so the order goes on waiting (the
// customer may still pay on the same page).
func TestUddoktaPayCancelChangesNothing(t *testing.T) {
	a := startTestApp(t, appConfig{})
	o := placeOrder(t, a, catalog[0].ID, "uddoktapay", "Karim")
	require.NoError(t, a.sims.uddokta.Cancel(context.Background(), o.InvoiceID))
	returns, err := a.sims.uddokta.Returns(context.Background(), o.InvoiceID)
	require.NoError(t, err)
	require.Len(t, returns, 1)
	code, page := getPage(t, a.URL+"/orders/"+o.ID+"/cancel")
	require.Equal(t, http.StatusOK, code)
	note, _ := elementText([]byte(page), "returned")
	assert.Contains(t, note, "You left UddoktaPay's payment page without paying")
	assert.Equal(t, statusAwaiting, a.shop.orders.mustGet(t, o.ID).Status)
}

// bKash's notifications are AWS SNS messages signed under the simulator's
// own certificate authority, which the adapter is told to trust (and only
// for the simulator's SNS host). A genuine one is attached to its order; the
// same message with one byte of its Message changed, or unsigned, is 401
// and attaches nothing; a subscription confirmation is confirmed and
// answered 200. None of them ever marks an order paid.
func TestBkashNotificationsAreVerified(t *testing.T) {
	ctx := context.Background()
	a := startTestApp(t, appConfig{})
	hook := a.URL + "/webhooks/bkash"

	sub := a.sims.bkash.SubscriptionConfirmation() // sent to the shop, which confirms it
	require.NoError(t, a.sims.bkash.WaitDeliveries(ctx))
	deliveries := a.sims.bkash.Deliveries()
	require.Len(t, deliveries, 1)
	assert.Equal(t, string(sub.Body), string(deliveries[0].Body))
	// The adapter answers a confirmation 2xx only once it has visited the
	// SubscribeURL, on the simulator's SNS host.
	assert.True(t, deliveries[0].Delivered, "%+v", deliveries[0].Attempts)
	assert.Equal(t, http.StatusOK, postNotification(t, hook, sub.Header, string(sub.Body)), "a repeat is answered 200 too")

	// A paid order's genuine notification, held back and then tampered with.
	a.sims.bkash.Notifier.Drop(true)
	paid := placeOrder(t, a, catalog[0].ID, "bkash", "Karim")
	require.NoError(t, a.sims.bkash.Approve(paid.PaymentID, demoBkashWallet))
	code, _ := getPage(t, returnURLOf(t, a, a.sims.bkash, "bkash", paid.PaymentID, 0))
	require.Equal(t, http.StatusSeeOther, code)
	sent, err := a.sims.bkash.Notifications(ctx, paid.PaymentID)
	require.NoError(t, err)
	require.Len(t, sent, 1)
	genuine := sent[0]
	before := a.shop.orders.mustGet(t, paid.ID)
	require.Equal(t, statusPaid, before.Status)

	tampered := strings.Replace(string(genuine.Body), `\"currency\"`, `\"currencY\"`, 1)
	require.NotEqual(t, string(genuine.Body), tampered, "one byte of the Message changed")
	assert.Equal(t, http.StatusUnauthorized, postNotification(t, hook, genuine.Header, tampered))
	settings, err := a.sims.bkash.Settings(ctx)
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, postNotification(t, hook, http.Header{"Content-Type": {"application/json"}},
		`{"Type":"Notification","MessageId":"m1","TopicArn":"`+settings.Values[kit.SettingSNSTopicARNs]+`","Message":"{}"}`), "unsigned")
	assert.Equal(t, before, a.shop.orders.mustGet(t, paid.ID), "nothing reached the order")

	assert.Equal(t, http.StatusOK, postNotification(t, hook, genuine.Header, string(genuine.Body)))
	got := a.shop.orders.mustGet(t, paid.ID)
	require.Len(t, got.Notices, len(before.Notices)+1)
	last := got.Notices[len(got.Notices)-1]
	assert.Equal(t, string(mfspay.EventTransactionReceived), last.Event)
	assert.Contains(t, last.Outcome, "AWS SNS signature verified")
	assert.Equal(t, http.StatusOK, postNotification(t, hook, genuine.Header, string(genuine.Body)), "SNS's retry")
	assert.Len(t, a.shop.orders.mustGet(t, paid.ID).Notices, len(got.Notices), "delivered once")

	// The money announced for an order bKash never executed does not pay
	// it: the notification only attaches the transaction.
	unpaid := placeOrder(t, a, catalog[0].ID, "bkash", "Rahim")
	forOther := strings.Replace(string(genuine.Body), paid.InvoiceID, unpaid.InvoiceID, 1)
	assert.Equal(t, http.StatusUnauthorized, postNotification(t, hook, genuine.Header, forOther), "the signature covers the invoice")
	assert.Equal(t, statusAwaiting, a.shop.orders.mustGet(t, unpaid.ID).Status)
}

// UddoktaPay's IPN carries the API key, which proves who sent it but not
// what it says: without the key or with another it is 401; with the right
// key, a body claiming COMPLETED for a payment UddoktaPay holds PENDING is
// not taken for a payment.
func TestUddoktaPayIPNIsCheckedWithUddoktaPay(t *testing.T) {
	ctx := context.Background()
	a := startTestApp(t, appConfig{})
	sim := a.sims.uddokta
	hook := a.URL + "/webhooks/uddoktapay"
	o := placeOrder(t, a, catalog[0].ID, "uddoktapay", "Karim")
	sim.Notifier.Drop(true)
	require.NoError(t, sim.Pay(ctx, o.InvoiceID, simctl.Payer{Pending: true}))
	sent, err := sim.Notifications(ctx, o.InvoiceID)
	require.NoError(t, err)
	require.NotEmpty(t, sent)
	ipn := sent[len(sent)-1]
	require.Contains(t, string(ipn.Body), `"PENDING"`)
	claim := strings.Replace(string(ipn.Body), `"PENDING"`, `"COMPLETED"`, 1)

	noKey := ipn.Header.Clone()
	noKey.Del(uddoktapay.KeyHeader)
	wrongKey := ipn.Header.Clone()
	wrongKey.Set(uddoktapay.KeyHeader, sim.APIKey()+"x")
	assert.Equal(t, http.StatusUnauthorized, postNotification(t, hook, noKey, claim))
	assert.Equal(t, http.StatusUnauthorized, postNotification(t, hook, wrongKey, claim))

	code := postNotification(t, hook, ipn.Header, claim)
	assert.NotEqual(t, http.StatusUnauthorized, code, "the key is right")
	got := a.shop.orders.mustGet(t, o.ID)
	assert.Equal(t, statusAwaiting, got.Status, "UddoktaPay, asked, says PENDING")
	assert.Zero(t, completions(got))

	// The admin approves it in the panel: its IPN, now true, pays.
	sim.Notifier.Drop(false)
	require.NoError(t, sim.Approve(ctx, o.InvoiceID))
	require.NoError(t, sim.WaitDeliveries(ctx))
	got = a.shop.orders.mustGet(t, o.ID)
	assert.Equal(t, statusPaid, got.Status)
	assert.Equal(t, webhook.SourceNotification, got.LearntBy)
	assert.Contains(t, got.PaidBecause, "shared secret verified, confirmed with VerifyPayment")
}
