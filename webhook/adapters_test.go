package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
	"github.com/mfspay/mfspay/webhook"
)

// The handler with the built-in adapters and their simulators, as a
// merchant wires it: what each provider's notifications become at the
// merchant's endpoint.

// simulator is what the tests drive of a built-in simulator.
type simulator interface {
	simctl.Controller
	WaitDeliveries(context.Context) error
	Deliveries() []simkit.Delivery
	Close()
}

// builtin is one built-in adapter and what its notifications look like.
type builtin struct {
	name string
	// start runs the simulator, notifying the merchant m.
	start func(m *merchant) simulator
	// authHeader carries the notification's credential; secret is the
	// setting holding it; reauth makes a changed body authentic again
	// (re-signing it, for a provider that signs bodies).
	authHeader, secret string
	reauth             func(secret string) func(r *http.Request, body []byte)
	// paid is what a payment paid is announced as; confirms says
	// whether the provider can be asked, so that its events are confirmed.
	paid     []mfspay.EventType
	expired  mfspay.EventType
	confirms bool
}

var builtins = []builtin{
	{
		name: wezopay.ProviderName,
		start: func(*merchant) simulator {
			return wezopaytest.NewServer(wezopaytest.WithDelivery(4, 2*time.Millisecond))
		},
		authHeader: wezopay.SignatureHeader, secret: wezopay.SettingWebhookSecrets,
		reauth: func(secret string) func(*http.Request, []byte) {
			return func(r *http.Request, body []byte) {
				r.Header.Set(wezopay.SignatureHeader, kit.SignHMACSHA256(body, secret))
			}
		},
		paid:    []mfspay.EventType{mfspay.EventPaymentCompleted},
		expired: mfspay.EventPaymentExpired, confirms: true,
	},
	{
		name: eazzpay.ProviderName,
		start: func(m *merchant) simulator {
			return eazzpaytest.NewServer(eazzpaytest.WithWebhookURL(m.webhookURL(eazzpay.ProviderName)),
				eazzpaytest.WithDelivery(4, 2*time.Millisecond))
		},
		authHeader: eazzpay.SecretHeader, secret: "client_secret",
		reauth: func(string) func(*http.Request, []byte) { return func(*http.Request, []byte) {} },
		// The IPN, then the webhook listener's money received.
		paid:    []mfspay.EventType{mfspay.EventPaymentCompleted, mfspay.EventTransactionReceived},
		expired: mfspay.EventPaymentFailed, // EazzPay has no expiry of its own
	},
}

// stack is a simulated provider wired to a merchant server whose handler
// confirms every event and checks amounts.
type stack struct {
	builtin
	sim      simulator
	settings simctl.Settings
	gw       mfspay.Gateway
	merchant *merchant
	rec      *recorder
	orders   *orders
	logs     *logBuffer
}

func newStack(t *testing.T, a builtin, opts ...webhook.Option) *stack {
	t.Helper()
	s := &stack{builtin: a, merchant: newMerchant(t), rec: &recorder{}, logs: &logBuffer{},
		orders: &orders{expected: map[string]mfspay.Amount{}}}
	s.sim = a.start(s.merchant)
	t.Cleanup(s.sim.Close)
	var err error
	s.settings, err = s.sim.Settings(ctxT(t))
	require.NoError(t, err)
	s.gw = s.gateway(t, fastResilience)
	s.merchant.mount(webhook.New(s.rec.callback, append([]webhook.Option{
		webhook.Route(s.gw), webhook.Confirm(),
		webhook.ExpectAmount(s.orders.expect), webhook.OnAmountMismatch(s.orders.onMismatch),
		webhook.WithLogger(s.logs.logger()),
	}, opts...)...))
	return s
}

// gateway opens another gateway on the simulator's settings.
func (s *stack) gateway(t *testing.T, r mfspay.Resilience) mfspay.Gateway {
	t.Helper()
	open := map[string]func(map[string]string, mfspay.Resilience) (mfspay.Gateway, error){
		wezopay.ProviderName: wezopay.FromSettings, eazzpay.ProviderName: eazzpay.FromSettings,
	}[s.name]
	gw, err := open(s.settings.Values, r)
	require.NoError(t, err)
	return gw
}

// order creates a payment for invoice of amount, which the merchant
// expects to be paid expected.
func (s *stack) order(t *testing.T, invoice string, amount, expected mfspay.Amount) *mfspay.Checkout {
	t.Helper()
	s.orders.mu.Lock()
	s.orders.expected[invoice] = expected
	s.orders.mu.Unlock()
	co, err := s.gw.CreatePayment(ctxT(t), mfspay.CreatePaymentRequest{
		InvoiceID: invoice, Amount: amount,
		Customer:   mfspay.Customer{Name: "Rahim Khan", Phone: "01712345678"},
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/cart",
		WebhookURL: s.merchant.webhookURL(s.name),
	})
	require.NoError(t, err)
	return co
}

