package main

import (
	"context"
	"net/http"
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

// paidWithHeldNotification places an order at WezoPay and pays it with
// the notification held back: recorded by the simulator, not sent. It
// returns the order and the notification, for the test to post when it
// chooses.
func paidWithHeldNotification(t *testing.T, a *app) (order, mfspay.WebhookRequest) {
	t.Helper()
	ctx := context.Background()
	a.sims.wezo.Notifier.Drop(true)
	o := placeOrder(t, a, catalog[0].ID, "wezopay", "Karim")
	require.NoError(t, a.sims.wezo.Pay(ctx, o.PaymentID, simctl.Payer{}))
	sent, err := a.sims.wezo.Notifications(ctx, o.PaymentID)
	require.NoError(t, err)
	require.NotEmpty(t, sent)
	return o, sent[len(sent)-1]
}

// holdDeliveries makes the callback stop in the middle of delivering the
// invoice's state from src: entered is closed when it gets there, and it
// goes on when release is closed.
func holdDeliveries(count *deliveryCount, invoiceID string, src webhook.Source) (entered, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	var once sync.Once
	count.gate = func(ctx context.Context, e *mfspay.Event) {
		d, _ := webhook.DeliveryFrom(ctx)
		if e.Payment.InvoiceID == invoiceID && d.Source == src {
			once.Do(func() { close(entered) })
			<-release
		}
	}
	return entered, release
}

func waitClosed(t *testing.T, ch chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		require.FailNow(t, "timed out waiting: "+what)
	}
}

