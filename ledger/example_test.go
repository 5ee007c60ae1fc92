package ledger_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// A payment whose notification never arrives is found by the reconciler
// and delivered through the same Deliverer notifications use.
func Example() {
	ctx := context.Background()
	sim := wezopaytest.NewServer() // a simulated WezoPay
	defer sim.Close()
	settings, _ := sim.Settings(ctx)
	gw, err := wezopay.FromSettings(settings.Values, mfspay.Resilience{})
	if err != nil {
		panic(err)
	}

	store := ledger.NewMemoryStore() // sqlite.Open(ctx, "ledger.db") in production
	// First check at once, for the example; minutes by default.
	schedule := ledger.Schedule{FirstCheck: time.Nanosecond}
	payments := ledger.Record(gw, store, ledger.WithSchedule(schedule))

	co, err := payments.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID:  "INV-1001",
		Amount:     mfspay.Taka(250),
		SuccessURL: "https://shop.example/paid",
		CancelURL:  "https://shop.example/cancelled",
		// No WebhookURL: the notification is lost.
	})
	if err != nil {
		panic(err)
	}
	_ = sim.Pay(ctx, co.PaymentID, simctl.Payer{}) // the customer pays

	r, err := ledger.NewReconciler(ledger.Config{
		Store:    store,
		Gateways: []mfspay.Gateway{gw},
		Schedule: schedule,
		// In production: the webhook handler, so that a notification and a
		// sweep deliver a payment once.
		Deliverer: ledger.DelivererFunc(func(_ context.Context, ev *mfspay.Event) error {
			fmt.Println(ev.Type, ev.Payment.InvoiceID, ev.Payment.Amount)
			return nil
		}),
	})
	if err != nil {
		panic(err)
	}
	rep, err := r.Sweep(ctx) // or go r.Run(ctx, time.Minute)
	if err != nil {
		panic(err)
	}
	e, _ := store.ByInvoice(ctx, wezopay.ProviderName, "INV-1001")
	fmt.Println("delivered", rep.Delivered, "| ledger:", e.Status, "learnt by", e.Source)
	// Output:
	// payment.completed INV-1001 250.00
	// delivered 1 | ledger: paid learnt by sweep
}

// Record makes a create safe to repeat: the same request for the same
// invoice gets the recorded checkout, and the provider sees one create.
func ExampleRecord() {
	ctx := context.Background()
	sim := wezopaytest.NewServer()
	defer sim.Close()
	settings, _ := sim.Settings(ctx)
	gw, _ := wezopay.FromSettings(settings.Values, mfspay.Resilience{})
	payments := ledger.Record(gw, ledger.NewMemoryStore())

	req := mfspay.CreatePaymentRequest{InvoiceID: "INV-7", Amount: mfspay.Taka(99),
		SuccessURL: "https://shop.example/paid", CancelURL: "https://shop.example/cancelled"}
	first, _ := payments.CreatePayment(ctx, req)
	again, _ := payments.CreatePayment(ctx, req) // a double click, a retried request
	sent, _ := sim.RequestCount(ctx)
	fmt.Println(first.PaymentID == again.PaymentID, "creates sent:", sent)

	req.Amount = mfspay.Taka(100)
	_, err := payments.CreatePayment(ctx, req)
	fmt.Println(err)
	// Output:
	// true creates sent: 1
	// wezopay create: duplicate: invoice_id: the invoice already has a payment at this provider
}
