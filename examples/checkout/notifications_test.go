package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
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
	for _, provider := range []string{"wezopay", "eazzpay"} {
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
// provider's notification cancels the order.
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
