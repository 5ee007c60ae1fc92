package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
	"github.com/mfspay/mfspay/webhook"
)

// The webhook handler is the reconciler's Deliverer.
var _ ledger.Deliverer = (*webhook.Handler)(nil)

// The webhook handler is the reconciler's Deliverer: a payment found by a
// sweep reaches the callback through the same de-duplication store and
// amount check as notifications, so the notification that arrives late is
// not delivered again. The callback records every delivered state in the
// ledger, saying how it was learnt.
func Example_webhookHandler() {
	ctx := context.Background()
	sim := wezopaytest.NewServer()
	defer sim.Close()
	settings, _ := sim.Settings(ctx)
	gw, err := wezopay.FromSettings(settings.Values, mfspay.Resilience{})
	if err != nil {
		panic(err)
	}
	store := ledger.NewMemoryStore()
	schedule := ledger.Schedule{FirstCheck: time.Nanosecond} // minutes by default
	payments := ledger.Record(gw, store, ledger.WithSchedule(schedule))

	sources := map[webhook.Source]ledger.Source{
		webhook.SourceNotification:   ledger.SourceNotification,
		webhook.SourceReturn:         ledger.SourceReturn,
		webhook.SourceReconciliation: ledger.SourceSweep,
	}
	hooks := webhook.New(func(ctx context.Context, ev *mfspay.Event) error {
		d, _ := webhook.DeliveryFrom(ctx)
		fmt.Println("callback:", ev.Type, ev.Payment.InvoiceID, "from", d.Source)
		// Mark the order paid here, then record the state in the ledger.
		if c, ok := ledger.EventChange(ev, sources[d.Source], time.Now()); ok {
			if _, _, err := store.Apply(ctx, c); err != nil {
				return err // the state is delivered again later
			}
		}
		return nil
	}, webhook.Route(gw), webhook.Confirm(), webhook.ExpectAmount(ledger.ExpectedAmount(store)))

	co, err := payments.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID: "INV-2001", Amount: mfspay.Taka(250),
		SuccessURL: "https://shop.example/paid", CancelURL: "https://shop.example/cancelled",
		// No WebhookURL: the notification does not arrive (yet).
	})
	if err != nil {
		panic(err)
	}
	_ = sim.Pay(ctx, co.PaymentID, simctl.Payer{})

	r, err := ledger.NewReconciler(ledger.Config{
		Store: store, Gateways: []mfspay.Gateway{gw}, Schedule: schedule, Deliverer: hooks,
	})
	if err != nil {
		panic(err)
	}
	rep, _ := r.Sweep(ctx)
	e, _ := store.ByInvoice(ctx, wezopay.ProviderName, "INV-2001")
	fmt.Println("delivered", rep.Delivered, "| ledger:", e.Status, "learnt by", e.Source)

	// The provider's notification of the same payment arrives after all.
	sent, _ := sim.Notifications(ctx, co.PaymentID)
	req := httptest.NewRequest(http.MethodPost, "/webhooks/wezopay", bytes.NewReader(sent[0].Body))
	req.Header = sent[0].Header.Clone()
	w := httptest.NewRecorder()
	hooks.ServeHTTP(w, req)
	fmt.Println("late notification answered", w.Code)
	// Output:
	// callback: payment.completed INV-2001 from reconciliation
	// delivered 1 | ledger: paid learnt by sweep
	// late notification answered 200
}