// A notification and a sweep race on the same payment, through the shop's
// real webhook handler and reconciler: whichever reaches the callback
// first delivers, the other finds the state taken or delivered, and the
// shop hears of the payment once.
func TestNotificationAndSweepRaceDeliverOnce(t *testing.T) {
	ctx := context.Background()

	t.Run("the notification is being delivered when the sweep finds the payment", func(t *testing.T) {
		a, clock, count, sweeps := reconcilingApp(t, appConfig{})
		o, note := paidWithHeldNotification(t, a)
		entered, release := holdDeliveries(count, o.InvoiceID, webhook.SourceNotification)
		answered := make(chan int, 1)
		go func() { answered <- postNotification(t, a.URL+"/webhooks/wezopay", note.Header, string(note.Body)) }()
		waitClosed(t, entered, "the notification reaching the callback")

		clock.AdvanceSleeping(t, sweepEvery)
		rep := sweeps.next(t)
		assert.Equal(t, 1, rep.DeliveryErrors, "the sweep finds the state's delivery running and leaves it")
		assert.Zero(t, rep.Delivered)
		close(release)
		assert.Equal(t, http.StatusOK, <-answered)

		clock.AdvanceSleeping(t, sweepEvery)
		rep = sweeps.next(t)
		assert.Zero(t, rep.Claimed, "the delivered notification closed the ledger entry")
		n, sources := count.of(o.InvoiceID, mfspay.EventPaymentCompleted)
		assert.Equal(t, 1, n, "delivered once: %v", sources)
		got := a.shop.orders.mustGet(t, o.ID)
		assert.Equal(t, statusPaid, got.Status)
		assert.Equal(t, webhook.SourceNotification, got.LearntBy)
		e, err := a.db.ledger.ByInvoice(ctx, "wezopay", o.InvoiceID)
		require.NoError(t, err)
		assert.Equal(t, ledger.SourceNotification, e.Source)
	})

	t.Run("the sweep is delivering when the notification arrives", func(t *testing.T) {
		a, clock, count, sweeps := reconcilingApp(t, appConfig{})
		o, note := paidWithHeldNotification(t, a)
		entered, release := holdDeliveries(count, o.InvoiceID, webhook.SourceReconciliation)
		clock.AdvanceSleeping(t, sweepEvery)
		waitClosed(t, entered, "the sweep reaching the callback")

		assert.Equal(t, http.StatusServiceUnavailable, postNotification(t, a.URL+"/webhooks/wezopay", note.Header, string(note.Body)),
			"another delivery of the state is running: the provider is asked to retry")
		close(release)
		rep := sweeps.next(t)
		assert.Equal(t, 1, rep.Delivered)
		assert.Equal(t, http.StatusOK, postNotification(t, a.URL+"/webhooks/wezopay", note.Header, string(note.Body)),
			"the provider's retry is answered as delivered")

		n, sources := count.of(o.InvoiceID, mfspay.EventPaymentCompleted)
		assert.Equal(t, 1, n, "delivered once: %v", sources)
		got := a.shop.orders.mustGet(t, o.ID)
		assert.Equal(t, statusPaid, got.Status)
		assert.Equal(t, webhook.SourceReconciliation, got.LearntBy)
	})

	t.Run("free race of 40 payments", func(t *testing.T) {
		a, clock, count, sweeps := reconcilingApp(t, appConfig{})
		orders := make([]order, 40)
		for i := range orders {
			orders[i] = placeOrder(t, a, catalog[i%len(catalog)].ID, "wezopay", "Karim")
		}
		// The payments are made, their notifications sent, and the sweep
		// started, all at once.
		var wg sync.WaitGroup
		for _, o := range orders {
			wg.Go(func() { assert.NoError(t, a.sims.wezo.Pay(ctx, o.PaymentID, simctl.Payer{})) })
		}
		clock.AdvanceSleeping(t, sweepEvery)
		wg.Wait()
		first := sweeps.next(t)
		require.NoError(t, a.sims.wezo.WaitDeliveries(ctx))
		// A sweep that met a running delivery tries again next time.
		clock.AdvanceSleeping(t, sweepEvery)
		second := sweeps.next(t)

		bySource := map[webhook.Source]int{}
		for _, o := range orders {
			n, sources := count.of(o.InvoiceID, mfspay.EventPaymentCompleted)
			assert.Equal(t, 1, n, "%s delivered once: %v", o.InvoiceID, sources)
			got := a.shop.orders.mustGet(t, o.ID)
			assert.Equal(t, statusPaid, got.Status)
			bySource[got.LearntBy]++
			e, err := a.db.ledger.ByInvoice(ctx, "wezopay", o.InvoiceID)
			require.NoError(t, err)
			assert.Equal(t, mfspay.StatusPaid, e.Status)
		}
		t.Logf("learnt by notification %d, by reconciliation %d; sweeps delivered %d then %d, met %d running deliveries",
			bySource[webhook.SourceNotification], bySource[webhook.SourceReconciliation], first.Delivered, second.Delivered,
			first.DeliveryErrors+second.DeliveryErrors)
	})

	t.Run("bKash: five returns of the customer's browser and a sweep at once", func(t *testing.T) {
		a, clock, count, sweeps := reconcilingApp(t, appConfig{})
		o := placeOrder(t, a, catalog[0].ID, "bkash", "Karim")
		require.NoError(t, a.sims.bkash.Approve(o.PaymentID, demoBkashWallet))
		back := returnURLOf(t, a, a.sims.bkash, "bkash", o.PaymentID, 0)
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				resp, err := noRedirect.Get(back)
				if assert.NoError(t, err) {
					resp.Body.Close()
					assert.Equal(t, a.URL+"/orders/"+o.ID+"/success", resp.Header.Get("Location"))
				}
			})
		}
		clock.AdvanceSleeping(t, sweepEvery)
		wg.Wait()
		rep := sweeps.next(t)
		assert.Zero(t, rep.Errors, "the sweep completed or found the payment")

		got := a.shop.orders.mustGet(t, o.ID)
		assert.Equal(t, statusPaid, got.Status)
		n, sources := count.of(o.InvoiceID, mfspay.EventPaymentCompleted)
		assert.Equal(t, 1, n, "delivered once: %v", sources)
		assert.Equal(t, 1, completions(got))
		// bKash captures once whatever the executes: its simulator holds
		// one completed payment with one transaction.
		p, ok := a.sims.bkash.Payment(o.PaymentID)
		require.True(t, ok)
		assert.Equal(t, got.TrxID, p.TrxID)
		t.Logf("learnt by %s; %d execute(s) sent", got.LearntBy, executes(a, o.PaymentID))
	})
}
