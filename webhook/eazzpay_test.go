package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
	"github.com/mfspay/mfspay/webhook"
)

// eazzStack is a simulated EazzPay wired to a merchant server whose
// handler feeds rec.
type eazzStack struct {
	sim      *eazzpaytest.Server
	gw       mfspay.Gateway
	merchant *merchant
	rec      *recorder
	orders   *orders
	logs     *logBuffer
}

func newEazzStack(t *testing.T, opts ...webhook.Option) *eazzStack {
	t.Helper()
	s := &eazzStack{merchant: newMerchant(t), rec: &recorder{}, logs: &logBuffer{},
		orders: &orders{expected: map[string]mfspay.Amount{}}}
	s.sim = eazzpaytest.NewServer(
		eazzpaytest.WithWebhookURL(s.merchant.webhookURL(eazzpay.ProviderName)),
		eazzpaytest.WithDelivery(4, 2*time.Millisecond))
	t.Cleanup(s.sim.Close)
	settings, err := s.sim.Settings(context.Background())
	require.NoError(t, err)
	s.gw, err = eazzpay.FromSettings(settings.Values, fastResilience)
	require.NoError(t, err)
	s.merchant.mount(webhook.New(s.rec.callback, append([]webhook.Option{
		webhook.Route(s.gw), webhook.Confirm(),
		webhook.ExpectAmount(s.orders.expect), webhook.OnAmountMismatch(s.orders.onMismatch),
		webhook.WithLogger(s.logs.logger()),
	}, opts...)...))
	return s
}

// order creates a payment for invoice of amount, which the merchant
// expects to be paid expected.
func (s *eazzStack) order(t *testing.T, invoice string, amount, expected mfspay.Amount) *mfspay.Checkout {
	t.Helper()
	s.orders.mu.Lock()
	s.orders.expected[invoice] = expected
	s.orders.mu.Unlock()
	co, err := s.gw.CreatePayment(ctxT(t), mfspay.CreatePaymentRequest{
		InvoiceID: invoice, Amount: amount,
		Customer:   mfspay.Customer{Name: "Rahim Khan"},
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/cart",
		WebhookURL: s.merchant.webhookURL(eazzpay.ProviderName),
	})
	require.NoError(t, err)
	return co
}

func (s *eazzStack) pay(t *testing.T, co *mfspay.Checkout) {
	t.Helper()
	require.NoError(t, s.sim.Pay(ctxT(t), co.PaymentID,
		simctl.Payer{Method: mfspay.MethodNagad, Sender: "01811111111", TrxID: "TRX778899"}))
	require.NoError(t, s.sim.WaitNotifications(ctxT(t)))
}

func TestEazzPayEndToEnd(t *testing.T) {
	s := newEazzStack(t)
	co := s.order(t, "INV-E2E-1", mfspay.Taka(100), mfspay.Taka(100))
	s.pay(t, co)

	got := s.rec.delivered()
	require.Len(t, got, 2, "the IPN and the webhook-listener notification")
	byType := map[mfspay.EventType]mfspay.Event{}
	for _, e := range got {
		byType[e.Type] = e
	}
	ipn := byType[mfspay.EventPaymentCompleted]
	assert.Equal(t, "INV-E2E-1", ipn.Payment.InvoiceID)
	assert.Equal(t, co.PaymentID, ipn.Payment.PaymentID)
	assert.Equal(t, mfspay.Taka(100), ipn.Payment.Amount)
	trx := byType[mfspay.EventTransactionReceived]
	assert.Equal(t, "TRX778899", trx.Payment.TrxID)
	assert.Equal(t, "INV-E2E-1", trx.Reference)
	for _, d := range s.rec.deliveries() {
		assert.False(t, d.Confirmed, "EazzPay cannot verify: its events are delivered unconfirmed")
		assert.Equal(t, eazzpay.ProviderName, d.Provider)
	}
	assert.Empty(t, s.orders.told())

	// The provider's own retries of these notifications are duplicates.
	notes, err := s.sim.Notifications(ctxT(t), co.PaymentID)
	require.NoError(t, err)
	require.Len(t, notes, 2)
	for _, n := range notes {
		assert.Equal(t, 200, s.merchant.post(t, "/webhooks/eazzpay", n))
	}
	assert.Len(t, s.rec.delivered(), 2)
	assert.Contains(t, s.logs.String(), `"outcome":"duplicate"`)
	assert.NotContains(t, s.logs.String(), s.sim.ClientSecret())
}

func TestEazzPayCancelledIPN(t *testing.T) {
	s := newEazzStack(t)
	co := s.order(t, "INV-CXL-1", mfspay.Taka(5), mfspay.Taka(5))
	require.NoError(t, s.sim.Cancel(ctxT(t), co.PaymentID))
	require.NoError(t, s.sim.WaitNotifications(ctxT(t)))
	got := s.rec.delivered()
	require.Len(t, got, 1)
	assert.Equal(t, mfspay.EventPaymentCancelled, got[0].Type)
}

