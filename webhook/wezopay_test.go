package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
	"github.com/mfspay/mfspay/webhook"
)

// wezoStack is a simulated WezoPay wired to a merchant server whose handler
// confirms every event and checks amounts.
type wezoStack struct {
	sim      *wezopaytest.Server
	gw       mfspay.Gateway
	merchant *merchant
	rec      *recorder
	orders   *orders
	logs     *logBuffer
	h        *webhook.Handler
}

func newWezoStack(t *testing.T, opts ...webhook.Option) *wezoStack {
	t.Helper()
	s := &wezoStack{merchant: newMerchant(t), rec: &recorder{}, logs: &logBuffer{},
		orders: &orders{expected: map[string]mfspay.Amount{}}}
	s.sim = wezopaytest.NewServer(wezopaytest.WithDelivery(4, 2*time.Millisecond))
	t.Cleanup(s.sim.Close)
	var err error
	s.gw, err = wezopay.FromSettings(s.sim.SettingsMap(), fastResilience)
	require.NoError(t, err)
	s.h = webhook.New(s.rec.callback, append([]webhook.Option{
		webhook.Route(s.gw), webhook.Confirm(),
		webhook.ExpectAmount(s.orders.expect), webhook.OnAmountMismatch(s.orders.onMismatch),
		webhook.WithLogger(s.logs.logger()),
	}, opts...)...)
	s.merchant.mount(s.h)
	return s
}

func (s *wezoStack) order(t *testing.T, invoice string, amount, expected mfspay.Amount) *mfspay.Checkout {
	t.Helper()
	s.orders.mu.Lock()
	s.orders.expected[invoice] = expected
	s.orders.mu.Unlock()
	co, err := s.gw.CreatePayment(ctxT(t), mfspay.CreatePaymentRequest{
		InvoiceID: invoice, Amount: amount,
		Customer:   mfspay.Customer{Name: "Rahim Khan", Phone: "01712345678"},
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/cart",
		WebhookURL: s.merchant.webhookURL(wezopay.ProviderName),
	})
	require.NoError(t, err)
	return co
}

func (s *wezoStack) pay(t *testing.T, co *mfspay.Checkout) {
	t.Helper()
	require.NoError(t, s.sim.Pay(ctxT(t), co.PaymentID,
		simctl.Payer{Method: mfspay.MethodBKash, Sender: "01712345678", TrxID: "8N2K3TEST12"}))
	require.NoError(t, s.sim.WaitDeliveries(ctxT(t)))
}

// forge builds a notification about co claiming status, validly signed with
// the webhook secret: what an attacker holding the secret, or a replay of
// a stale notification, looks like.
func (s *wezoStack) forge(t *testing.T, co *mfspay.Checkout, event, status string, amount mfspay.Amount) mfspay.WebhookRequest {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"event": event, "token": co.PaymentID, "invoice_id": co.InvoiceID, "status": status,
		"amount": amount.Number(), "trx_id": "FORGED1234", "paid_at": "2026-06-08T11:45:00Z",
	})
	require.NoError(t, err)
	return mfspay.WebhookRequest{
		Header: http.Header{
			"Content-Type":        {"application/json"},
			"X-Wezopay-Signature": {kit.SignHMACSHA256(body, s.sim.WebhookSecret())},
		},
		Body: body,
	}
}

func TestWezoPayEndToEnd(t *testing.T) {
	s := newWezoStack(t)
	co := s.order(t, "INV-W-1", mfspay.Taka(250), mfspay.Taka(250))
	s.pay(t, co)

	got := s.rec.delivered()
	require.Len(t, got, 1)
	e := got[0]
	assert.Equal(t, mfspay.EventPaymentCompleted, e.Type)
	assert.Equal(t, mfspay.StatusPaid, e.Payment.Status)
	assert.Equal(t, "INV-W-1", e.Payment.InvoiceID)
	assert.Equal(t, co.PaymentID, e.Payment.PaymentID)
	assert.Equal(t, mfspay.Taka(250), e.Payment.Amount)
	assert.Equal(t, "8N2K3TEST12", e.Payment.TrxID)
	d := s.rec.deliveries()[0]
	assert.True(t, d.Confirmed, "WezoPay can verify: the event is the provider's answer")
	assert.Equal(t, mfspay.EventPaymentCompleted, d.Claimed.Type)

	for _, dl := range s.sim.Deliveries() {
		assert.True(t, dl.Delivered, "every webhook was answered 2xx")
	}
	notes, err := s.sim.Notifications(ctxT(t), co.PaymentID)
	require.NoError(t, err)
	require.NotEmpty(t, notes)
	assert.Equal(t, 200, s.merchant.post(t, "/webhooks/wezopay", notes[0]), "a re-delivery is a duplicate")
	assert.Len(t, s.rec.delivered(), 1)
	assert.NotContains(t, s.logs.String(), s.sim.WebhookSecret())
	assert.NotContains(t, s.logs.String(), s.sim.APIKey())
}

