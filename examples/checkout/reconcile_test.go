package main

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/providers/simkit"
	"github.com/mfspay/mfspay/webhook"
)

// sweepEvery is the tests' sweep interval, in the step clock's virtual time.
const sweepEvery = time.Minute

// reconcilingApp starts the shop on a step clock, with its deliveries
// counted and its sweeps watched, and waits for the start-up sweep.
func reconcilingApp(t *testing.T, cfg appConfig) (*app, *stepClock, *deliveryCount, sweepWatch) {
	t.Helper()
	clock := newStepClock(time.Now())
	count := newDeliveryCount()
	sweeps := make(sweepWatch, 16)
	cfg.Sweep.Every, cfg.Sweep.Clock = sweepEvery, clock
	cfg.beforeEvent, cfg.observeSweep = count.beforeEvent, sweeps.observe
	a := startTestApp(t, cfg)
	rep := sweeps.next(t)
	require.Zero(t, rep.Claimed, "nothing is due at start")
	return a, clock, count, sweeps
}

// fate is what the scripted customer does on the hosted page.
type fate int

const (
	fatePay fate = iota
	fateCancel
	fateAbandon
)

// purchase is one scripted purchase and what became of it.
type purchase struct {
	fate  fate
	order order
}

// scriptPurchases places n orders at provider through the shop's form, 8
// customers at a time, and pays, cancels or abandons each on the provider
// as fates (seeded) say.
func scriptPurchases(t *testing.T, a *app, sim simctl.Controller, provider string, fates []fate) []purchase {
	t.Helper()
	out := make([]purchase, len(fates))
	work := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range work {
				o := placeOrder(t, a, catalog[i%len(catalog)].ID, provider, "Karim")
				switch fates[i] {
				case fatePay:
					assert.NoError(t, sim.Pay(context.Background(), o.PaymentID, simctl.Payer{Sender: "01712345678", TrxID: "TRX" + o.InvoiceID[4:]}))
				case fateCancel:
					assert.NoError(t, sim.Cancel(context.Background(), o.PaymentID))
				}
				out[i] = purchase{fate: fates[i], order: o}
			}
		})
	}
	for i := range fates {
		work <- i
	}
	close(work)
	wg.Wait()
	return out
}

// seededFates returns n fates, shuffled by seed: 85 % paid, 10 % cancelled,
// 5 % abandoned.
func seededFates(n int, seed uint64) []fate {
	fates := make([]fate, n)
	for i := range fates {
		switch {
		case i < n*85/100:
			fates[i] = fatePay
		case i < n*95/100:
			fates[i] = fateCancel
		default:
			fates[i] = fateAbandon
		}
	}
	rand.New(rand.NewPCG(seed, seed)).Shuffle(n, func(i, j int) { fates[i], fates[j] = fates[j], fates[i] })
	return fates
}

