package webhook_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
	"github.com/mfspay/mfspay/webhook"
)

// A shop receives EazzPay's notifications on /webhooks/{provider}. The
// simulator stands in for EazzPay: the customer pays, EazzPay sends its IPN
// and its webhook-listener notification, and the shop's callback gets each
// once.
func ExampleNew() {
	mux := http.NewServeMux()
	shop := httptest.NewServer(mux)
	defer shop.Close()

	sim := eazzpaytest.NewServer(eazzpaytest.WithWebhookURL(shop.URL + "/webhooks/eazzpay"))
	defer sim.Close()
	gw, err := eazzpay.New(eazzpay.Config{BaseURL: sim.BaseURL(), ClientSecret: sim.ClientSecret()})
	if err != nil {
		log.Fatal(err)
	}

	var mu sync.Mutex
	var seen []string
	onEvent := func(ctx context.Context, e *mfspay.Event) error {
		// Mark the order in the shop's database here; return an error to
		// have the provider deliver the event again.
		d, _ := webhook.DeliveryFrom(ctx)
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, fmt.Sprintf("%s %s %s confirmed=%t",
			e.Type, e.Payment.Amount, e.Payment.Method, d.Confirmed))
		return nil
	}
	h := webhook.New(onEvent, webhook.Route(gw), webhook.Confirm())
	mux.Handle("/webhooks/{provider}", h)

	co, err := gw.CreatePayment(context.Background(), mfspay.CreatePaymentRequest{
		InvoiceID: "INV-1001", Amount: mfspay.Taka(100),
		Customer:   mfspay.Customer{Name: "Rahim Khan"},
		SuccessURL: "https://shop.example/paid", CancelURL: "https://shop.example/cart",
		WebhookURL: shop.URL + "/webhooks/eazzpay",
	})
	if err != nil {
		log.Fatal(err)
	}
	// The customer pays on EazzPay's page.
	_ = sim.Pay(context.Background(), co.PaymentID, simctl.Payer{Method: mfspay.MethodBKash})
	_ = sim.WaitNotifications(context.Background())

	sort.Strings(seen)
	fmt.Println(strings.Join(seen, "\n"))
	// Output:
	// payment.completed 100.00 bkash confirmed=false
	// transaction.received 100.00 bkash confirmed=false
}

// With Confirm, a WezoPay notification is checked with the provider before
// it is delivered: a validly signed "paid" for a payment WezoPay still has as
// pending (a replay, or a forgery by someone holding the secret) is answered
// 503 and never delivered; the real one is delivered with WezoPay's own view
// of the payment.
func ExampleConfirm() {
	mux := http.NewServeMux()
	shop := httptest.NewServer(mux)
	defer shop.Close()
	sim := wezopaytest.NewServer()
	defer sim.Close()
	gw, err := wezopay.FromSettings(sim.SettingsMap(), mfspay.Resilience{})
	if err != nil {
		log.Fatal(err)
	}
	paid := make(chan string, 1)
	mux.Handle("/webhooks/{provider}", webhook.New(func(ctx context.Context, e *mfspay.Event) error {
		d, _ := webhook.DeliveryFrom(ctx)
		paid <- fmt.Sprintf("%s %s %s confirmed=%t", e.Type, e.Payment.Amount, e.Payment.TrxID, d.Confirmed)
		return nil
	}, webhook.Route(gw), webhook.Confirm()))

	co, err := gw.CreatePayment(context.Background(), mfspay.CreatePaymentRequest{
		InvoiceID: "INV-2002", Amount: mfspay.Taka(250),
		SuccessURL: "https://shop.example/paid", CancelURL: "https://shop.example/cart",
		WebhookURL: shop.URL + "/webhooks/wezopay",
	})
	if err != nil {
		log.Fatal(err)
	}

	forged := fmt.Sprintf(`{"event":"payment.completed","token":%q,"invoice_id":"INV-2002","status":"paid",`+
		`"amount":250.00,"trx_id":"FAKE000001","paid_at":"2026-06-08T11:45:00Z"}`, co.PaymentID)
	r := httptest.NewRequest(http.MethodPost, "/webhooks/wezopay", strings.NewReader(forged))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(wezopay.SignatureHeader, kit.SignHMACSHA256([]byte(forged), sim.WebhookSecret()))
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Println("forged:", w.Code)

	_ = sim.Pay(context.Background(), co.PaymentID, simctl.Payer{TrxID: "8N2K3TEST12"})
	fmt.Println("genuine:", <-paid)
	// Output:
	// forged: 503
	// genuine: payment.completed 250.00 8N2K3TEST12 confirmed=true
}