// pay has the customer pay co and waits for every notification.
func (s *stack) pay(t *testing.T, co *mfspay.Checkout) {
	t.Helper()
	require.NoError(t, s.sim.Pay(ctxT(t), co.PaymentID,
		simctl.Payer{Method: mfspay.MethodBKash, Sender: "01712345678", TrxID: "8N2K3TEST12"}))
	require.NoError(t, s.sim.WaitDeliveries(ctxT(t)))
}

func (s *stack) notifications(t *testing.T, co *mfspay.Checkout) []mfspay.WebhookRequest {
	t.Helper()
	notes, err := s.sim.Notifications(ctxT(t), co.PaymentID)
	require.NoError(t, err)
	return notes
}

func forEachBuiltin(t *testing.T, test func(t *testing.T, a builtin)) {
	for _, a := range builtins {
		t.Run(a.name, func(t *testing.T) { test(t, a) })
	}
}

func TestBuiltinEndToEnd(t *testing.T) {
	forEachBuiltin(t, func(t *testing.T, a builtin) {
		s := newStack(t, a)
		co := s.order(t, "INV-E2E-1", mfspay.Taka(250), mfspay.Taka(250))
		s.pay(t, co)

		got, deliveries := s.rec.delivered(), s.rec.deliveries()
		require.Len(t, got, len(a.paid))
		for i, e := range got { // in the order they arrived
			assert.Contains(t, a.paid, e.Type)
			assert.Equal(t, mfspay.Taka(250), e.Payment.Amount)
			assert.Equal(t, mfspay.StatusPaid, e.Payment.Status)
			assert.Equal(t, e.Type, deliveries[i].Claimed.Type)
			if e.Type == mfspay.EventTransactionReceived {
				assert.Equal(t, "8N2K3TEST12", e.Payment.TrxID)
				assert.Equal(t, "INV-E2E-1", e.Reference, "the customer's reference ties the money to the invoice")
				continue
			}
			assert.Equal(t, "INV-E2E-1", e.Payment.InvoiceID)
			assert.Equal(t, co.PaymentID, e.Payment.PaymentID)
			assert.Equal(t, a.confirms, deliveries[i].Confirmed, "a provider that can be asked has its events confirmed")
		}
		for _, dl := range s.sim.Deliveries() {
			assert.True(t, dl.Delivered, "every notification was answered 2xx")
		}

		// The provider's own re-deliveries are duplicates.
		notes := s.notifications(t, co)
		require.Len(t, notes, len(a.paid))
		for _, n := range notes {
			assert.Equal(t, 200, s.merchant.post(t, "/webhooks/"+a.name, n))
		}
		assert.Len(t, s.rec.delivered(), len(a.paid))
		for _, secret := range s.settings.Secrets {
			assert.NotContains(t, s.logs.String(), secret)
		}
	})
}

func TestBuiltinCancelledAndExpired(t *testing.T) {
	forEachBuiltin(t, func(t *testing.T, a builtin) {
		s := newStack(t, a)
		cancelled := s.order(t, "INV-CXL-1", mfspay.Taka(10), mfspay.Taka(10))
		expired := s.order(t, "INV-EXP-1", mfspay.Taka(10), mfspay.Taka(10))
		require.NoError(t, s.sim.Cancel(ctxT(t), cancelled.PaymentID))
		require.NoError(t, s.sim.Expire(ctxT(t), expired.PaymentID))
		require.NoError(t, s.sim.WaitDeliveries(ctxT(t)))
		types := map[string]mfspay.EventType{}
		for _, e := range s.rec.delivered() {
			types[e.Payment.InvoiceID] = e.Type
		}
		assert.Equal(t, map[string]mfspay.EventType{"INV-CXL-1": mfspay.EventPaymentCancelled, "INV-EXP-1": a.expired}, types)
	})
}

// TestBuiltinAnswers: what the handler answers each genuine notification
// of each built-in provider, and each way of spoiling it.
func TestBuiltinAnswers(t *testing.T) {
	forEachBuiltin(t, func(t *testing.T, a builtin) {
		s := newStack(t, a)
		co := s.order(t, "INV-ANS-1", mfspay.Taka(100), mfspay.Taka(100))
		s.pay(t, co)
		newHandler := func(t *testing.T, rec *recorder, opts ...webhook.Option) *webhook.Handler {
			return webhook.New(rec.callback, append([]webhook.Option{webhook.Route(s.gateway(t, fastResilience))}, opts...)...)
		}
		for i, note := range s.notifications(t, co) {
			t.Run(fmt.Sprint("notification", i+1), func(t *testing.T) {
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
				for _, m := range answerMutations(a.authHeader, a.reauth(s.settings.Values[a.secret])) {
					t.Run(m.name, func(t *testing.T) {
						var rec recorder
						code, _ := do(newHandler(t, &rec), m.change(replay("/", note)))
						assert.Equal(t, m.wantCode, code)
						assert.Equal(t, m.wantCalls, rec.calls.Load())
					})
				}
			})
		}
	})
}