// With every notification lost, the reconciler finds every payment of a
// 200-purchase run at the first sweep after they became due — one sweep
// interval after they were made — and each state reaches the shop once,
// through the webhook handler, recorded in the ledger as learnt by a sweep.
func TestLostNotificationsAreRecoveredWithinOneSweep(t *testing.T) {
	ctx := context.Background()
	a, clock, count, sweeps := reconcilingApp(t, appConfig{})
	a.sims.wezo.Notifier.Drop(true)

	const n = 200
	purchases := scriptPurchases(t, a, a.sims.wezo, "wezopay", seededFates(n, 15))
	require.NoError(t, a.sims.wezo.WaitDeliveries(ctx))
	for _, d := range a.sims.wezo.Deliveries() {
		require.True(t, d.Dropped, "every notification was lost")
	}
	paid, cancelled := 0, 0
	for _, p := range purchases {
		assert.Equal(t, statusAwaiting, a.shop.orders.mustGet(t, p.order.ID).Status, "nothing is known before the sweep")
		switch p.fate {
		case fatePay:
			paid++
		case fateCancel:
			cancelled++
		}
	}
	require.Zero(t, count.total(), "nothing was delivered before the sweep")

	clock.AdvanceSleeping(t, sweepEvery)
	start := time.Now()
	rep := sweeps.next(t)
	took := time.Since(start)
	t.Logf("%d purchases (%d paid, %d cancelled): one sweep claimed %d, read %d list pages, verified %d, delivered %d in %s",
		n, paid, cancelled, rep.Claimed, rep.ListPages, rep.Verifies, rep.Delivered, took.Round(time.Millisecond))
	assert.Equal(t, n, rep.Claimed, "every payment was due one interval after it was made")
	assert.Equal(t, paid+cancelled, rep.Delivered)
	assert.Zero(t, rep.DeliveryErrors+rep.Errors)

	for _, p := range purchases {
		o := a.shop.orders.mustGet(t, p.order.ID)
		e, err := a.db.ledger.ByInvoice(ctx, "wezopay", o.InvoiceID)
		require.NoError(t, err)
		completed, sources := count.of(o.InvoiceID, mfspay.EventPaymentCompleted)
		switch p.fate {
		case fatePay:
			assert.Equal(t, statusPaid, o.Status, o.InvoiceID)
			assert.Equal(t, webhook.SourceReconciliation, o.LearntBy)
			assert.Equal(t, "TRX"+o.InvoiceID[4:], o.TrxID, "the wallet details come from the provider's answer")
			assert.Equal(t, 1, completed, "%s delivered once: %v", o.InvoiceID, sources)
			assert.Equal(t, mfspay.StatusPaid, e.Status)
			assert.Equal(t, ledger.SourceSweep, e.Source)
		case fateCancel:
			assert.Equal(t, statusCancelled, o.Status)
			assert.Equal(t, mfspay.StatusCancelled, e.Status)
			cancelledN, _ := count.of(o.InvoiceID, mfspay.EventPaymentCancelled)
			assert.Equal(t, 1, cancelledN)
			assert.Zero(t, completed)
		case fateAbandon:
			assert.Equal(t, statusAwaiting, o.Status)
			assert.Equal(t, mfspay.StatusPending, e.Status)
			assert.True(t, e.Open())
		}
	}
	delivered := count.total()
	assert.Equal(t, paid+cancelled, delivered)

	// The order page says how the payment was learnt.
	var shown order
	for _, p := range purchases {
		if p.fate == fatePay {
			shown = p.order
			break
		}
	}
	_, page := getPage(t, a.URL+"/orders/"+shown.ID)
	learnt, _ := elementText([]byte(page), "learnt-by")
	assert.Contains(t, learnt, "by reconciliation")
	ledgerStatus, _ := elementText([]byte(page), "ledger-status")
	assert.Equal(t, "paid · learnt by sweep", ledgerStatus)

	// Later sweeps look only at what is still open, and deliver nothing again.
	clock.AdvanceSleeping(t, sweepEvery)
	rep = sweeps.next(t)
	assert.Equal(t, n-paid-cancelled, rep.Claimed, "only the abandoned payments are still checked")
	assert.Zero(t, rep.Delivered)

	// A notification that arrives after all is not delivered a second time.
	sent, err := a.sims.wezo.Notifications(ctx, shown.PaymentID)
	require.NoError(t, err)
	last := sent[len(sent)-1]
	assert.Equal(t, http.StatusOK, postNotification(t, a.URL+"/webhooks/wezopay", last.Header, string(last.Body)))
	assert.Equal(t, delivered, count.total(), "one delivery per payment state")
}