// Providers that cannot share one path pattern get a handler each.
func ExampleHandler_For() {
	gw, err := eazzpay.New(eazzpay.Config{ClientSecret: "esk_live_current"})
	if err != nil {
		log.Fatal(err)
	}
	h := webhook.New(func(context.Context, *mfspay.Event) error { return nil }, webhook.Route(gw))

	mux := http.NewServeMux()
	mux.Handle("/payments/eazzpay/ipn", h.For(eazzpay.ProviderName))

	// A request without EazzPay's secret header is refused.
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/payments/eazzpay/ipn",
		strings.NewReader(`{"payment_id":"67adb1d9a7436e9d01c5a1b2","status":"COMPLETED","amount":100}`)))
	fmt.Print(w.Code, " ", w.Body.String())
	// Output: 401 unauthorized
}

// With ExpectAmount, a completed payment that does not match the order is
// never delivered; the hook is told instead.
func ExampleExpectAmount() {
	gw, err := eazzpay.New(eazzpay.Config{ClientSecret: "esk_live_current"})
	if err != nil {
		log.Fatal(err)
	}
	orders := map[string]mfspay.Amount{"INV-1001": mfspay.Taka(100)}
	h := webhook.New(
		func(_ context.Context, e *mfspay.Event) error {
			fmt.Println("delivered", e.Type)
			return nil
		},
		webhook.Route(gw),
		webhook.ExpectAmount(func(_ context.Context, _, invoiceID string) (mfspay.Amount, bool, error) {
			want, ok := orders[invoiceID]
			return want, ok, nil
		}),
		webhook.OnAmountMismatch(func(_ context.Context, m webhook.AmountMismatch) error {
			fmt.Println("mismatch on", m.Event.Payment.InvoiceID, "paid", m.Event.Payment.Amount, "expected", m.Expected)
			return nil
		}),
	)
	// EazzPay's IPN for a payment of 99.99 taka.
	r := httptest.NewRequest(http.MethodPost, "/webhooks/eazzpay?invoice_id=INV-1001", strings.NewReader(
		`{"payment_id":"67adb1d9a7436e9d01c5a1b2","amount":99.99,"payment_method":"MOBILE_BANKING",`+
			`"mfs_payment_method":"BKASH","status":"COMPLETED"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(eazzpay.SecretHeader, "esk_live_current")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code)
	// Output:
	// mismatch on INV-1001 paid 99.99 expected 100.00
	// 200
}

// A MemoryStore suits one process. Several replicas behind one webhook URL
// share a Store instead (redisstore, pgstore), so that a re-delivery
// reaching another replica is still a duplicate.
func ExampleNewMemoryStore() {
	store := webhook.NewMemoryStore(webhook.MaxEntries(10_000))
	gw, err := eazzpay.New(eazzpay.Config{ClientSecret: "esk_live_current"})
	if err != nil {
		log.Fatal(err)
	}
	h := webhook.New(func(context.Context, *mfspay.Event) error { return nil },
		webhook.Route(gw),
		webhook.WithStore(store),
		webhook.DedupTTL(7*24*time.Hour), // as long as the provider may retry
		webhook.Lease(30*time.Second),    // longest callback, and how long a crash blocks
	)
	_ = h
	r, _ := store.Reserve(context.Background(), "eazzpay/evt_1", time.Minute)
	again, _ := store.Reserve(context.Background(), "eazzpay/evt_1", time.Minute)
	fmt.Println(r.State, again.State)
	// Output: acquired in-flight
}