func TestWezoPayCancelledAndExpired(t *testing.T) {
	s := newWezoStack(t)
	cancelled := s.order(t, "INV-W-CXL", mfspay.Taka(10), mfspay.Taka(10))
	expired := s.order(t, "INV-W-EXP", mfspay.Taka(10), mfspay.Taka(10))
	require.NoError(t, s.sim.Cancel(ctxT(t), cancelled.PaymentID))
	require.NoError(t, s.sim.Expire(ctxT(t), expired.PaymentID))
	require.NoError(t, s.sim.WaitDeliveries(ctxT(t)))
	types := map[string]mfspay.EventType{}
	for _, e := range s.rec.delivered() {
		types[e.Payment.InvoiceID] = e.Type
	}
	assert.Equal(t, map[string]mfspay.EventType{
		"INV-W-CXL": mfspay.EventPaymentCancelled, "INV-W-EXP": mfspay.EventPaymentExpired,
	}, types)
}

// wezoNotification pays an order on a simulator and returns its signed
// payment.completed notification and the webhook secret.
func wezoNotification(t *testing.T) (note mfspay.WebhookRequest, secret string) {
	t.Helper()
	s := newWezoStack(t)
	co := s.order(t, "INV-W-ANS", mfspay.Taka(100), mfspay.Taka(100))
	s.pay(t, co)
	notes, err := s.sim.Notifications(ctxT(t), co.PaymentID)
	require.NoError(t, err)
	require.Len(t, notes, 1)
	return notes[0], s.sim.WebhookSecret()
}

func TestWezoPayAnswers(t *testing.T) {
	note, secret := wezoNotification(t)
	newHandler := func(t *testing.T, rec *recorder, opts ...webhook.Option) *webhook.Handler {
		gw, err := wezopay.New(wezopay.Config{APIKey: "wpk_unused", WebhookSecrets: []string{"whsec_new", secret}})
		require.NoError(t, err)
		return webhook.New(rec.callback, append([]webhook.Option{webhook.Route(gw)}, opts...)...)
	}
	resign := func(r *http.Request, body []byte) {
		r.Header.Set(wezopay.SignatureHeader, kit.SignHMACSHA256(body, secret))
	}
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
		code, _ = do(h, replay("/", note))
		assert.Equal(t, 200, code)
		assert.Len(t, rec.delivered(), 1)
	})
	t.Run("store down", func(t *testing.T) {
		var rec recorder
		code, _ := do(newHandler(t, &rec, webhook.WithStore(failingStore{})), replay("/", note))
		assert.Equal(t, 503, code)
		assert.Zero(t, rec.calls.Load())
	})
	t.Run("signed with a retired secret", func(t *testing.T) {
		var rec recorder
		r := replay("/", note)
		r.Header.Set(wezopay.SignatureHeader, kit.SignHMACSHA256(note.Body, "whsec_retired"))
		code, _ := do(newHandler(t, &rec), r)
		assert.Equal(t, 401, code)
	})
	for _, m := range answerMutations(wezopay.SignatureHeader, resign) {
		t.Run(m.name, func(t *testing.T) {
			var rec recorder
			code, _ := do(newHandler(t, &rec), m.change(replay("/", note)))
			assert.Equal(t, m.wantCode, code)
			assert.Equal(t, m.wantCalls, rec.calls.Load())
		})
	}
}

func TestWezoPayForgedPaidEventNeverDelivered(t *testing.T) {
	s := newWezoStack(t)
	co := s.order(t, "INV-W-FORGE", mfspay.Taka(500), mfspay.Taka(500))

	// Validly signed, but the provider says the payment is still pending.
	forged := s.forge(t, co, "payment.completed", "paid", mfspay.Taka(500))
	for range 3 {
		assert.Equal(t, http.StatusServiceUnavailable, s.merchant.post(t, "/webhooks/wezopay", forged))
	}
	for _, e := range s.rec.delivered() {
		assert.NotEqual(t, mfspay.EventPaymentCompleted, e.Type)
	}
	assert.Empty(t, s.rec.delivered(), "nothing is delivered for a claim the provider does not confirm")
	assert.Contains(t, s.logs.String(), `"outcome":"claim-ahead-of-provider"`)

	// When the customer really pays, the genuine notification (same event
	// id as the forgery) is delivered: the forgery left no mark behind.
	s.pay(t, co)
	got := s.rec.delivered()
	require.Len(t, got, 1)
	assert.Equal(t, mfspay.EventPaymentCompleted, got[0].Type)
	assert.Equal(t, "8N2K3TEST12", got[0].Payment.TrxID, "the provider's trx id, not the forged one")
}