func TestBuiltinOnePoishaShort(t *testing.T) {
	forEachBuiltin(t, func(t *testing.T, a builtin) {
		s := newStack(t, a)
		// The payment was created (or tampered with) for one poisha less
		// than the order is worth.
		co := s.order(t, "INV-SHORT-1", mfspay.Taka(100)-1, mfspay.Taka(100))
		s.pay(t, co)

		for _, e := range s.rec.delivered() {
			assert.NotEqual(t, mfspay.EventPaymentCompleted, e.Type, "a short payment is never delivered as completed")
		}
		told := s.orders.told()
		require.Len(t, told, 1, "the hook is told once, although the provider might retry")
		assert.Equal(t, mfspay.Taka(100), told[0].Expected)
		assert.Equal(t, mfspay.Taka(100)-1, told[0].Event.Payment.Amount)
		assert.Equal(t, mfspay.EventPaymentCompleted, told[0].Event.Type)
		assert.Equal(t, "INV-SHORT-1", told[0].Event.Payment.InvoiceID)
		assert.Contains(t, s.logs.String(), `"outcome":"amount-mismatch","status":200`,
			"answered 200: the notification will never become valid")
		for _, dl := range s.sim.Deliveries() {
			assert.True(t, dl.Delivered, "answered 200: the provider stops retrying")
			assert.Len(t, dl.Attempts, 1)
		}
	})
}

// The rest needs a provider that can be asked what it holds: WezoPay.

// wezoPay is WezoPay's entry in builtins.
var wezoPay = builtins[0]

// forge builds a notification about co claiming status, validly signed with
// the webhook secret: what an attacker holding the secret, or a replay of
// a stale notification, looks like.
func (s *stack) forge(t *testing.T, co *mfspay.Checkout, event, status string, amount mfspay.Amount) mfspay.WebhookRequest {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"event": event, "token": co.PaymentID, "invoice_id": co.InvoiceID, "status": status,
		"amount": amount.Number(), "trx_id": "FORGED1234", "paid_at": "2026-06-08T11:45:00Z",
	})
	require.NoError(t, err)
	return mfspay.WebhookRequest{Header: http.Header{
		"Content-Type":        {"application/json"},
		"X-Wezopay-Signature": {kit.SignHMACSHA256(body, s.settings.Values[wezopay.SettingWebhookSecrets])},
	}, Body: body}
}

func TestConfirmForgedPaidEventNeverDelivered(t *testing.T) {
	s := newStack(t, wezoPay)
	co := s.order(t, "INV-W-FORGE", mfspay.Taka(500), mfspay.Taka(500))

	// Validly signed, but the provider says the payment is still pending.
	forged := s.forge(t, co, "payment.completed", "paid", mfspay.Taka(500))
	for range 3 {
		assert.Equal(t, http.StatusServiceUnavailable, s.merchant.post(t, "/webhooks/wezopay", forged))
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

func TestConfirmStalePaidEventDeliversTheRealOutcome(t *testing.T) {
	s := newStack(t, wezoPay)
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

func TestConfirmForgedAmountIsCorrected(t *testing.T) {
	s := newStack(t, wezoPay)
	co := s.order(t, "INV-W-AMT", mfspay.Taka(500), mfspay.Taka(500))
	s.pay(t, co)
	// A notification claiming a different amount for the same payment is
	// re-checked and delivered with the provider's amount.
	forged := s.forge(t, co, "payment.pending", "pending", mfspay.Taka(1))
	assert.Equal(t, 200, s.merchant.post(t, "/webhooks/wezopay", forged))
	for _, e := range s.rec.delivered() {
		assert.Equal(t, mfspay.Taka(500), e.Payment.Amount)
		assert.Equal(t, mfspay.EventPaymentCompleted, e.Type)
	}
}

func TestConfirmProviderDown(t *testing.T) {
	s := newStack(t, wezoPay)
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

// wezoNotification pays an order on a WezoPay simulator and returns its
// signed payment.completed notification and the webhook secret.
func wezoNotification(t *testing.T) (note mfspay.WebhookRequest, secret string) {
	t.Helper()
	s := newStack(t, wezoPay)
	co := s.order(t, "INV-W-ANS", mfspay.Taka(100), mfspay.Taka(100))
	s.pay(t, co)
	notes := s.notifications(t, co)
	require.Len(t, notes, 1)
	return notes[0], s.settings.Values[wezopay.SettingWebhookSecrets]
}

func TestConfirmProviderUnreachable(t *testing.T) {
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