// eazzNotifications pays one order on a simulator whose notifications are
// merely collected, and returns the IPN, the webhook-listener request and
// the client secret that authenticates them.
func eazzNotifications(t *testing.T) (ipn, listener mfspay.WebhookRequest, secret string) {
	t.Helper()
	in := newMerchant(t)
	in.mux.HandleFunc("/", func(http.ResponseWriter, *http.Request) {})
	sim := eazzpaytest.NewServer(eazzpaytest.WithWebhookURL(in.webhookURL("eazzpay")),
		eazzpaytest.WithDelivery(1, time.Millisecond))
	t.Cleanup(sim.Close)
	settings, err := sim.Settings(ctxT(t))
	require.NoError(t, err)
	gw, err := eazzpay.FromSettings(settings.Values, fastResilience)
	require.NoError(t, err)
	co, err := gw.CreatePayment(ctxT(t), mfspay.CreatePaymentRequest{
		InvoiceID: "INV-ANS-1", Amount: mfspay.Taka(100), Customer: mfspay.Customer{Name: "Karim"},
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/cart",
		WebhookURL: in.webhookURL("eazzpay"),
	})
	require.NoError(t, err)
	require.NoError(t, sim.Pay(ctxT(t), co.PaymentID, simctl.Payer{}))
	require.NoError(t, sim.WaitNotifications(ctxT(t)))
	notes, err := sim.Notifications(ctxT(t), co.PaymentID)
	require.NoError(t, err)
	require.Len(t, notes, 2)
	for _, n := range notes {
		if n.Query.Get("invoice_id") != "" {
			ipn = n
		} else {
			listener = n
		}
	}
	require.NotNil(t, ipn.Body)
	require.NotNil(t, listener.Body)
	return ipn, listener, settings.Values["client_secret"]
}

func TestEazzPayAnswers(t *testing.T) {
	ipn, listener, secret := eazzNotifications(t)
	kinds := map[string]mfspay.WebhookRequest{"ipn": ipn, "webhook-listener": listener}
	newHandler := func(t *testing.T, rec *recorder, opts ...webhook.Option) *webhook.Handler {
		gw, err := eazzpay.New(eazzpay.Config{ClientSecret: secret})
		require.NoError(t, err)
		return webhook.New(rec.callback, append([]webhook.Option{webhook.Route(gw)}, opts...)...)
	}
	for kind, note := range kinds {
		t.Run(kind, func(t *testing.T) {
			t.Run("delivered then duplicate", func(t *testing.T) {
				var rec recorder
				h := newHandler(t, &rec)
				code, text := do(h, replay("/", note))
				assert.Equal(t, 200, code)
				assert.Equal(t, "delivered\n", text)
				code, text = do(h, replay("/", note))
				assert.Equal(t, 200, code)
				assert.Equal(t, "duplicate\n", text)
				assert.EqualValues(t, 1, rec.calls.Load())
			})
			t.Run("callback failure then re-delivery", func(t *testing.T) {
				var rec recorder
				rec.fail.Store(1)
				h := newHandler(t, &rec)
				code, _ := do(h, replay("/", note))
				assert.Equal(t, 500, code)
				code, text := do(h, replay("/", note))
				assert.Equal(t, 200, code)
				assert.Equal(t, "delivered\n", text)
				assert.Len(t, rec.delivered(), 1)
			})
			t.Run("store down", func(t *testing.T) {
				var rec recorder
				code, _ := do(newHandler(t, &rec, webhook.WithStore(failingStore{})), replay("/", note))
				assert.Equal(t, 503, code)
				assert.Zero(t, rec.calls.Load())
			})
			for _, m := range answerMutations(eazzpay.SecretHeader, func(*http.Request, []byte) {}) {
				t.Run(m.name, func(t *testing.T) {
					var rec recorder
					code, _ := do(newHandler(t, &rec), m.change(replay("/", note)))
					assert.Equal(t, m.wantCode, code)
					assert.Equal(t, m.wantCalls, rec.calls.Load())
				})
			}
		})
	}
}

func TestEazzPayOnePoishaShort(t *testing.T) {
	s := newEazzStack(t)
	// The payment was created (or tampered with) for one poisha less than the
	// order is worth.
	co := s.order(t, "INV-SHORT-1", mfspay.Taka(100)-1, mfspay.Taka(100))
	s.pay(t, co)

	for _, e := range s.rec.delivered() {
		assert.NotEqual(t, mfspay.EventPaymentCompleted, e.Type, "a short payment is never delivered as completed")
	}
	told := s.orders.told()
	require.Len(t, told, 1, "the hook is told once, although the provider might retry")
	assert.Equal(t, mfspay.Taka(100), told[0].Expected)
	assert.Equal(t, mfspay.Taka(100)-1, told[0].Event.Payment.Amount)
	assert.True(t, told[0].Known)
	assert.Equal(t, "INV-SHORT-1", told[0].Event.Payment.InvoiceID)
	assert.Contains(t, s.logs.String(), `"outcome":"amount-mismatch","status":200`,
		"answered 200: the notification will never become valid")
}