func TestWezoPayStalePaidEventDeliversTheRealOutcome(t *testing.T) {
	s := newWezoStack(t)
	co := s.order(t, "INV-W-STALE", mfspay.Taka(500), mfspay.Taka(500))
	require.NoError(t, s.sim.Cancel(ctxT(t), co.PaymentID))
	require.NoError(t, s.sim.WaitDeliveries(ctxT(t)))

	stale := s.forge(t, co, "payment.completed", "paid", mfspay.Taka(500))
	assert.Equal(t, 200, s.merchant.post(t, "/webhooks/wezopay", stale))
	for _, e := range s.rec.delivered() {
		assert.Equal(t, mfspay.EventPaymentCancelled, e.Type, "only the provider's own state is delivered")
	}
	assert.Len(t, s.rec.delivered(), 1, "the real cancellation, once: the stale claim, corrected, is the same state")
}

func TestWezoPayForgedAmountIsCorrectedByConfirmation(t *testing.T) {
	s := newWezoStack(t)
	co := s.order(t, "INV-W-AMT", mfspay.Taka(500), mfspay.Taka(500))
	s.pay(t, co)
	// A notification claiming a different amount for the same payment is a
	// duplicate of the genuine one; under another event name it is
	// re-checked and delivered with the provider's amount.
	forged := s.forge(t, co, "payment.pending", "pending", mfspay.Taka(1))
	assert.Equal(t, 200, s.merchant.post(t, "/webhooks/wezopay", forged))
	for _, e := range s.rec.delivered() {
		assert.Equal(t, mfspay.Taka(500), e.Payment.Amount)
		assert.Equal(t, mfspay.EventPaymentCompleted, e.Type)
	}
}

func TestWezoPayOnePoishaShort(t *testing.T) {
	s := newWezoStack(t)
	co := s.order(t, "INV-W-SHORT", mfspay.Taka(100)-1, mfspay.Taka(100))
	s.pay(t, co)

	assert.Empty(t, s.rec.delivered(), "a short payment is never delivered as completed")
	told := s.orders.told()
	require.Len(t, told, 1)
	assert.Equal(t, mfspay.Taka(100), told[0].Expected)
	assert.Equal(t, mfspay.Taka(100)-1, told[0].Event.Payment.Amount)
	assert.Equal(t, mfspay.EventPaymentCompleted, told[0].Event.Type)
	for _, dl := range s.sim.Deliveries() {
		assert.True(t, dl.Delivered, "answered 200: the provider stops retrying")
		assert.Len(t, dl.Attempts, 1)
	}
}

func TestWezoPayProviderDownDuringConfirmation(t *testing.T) {
	s := newWezoStack(t)
	co := s.order(t, "INV-W-DOWN", mfspay.Taka(20), mfspay.Taka(20))
	// Every verify fails while the customer pays: the webhook deliveries
	// are answered 503 and retried by the provider.
	require.NoError(t, s.sim.Fail(ctxT(t), simctl.Fault{Count: 2, Status: http.StatusServiceUnavailable}))
	s.pay(t, co)

	got := s.rec.delivered()
	require.Len(t, got, 1, "the provider's retry is delivered once the provider answers again")
	assert.Equal(t, mfspay.EventPaymentCompleted, got[0].Type)
	assert.Contains(t, s.logs.String(), `"outcome":"provider-unavailable","status":503`)
	ds := s.sim.Deliveries()
	require.Len(t, ds, 1)
	assert.True(t, ds[0].Delivered)
	assert.Equal(t, http.StatusServiceUnavailable, ds[0].Attempts[0].StatusCode)
}

func TestWezoPayProviderUnreachable(t *testing.T) {
	note, secret := wezoNotification(t)
	for _, tt := range []struct {
		name    string
		breaker mfspay.BreakerSettings
	}{
		{"connection refused", mfspay.BreakerSettings{Disabled: true}},
		{"breaker open", mfspay.BreakerSettings{FailureThreshold: 1, OpenTimeout: time.Hour}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := fastResilience
			r.Breaker = tt.breaker
			gw, err := wezopay.New(wezopay.Config{BaseURL: "http://127.0.0.1:1/api/v1", APIKey: "wpk_x",
				WebhookSecrets: []string{secret}, Resilience: r})
			require.NoError(t, err)
			if !tt.breaker.Disabled {
				_, err := gw.VerifyPayment(context.Background(), mfspay.PaymentRef{InvoiceID: "INV-X"})
				require.ErrorIs(t, err, mfspay.ErrUnavailable)
			}
			var rec recorder
			var logs logBuffer
			h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm(), webhook.WithLogger(logs.logger()))
			code, _ := do(h, replay("/", note))
			assert.Equal(t, 503, code)
			assert.Zero(t, rec.calls.Load())
			want := "unavailable"
			if !tt.breaker.Disabled {
				want = "circuit open"
			}
			assert.Contains(t, logs.String(), `"error_kind":"`+want+`"`)
		})
	}
}