// A payment the reconciler cannot ask about is never guessed: EazzPay
// offers no lookup, and UddoktaPay names its payment only with the
// customer's return or its IPN. With both lost, the order stays unpaid and
// the shop's page lists the payment for a human once UnverifiableAfter has
// passed; UddoktaPay's IPN, sent again from its panel, then pays the order.
func TestUnverifiablePaymentsAreListed(t *testing.T) {
	ctx := context.Background()
	for _, provider := range []string{"eazzpay", "uddoktapay"} {
		t.Run(provider, func(t *testing.T) {
			// Reported at the second sweep (a second before it, so that the
			// list, which holds entries older than this, shows it then too).
			a, clock, count, sweeps := reconcilingApp(t, appConfig{Sweep: sweepConfig{UnverifiableAfter: 2*sweepEvery - time.Second}})
			sims := map[string]*simkit.Server{"eazzpay": a.sims.eazz.Server, "uddoktapay": a.sims.uddokta.Server}
			sims[provider].Notifier.Drop(true)
			o := placeOrder(t, a, catalog[0].ID, provider, "Karim")
			if provider == "eazzpay" {
				require.NoError(t, a.sims.eazz.Pay(ctx, o.PaymentID, simctl.Payer{}))
			} else {
				// Paid on the page; the browser never reaches the shop.
				require.NoError(t, a.sims.uddokta.Pay(ctx, o.InvoiceID, simctl.Payer{}))
			}

			clock.AdvanceSleeping(t, sweepEvery)
			rep := sweeps.next(t)
			assert.Equal(t, 1, rep.Claimed)
			assert.Zero(t, rep.Verifies+rep.Unverifiable, "not asked, not reported yet")
			_, page := getPage(t, a.URL+"/")
			assert.NotContains(t, page, o.InvoiceID)

			clock.AdvanceSleeping(t, sweepEvery)
			rep = sweeps.next(t)
			assert.Equal(t, 1, rep.Unverifiable)
			assert.Zero(t, rep.Verifies)
			_, page = getPage(t, a.URL+"/")
			assert.Contains(t, page, o.InvoiceID, "listed for a human")
			assert.Equal(t, statusAwaiting, a.shop.orders.mustGet(t, o.ID).Status, "never guessed paid")
			assert.Zero(t, count.total())

			if provider == "uddoktapay" {
				sims[provider].Notifier.Drop(false)
				require.NoError(t, a.sims.uddokta.ResendIPN(ctx, o.InvoiceID))
				require.NoError(t, a.sims.uddokta.WaitDeliveries(ctx))
				got := a.shop.orders.mustGet(t, o.ID)
				assert.Equal(t, statusPaid, got.Status)
				assert.Equal(t, webhook.SourceNotification, got.LearntBy)
				e, err := a.db.ledger.ByInvoice(ctx, provider, o.InvoiceID)
				require.NoError(t, err)
				assert.Equal(t, mfspay.StatusPaid, e.Status)
				assert.Equal(t, got.PaymentID, e.PaymentID, "the IPN named the payment")
			}
		})
	}
}

// A bKash customer who approves on bKash's page and never comes back (the
// tab closed, the network lost) has paid nothing yet: the shop's reconciler
// finds the payment approved and executes it, once, and the order turns
// paid, learnt by reconciliation.
func TestApprovedBkashPaymentIsExecutedBySweep(t *testing.T) {
	ctx := context.Background()
	a, clock, count, sweeps := reconcilingApp(t, appConfig{})
	o := placeOrder(t, a, catalog[0].ID, "bkash", "Karim")
	abandoned := placeOrder(t, a, catalog[1].ID, "bkash", "Rahim")
	require.NoError(t, a.sims.bkash.Approve(o.PaymentID, demoBkashWallet))

	clock.AdvanceSleeping(t, sweepEvery)
	rep := sweeps.next(t)
	assert.Equal(t, 2, rep.Claimed)
	assert.Equal(t, 1, rep.Delivered)
	assert.Zero(t, rep.Errors+rep.DeliveryErrors)
	assert.Equal(t, 1, executes(a, o.PaymentID), "the approved payment is executed")

	got := a.shop.orders.mustGet(t, o.ID)
	assert.Equal(t, statusPaid, got.Status)
	assert.Equal(t, webhook.SourceReconciliation, got.LearntBy)
	assert.Equal(t, demoBkashWallet, got.Sender)
	n, sources := count.of(o.InvoiceID, mfspay.EventPaymentCompleted)
	assert.Equal(t, 1, n, "delivered once: %v", sources)
	e, err := a.db.ledger.ByInvoice(ctx, "bkash", o.InvoiceID)
	require.NoError(t, err)
	assert.Equal(t, ledger.SourceSweep, e.Source)
	_, page := getPage(t, a.URL+"/orders/"+o.ID)
	learnt, _ := elementText([]byte(page), "learnt-by")
	assert.Contains(t, learnt, "executed it")
	assert.Equal(t, statusAwaiting, a.shop.orders.mustGet(t, abandoned.ID).Status)

	// The customer's return arriving after all executes nothing again.
	code, _ := getPage(t, returnURLOf(t, a, a.sims.bkash, "bkash", o.PaymentID, 0))
	assert.Equal(t, http.StatusSeeOther, code)
	assert.Equal(t, 1, executes(a, o.PaymentID))
	n, _ = count.of(o.InvoiceID, mfspay.EventPaymentCompleted)
	assert.Equal(t, 1, n)
}
