package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// With every notification lost, one sweep finds every paid and cancelled
// payment and delivers each once; later sweeps deliver nothing again, and
// the ones nobody paid are delivered as expired after the simulator expires
// them.
func TestSweepFindsEveryChangeWithoutNotifications(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	cos := e.create(30, "lost")
	for i, co := range cos {
		switch i % 3 {
		case 0:
			require.NoError(t, e.sim.Pay(e.ctx, co.PaymentID, simctl.Payer{}))
		case 1:
			require.NoError(t, e.sim.Cancel(e.ctx, co.PaymentID))
		}
	}
	r := e.reconciler()

	rep := e.sweep(r)
	assert.Zero(t, rep.Claimed, "nothing is due before the first check")

	e.clock.Advance(testSchedule.FirstCheck)
	rep = e.sweep(r)
	assert.Equal(t, 30, rep.Claimed)
	assert.Equal(t, 30, rep.Verifies)
	assert.Equal(t, 20, rep.Delivered)
	assert.Equal(t, map[mfspay.EventType]int{mfspay.EventPaymentCompleted: 10, mfspay.EventPaymentCancelled: 10}, e.deliver.byType())
	for i, co := range cos {
		en := e.entry(co.InvoiceID)
		want := []mfspay.Status{mfspay.StatusPaid, mfspay.StatusCancelled, mfspay.StatusPending}[i%3]
		assert.Equal(t, want, en.Status, co.InvoiceID)
		if want == mfspay.StatusPaid {
			assert.Equal(t, ledger.SourceSweep, en.Source)
			assert.Equal(t, mfspay.Taka(250), en.PaidAmount)
			assert.NotEmpty(t, en.TrxID)
			ev := e.deliver.delivered[wezopay.ProviderName+"/"+co.PaymentID+"/"+string(mfspay.EventPaymentCompleted)]
			require.NotNil(t, ev)
			assert.Equal(t, "sweep:wezopay:"+co.PaymentID+":paid", ev.ID)
			assert.Equal(t, co.InvoiceID, ev.Payment.InvoiceID)
			assert.Equal(t, mfspay.Taka(250), ev.Payment.Amount)
		}
	}

	rep = e.sweep(r)
	assert.Zero(t, rep.Claimed, "settled entries are closed, pending ones scheduled later")

	// Nobody pays the rest; WezoPay expires them after 30 minutes.
	for range 6 {
		e.clock.Advance(testSchedule.MaxInterval)
		e.sweep(r)
	}
	assert.Equal(t, map[mfspay.EventType]int{mfspay.EventPaymentCompleted: 10, mfspay.EventPaymentCancelled: 10,
		mfspay.EventPaymentExpired: 10}, e.deliver.byType())
	assert.Empty(t, e.deliver.repeats, "no change was handed over twice")
	open, err := e.store.Open(e.ctx, e.clock.Now(), ledger.Entry{}, 100)
	require.NoError(t, err)
	assert.Empty(t, open)
}

// A notification and a sweep seeing the same payment at the same time
// deliver it once, and the ledger records one change.
func TestNotificationAndSweepRaceDeliverOnce(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	cos := e.create(20, "race")
	events := make([]*mfspay.Event, len(cos))
	for i, co := range cos {
		require.NoError(t, e.sim.Pay(e.ctx, co.PaymentID, simctl.Payer{}))
		notes, err := e.sim.Notifications(e.ctx, co.PaymentID)
		require.NoError(t, err)
		require.Len(t, notes, 1)
		events[i], err = e.gw.ParseWebhook(e.ctx, notes[0])
		require.NoError(t, err)
	}
	e.clock.Advance(testSchedule.FirstCheck)
	r := e.reconciler()

	var wg sync.WaitGroup
	wg.Go(func() { e.sweep(r) })
	wg.Go(func() {
		// The notification path as the webhook handler will run it:
		// deliver, then record.
		for _, ev := range events {
			require.NoError(t, e.deliver.Deliver(e.ctx, ev))
			c, ok := ledger.EventChange(ev, ledger.SourceNotification, e.clock.Now())
			require.True(t, ok)
			_, _, err := e.store.Apply(e.ctx, c)
			require.NoError(t, err)
		}
	})
	wg.Wait()

	assert.Equal(t, 20, e.deliver.count(), "each payment delivered once")
	for _, co := range cos {
		en := e.entry(co.InvoiceID)
		assert.Equal(t, mfspay.StatusPaid, en.Status)
		h, err := e.store.History(e.ctx, wezopay.ProviderName, co.InvoiceID)
		require.NoError(t, err)
		require.Len(t, h, 1, "one change recorded, by whichever came first")
		assert.Equal(t, ledger.EffectChanged, h[0].Effect)
	}
	assert.Equal(t, 20, e.deliver.calls-sumRepeats(e.deliver), "every call was either the delivery or a de-duplicated repeat")
}

func sumRepeats(d *onceDeliverer) int {
	n := 0
	for _, r := range d.repeats {
		n += r
	}
	return n
}

// A reconciler allowed more than the provider's limit meets 429s: it stops
// calling the provider for the Retry-After it was given, then carries on,
// and the sweep still settles everything. Set to the provider's limit, it
// meets none.
func TestRateLimitedProviderIsPaused(t *testing.T) {
	const entries = 40
	for _, tt := range []struct {
		name       string
		limit      ledger.RateLimit
		want429    bool
		minVirtual time.Duration
	}{
		{"too fast", ledger.RateLimit{Interval: 10 * time.Millisecond, Burst: 20}, true, 6 * time.Second},
		{"under the provider's limit", ledger.RateLimit{Interval: 250 * time.Millisecond, Burst: 5}, false, 7 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// 5 calls a second per API key; creates use a second key.
			e := newEnv(t, ledger.NewMemoryStore(), wezopaytest.WithRateLimit(5, time.Second),
				wezopaytest.WithAPIKeys("wpk_test_sweeper", "wpk_test_creator"))
			values := e.settings().Values
			values["api_key"] = "wpk_test_creator"
			creator := ledger.Record(e.gateway(values), e.store, ledger.WithClock(e.clock), ledger.WithSchedule(testSchedule))
			for i := range entries {
				co, err := creator.CreatePayment(e.ctx, request(fmt.Sprintf("rl-%02d", i)))
				require.NoError(t, err)
				if i%2 == 0 {
					require.NoError(t, e.sim.Pay(e.ctx, co.PaymentID, simctl.Payer{}))
				}
				e.clock.Advance(time.Second / 5) // within the creator key's limit
			}
			e.clock.Advance(testSchedule.FirstCheck)
			e.cfg.Workers = 1 // one caller, so that every call's time is exact
			e.cfg.ListThreshold = -1
			e.cfg.DefaultLimit = tt.limit
			r := e.reconciler()
			callsBefore := len(e.wire.snapshot())
			start := e.clock.Now()

			rep := e.sweep(r)
			assert.Equal(t, entries, rep.Claimed)
			assert.Equal(t, entries/2, rep.Delivered, "one sweep settles every entry despite the 429s")
			assert.Zero(t, rep.Errors)
			calls := e.wire.snapshot()[callsBefore:]
			refused := 0
			for i, c := range calls {
				if c.status != http.StatusTooManyRequests {
					continue
				}
				refused++
				require.Positive(t, c.retryAfter)
				if i+1 < len(calls) {
					assert.GreaterOrEqual(t, calls[i+1].at.Sub(c.at), c.retryAfter,
						"no call before the Retry-After has passed")
				}
			}
			assert.Equal(t, refused, rep.RateLimited, "every 429 counted")
			assert.Equal(t, tt.want429, refused > 0, "429s: %d", refused)
			assert.Equal(t, entries+refused, rep.Verifies)
			assert.GreaterOrEqual(t, e.clock.Now().Sub(start), tt.minVirtual,
				"the provider's rate held in virtual time")
			t.Logf("%d verifies, %d refused with 429, %v of virtual time", rep.Verifies, refused, e.clock.Now().Sub(start))
		})
	}
}

// Enough entries at a provider that lists payments are settled from its
// list pages instead of one verify each.
func TestSweepWalksTheListWhenCheaper(t *testing.T) {
	for _, tt := range []struct {
		name       string
		threshold  int
		wantPages  int
		wantVerify int
	}{
		{"list", 0, 2, 0},
		{"never list", -1, 0, 150},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, ledger.NewMemoryStore())
			cos := e.create(150, "list")
			for i, co := range cos {
				if i%5 == 0 {
					require.NoError(t, e.sim.Pay(e.ctx, co.PaymentID, simctl.Payer{}))
				}
			}
			e.clock.Advance(testSchedule.FirstCheck)
			e.cfg.ListThreshold = tt.threshold
			rep := e.sweep(e.reconciler())
			assert.Equal(t, 150, rep.Claimed)
			assert.Equal(t, tt.wantPages, rep.ListPages)
			assert.Equal(t, tt.wantVerify, rep.Verifies)
			assert.Equal(t, 30, rep.Delivered)
			assert.Equal(t, 30, e.deliver.count())
			for i, co := range cos {
				en := e.entry(co.InvoiceID)
				if i%5 == 0 {
					assert.Equal(t, mfspay.StatusPaid, en.Status)
				} else {
					assert.Equal(t, mfspay.StatusPending, en.Status)
					assert.Equal(t, 1, en.Checks, "a pending entry found on a page is scheduled like a verified one")
				}
			}
		})
	}
}

// Entries the walk does not find (the list holds other payments first) are
// verified one by one; the walk gives up after its budget.
func TestListWalkFallsBackToVerify(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	cos := e.create(100, "old")
	for _, co := range cos[:10] {
		require.NoError(t, e.sim.Pay(e.ctx, co.PaymentID, simctl.Payer{}))
	}
	// 500 newer payments made elsewhere push ours to pages 6 and 7.
	for i := range 500 {
		_, err := e.gw.CreatePayment(e.ctx, request(fmt.Sprintf("other-%03d", i)))
		require.NoError(t, err)
	}
	e.clock.Advance(testSchedule.FirstCheck)
	rep := e.sweep(e.reconciler())
	assert.Equal(t, 2, rep.ListPages, "two pages per page-full of entries, then verify")
	assert.Equal(t, 100, rep.Verifies)
	assert.Equal(t, 10, rep.Delivered)
}

// A change the Deliverer refuses is not recorded: the entry stays open and
// the next sweep delivers it.
func TestFailedDeliveryIsRetried(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	co := e.create(1, "fail")[0]
	require.NoError(t, e.sim.Pay(e.ctx, co.PaymentID, simctl.Payer{}))
	e.deliver.fail = func(*mfspay.Event) error { return errors.New("callback down") }
	e.clock.Advance(testSchedule.FirstCheck)
	r := e.reconciler()
	rep := e.sweep(r)
	assert.Equal(t, 1, rep.DeliveryErrors)
	assert.Zero(t, rep.Delivered)
	assert.Equal(t, mfspay.StatusPending, e.entry(co.InvoiceID).Status, "not recorded before it is delivered")

	e.deliver.fail = nil
	e.clock.Advance(testSchedule.MinInterval)
	rep = e.sweep(r)
	assert.Equal(t, 1, rep.Delivered)
	assert.Equal(t, mfspay.StatusPaid, e.entry(co.InvoiceID).Status)
	assert.Equal(t, 1, e.deliver.count())
}

// Provider failures are retried at later sweeps, and neither errors nor
// logs ever carry the API key or the webhook secret.
func TestProviderFailuresAreRetriedWithoutSecrets(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	co := e.create(1, "down")[0]
	require.NoError(t, e.sim.Pay(e.ctx, co.PaymentID, simctl.Payer{}))
	require.NoError(t, e.sim.Fail(e.ctx, simctl.Fault{Count: 1, Status: http.StatusInternalServerError}))
	e.clock.Advance(testSchedule.FirstCheck)
	r := e.reconciler()
	rep := e.sweep(r)
	assert.Equal(t, 1, rep.Errors)
	assert.Zero(t, rep.Delivered)

	e.clock.Advance(testSchedule.MinInterval)
	rep = e.sweep(r)
	assert.Equal(t, 1, rep.Delivered)
	for _, secret := range e.settings().Secrets {
		assert.NotContains(t, e.logs.String(), secret)
	}
	assert.Contains(t, e.logs.String(), "could not verify a payment")
}

// An entry whose create was never answered is looked up by invoice: a
// provider that holds no payment on two looks IntentTimeout apart proves it
// never happened.
func TestUnansweredIntentWithoutPaymentIsNotCreated(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	_, err := e.store.Begin(e.ctx, ledger.Intent{Provider: wezopay.ProviderName, InvoiceID: "never-sent",
		Amount: mfspay.Taka(250), At: e.clock.Now(), NextCheck: e.clock.Now().Add(testSchedule.IntentTimeout)})
	require.NoError(t, err)
	r := e.reconciler()
	e.clock.Advance(testSchedule.IntentTimeout - time.Second)
	assert.Zero(t, e.sweep(r).Claimed, "an intent is not touched while its create may still be running")
	e.clock.Advance(time.Second)
	rep := e.sweep(r)
	assert.Zero(t, rep.NotCreated, "one \"not found\" may be a read lagging the create")
	e.clock.Advance(testSchedule.IntentTimeout)
	rep = e.sweep(r)
	assert.Equal(t, 1, rep.NotCreated, "the second, IntentTimeout later, proves it")
	en := e.entry("never-sent")
	assert.Equal(t, ledger.OutcomeNotCreated, en.Outcome)
	assert.False(t, en.Open())
}

// Schedule: young entries often, old ones rarely, none after expiry and
// grace.
func TestScheduleNext(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := ledger.Entry{CreatedAt: created, ExpiresAt: created.Add(30 * time.Minute)}
	s := testSchedule
	for _, tt := range []struct {
		age, wantIn time.Duration
		wantOK      bool
	}{
		{time.Minute, time.Minute, true},          // a quarter of the age is below MinInterval
		{8 * time.Minute, 2 * time.Minute, true},  // a quarter of the age
		{28 * time.Minute, 7 * time.Minute, true}, // a quarter, under MaxInterval
		{39 * time.Minute, time.Minute, true},     // cut at expiry + grace (40m)
		{40 * time.Minute, 0, false},
	} {
		next, ok := s.Next(e, created.Add(tt.age))
		assert.Equal(t, tt.wantOK, ok, "age %v", tt.age)
		if ok {
			assert.Equal(t, tt.wantIn, next.Sub(created.Add(tt.age)), "age %v", tt.age)
		}
	}
	e.ExpiresAt = time.Time{} // DefaultExpiry: 1 hour
	next, ok := s.Next(e, created.Add(50*time.Minute))
	assert.True(t, ok)
	assert.Equal(t, 10*time.Minute, next.Sub(created.Add(50*time.Minute)), "at most MaxInterval")
	_, ok = s.Next(e, created.Add(70*time.Minute))
	assert.False(t, ok)
}

// An entry still pending after its expiry and grace is no longer checked,
// and stays open for a person to look at.
func TestCheckingStopsAfterExpiryAndGrace(t *testing.T) {
	store := ledger.NewMemoryStore()
	e := newEnv(t, store)
	stuck := &fakeGateway{name: "stuckpay", caps: mfspay.Capabilities{VerifyByPaymentID: true},
		verify: func(ref mfspay.PaymentRef) (*mfspay.Payment, error) {
			return &mfspay.Payment{PaymentID: ref.PaymentID, InvoiceID: "stuck", Status: mfspay.StatusPending}, nil
		}}
	beginCreated(t, store, "stuckpay", "stuck", "pay-stuck", e.clock.Now(), e.clock.Now().Add(20*time.Minute))
	e.cfg.Gateways = append(e.cfg.Gateways, stuck)
	r := e.reconciler()
	gaveUp := 0
	for range 20 {
		e.clock.Advance(testSchedule.MaxInterval)
		gaveUp += e.sweep(r).GaveUp
	}
	assert.Equal(t, 1, gaveUp)
	en, err := store.ByInvoice(e.ctx, "stuckpay", "stuck")
	require.NoError(t, err)
	assert.True(t, en.Open())
	assert.True(t, en.NextCheck.IsZero())
	assert.LessOrEqual(t, stuck.verifies(), 8, "checked at most every MinInterval until expiry + grace")
	assert.Contains(t, e.logs.String(), "stopped checking a payment")
}

// A provider that cannot verify is never guessed at: its entries are
// reported after UnverifiableAfter, once, and listed.
func TestUnverifiableEntriesAreReported(t *testing.T) {
	store := ledger.NewMemoryStore()
	e := newEnv(t, store)
	blind := &fakeGateway{name: "blindpay"} // verifies nothing, like EazzPay
	byID := &fakeGateway{name: "idpay", caps: mfspay.Capabilities{VerifyByPaymentID: true}}
	now := e.clock.Now()
	beginCreated(t, store, "blindpay", "b-1", "pay-b1", now, time.Time{})
	beginCreated(t, store, "blindpay", "b-2", "pay-b2", now, time.Time{})
	beginCreated(t, store, "nogateway", "n-1", "pay-n1", now, time.Time{})
	_, err := store.Begin(e.ctx, ledger.Intent{Provider: "idpay", InvoiceID: "i-1", Amount: 100, At: now, NextCheck: now})
	require.NoError(t, err)
	_, err = store.Answer(e.ctx, "idpay", "i-1", ledger.Answer{Outcome: ledger.OutcomeUnknown, At: now, NextCheck: now})
	require.NoError(t, err) // no payment id, and the provider cannot look up by invoice
	e.cfg.Gateways = append(e.cfg.Gateways, blind, byID)
	e.cfg.UnverifiableAfter = time.Hour
	r := e.reconciler()

	e.clock.Advance(testSchedule.FirstCheck)
	rep := e.sweep(r)
	assert.Equal(t, 4, rep.Claimed)
	assert.Zero(t, rep.Unverifiable, "not reported before UnverifiableAfter")
	listed, err := r.Unverifiable(e.ctx, 10)
	require.NoError(t, err)
	assert.Empty(t, listed)

	e.clock.Advance(time.Hour)
	rep = e.sweep(r)
	assert.Equal(t, 4, rep.Unverifiable)
	listed, err = r.Unverifiable(e.ctx, 10)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"b-1", "b-2", "n-1", "i-1"}, invoicesOf(listed))
	assert.Zero(t, blind.verifies()+byID.verifies(), "never asked")

	e.clock.Advance(time.Hour)
	rep = e.sweep(r)
	assert.Equal(t, 1, rep.Unverifiable, "reported once; only the provider without a gateway again, every MaxInterval")
	assert.Zero(t, rep.Delivered)
}

// A gateway whose payments complete only on the customer's return (bKash's
// execute) has every payment still pending completed by the sweep: the
// approved one is captured, the other stays pending.
func TestSweepCompletesApprovedPayments(t *testing.T) {
	store := ledger.NewMemoryStore()
	e := newEnv(t, store)
	capt := &capturingGateway{fakeGateway: fakeGateway{name: "execpay", caps: executeCaps,
		verify: func(ref mfspay.PaymentRef) (*mfspay.Payment, error) {
			return &mfspay.Payment{PaymentID: ref.PaymentID, Status: mfspay.StatusPending}, nil
		}}, approved: map[string]bool{"pay-yes": true}}
	beginCreated(t, store, "execpay", "yes", "pay-yes", e.clock.Now(), time.Time{})
	beginCreated(t, store, "execpay", "no", "pay-no", e.clock.Now(), time.Time{})
	e.cfg.Gateways = append(e.cfg.Gateways, capt)
	e.clock.Advance(testSchedule.FirstCheck)
	rep := e.sweep(e.reconciler())
	assert.Equal(t, 2, rep.Captures)
	assert.Equal(t, 1, rep.Delivered)
	en, err := store.ByInvoice(e.ctx, "execpay", "yes")
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPaid, en.Status)
	en, err = store.ByInvoice(e.ctx, "execpay", "no")
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPending, en.Status)
}

func TestNewReconcilerRefusesBadConfig(t *testing.T) {
	gw := &fakeGateway{name: "x"}
	store := ledger.NewMemoryStore()
	d := newOnceDeliverer()
	for name, cfg := range map[string]ledger.Config{
		"no store":      {Gateways: []mfspay.Gateway{gw}, Deliverer: d},
		"no deliverer":  {Store: store, Gateways: []mfspay.Gateway{gw}},
		"no gateway":    {Store: store, Deliverer: d},
		"nil gateway":   {Store: store, Deliverer: d, Gateways: []mfspay.Gateway{nil}},
		"same provider": {Store: store, Deliverer: d, Gateways: []mfspay.Gateway{gw, &fakeGateway{name: "x"}}},
	} {
		_, err := ledger.NewReconciler(cfg)
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, name)
	}
}

// beginCreated records an answered create directly in the store.
func beginCreated(t *testing.T, s ledger.Store, provider, invoice, paymentID string, at, expires time.Time) {
	t.Helper()
	ctx := context.Background()
	_, err := s.Begin(ctx, ledger.Intent{Provider: provider, InvoiceID: invoice, Amount: 100, At: at, NextCheck: at})
	require.NoError(t, err)
	_, err = s.Answer(ctx, provider, invoice, ledger.Answer{Outcome: ledger.OutcomeCreated, At: at,
		NextCheck: at.Add(testSchedule.FirstCheck),
		Checkout:  &mfspay.Checkout{PaymentID: paymentID, RedirectURL: "https://pay.example/" + paymentID, ExpiresAt: expires, Status: mfspay.StatusPending}})
	require.NoError(t, err)
}

func invoicesOf(es []ledger.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.InvoiceID)
	}
	return out
}

// fakeGateway is a gateway with chosen capabilities and verify answers.
type fakeGateway struct {
	name   string
	caps   mfspay.Capabilities
	verify func(mfspay.PaymentRef) (*mfspay.Payment, error)
	create func(mfspay.CreatePaymentRequest) (*mfspay.Checkout, error)

	mu    sync.Mutex
	calls int
}

func (f *fakeGateway) Provider() string                  { return f.name }
func (f *fakeGateway) Capabilities() mfspay.Capabilities { return f.caps }

func (f *fakeGateway) CreatePayment(_ context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	return f.create(req)
}

func (f *fakeGateway) VerifyPayment(_ context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	if f.verify == nil {
		return nil, &mfspay.Error{Kind: mfspay.ErrUnsupported}
	}
	return f.verify(ref)
}

func (f *fakeGateway) verifies() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeGateway) ListPayments(context.Context, mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return nil, &mfspay.Error{Kind: mfspay.ErrUnsupported}
}

func (f *fakeGateway) ParseWebhook(context.Context, mfspay.WebhookRequest) (*mfspay.Event, error) {
	return nil, &mfspay.Error{Kind: mfspay.ErrUnsupported}
}

func (f *fakeGateway) CompleteReturn(context.Context, mfspay.ReturnRequest) (*mfspay.Event, error) {
	return nil, &mfspay.Error{Kind: mfspay.ErrUnsupported}
}

// executeCaps declares a provider whose payments complete only when the
// merchant acts on the customer's return.
var executeCaps = mfspay.Capabilities{VerifyByPaymentID: true, Return: mfspay.ReturnExecute}

// capturingGateway completes, as a customer's return would, the payments
// its customers approved.
type capturingGateway struct {
	fakeGateway
	approved map[string]bool
}

func (c *capturingGateway) CompleteReturn(_ context.Context, r mfspay.ReturnRequest) (*mfspay.Event, error) {
	p := mfspay.Payment{PaymentID: r.PaymentID, Status: mfspay.StatusPending}
	if c.approved[r.PaymentID] {
		p.Status, p.Amount, p.TrxID = mfspay.StatusPaid, 100, "TRX-"+r.PaymentID
	}
	typ, _ := mfspay.EventTypeFor(p.Status)
	return &mfspay.Event{ID: "return:" + r.PaymentID, Provider: c.name, Type: typ, Payment: p}, nil
}

// A provider whose breaker is open costs one call per sweep, not one per
// entry, and its entries come back at the next sweep.
func TestOpenBreakerSkipsTheProviderForTheSweep(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	e.create(10, "brk")
	open := &mfspay.Error{Kind: mfspay.ErrCircuitOpen, Provider: "brokenpay"}
	broken := &fakeGateway{name: "brokenpay", caps: mfspay.Capabilities{VerifyByPaymentID: true},
		verify: func(mfspay.PaymentRef) (*mfspay.Payment, error) { return nil, open }}
	for i := range 10 {
		beginCreated(t, e.store, "brokenpay", fmt.Sprintf("b-%d", i), fmt.Sprintf("pay-%d", i), e.clock.Now(), time.Time{})
	}
	e.cfg.Gateways = append(e.cfg.Gateways, broken)
	e.cfg.ListThreshold = -1
	e.cfg.Workers = 1 // with more, each worker may meet the open breaker once
	e.clock.Advance(testSchedule.FirstCheck)
	rep := e.sweep(e.reconciler())
	assert.Equal(t, 20, rep.Claimed)
	assert.Equal(t, 11, rep.Verifies, "ten WezoPay entries and one call to the broken provider")
	assert.Equal(t, 10, rep.Errors)
	assert.Equal(t, 1, broken.verifies())
	assert.Equal(t, 1, strings.Count(e.logs.String(), "circuit breaker is open"))
	en, err := e.store.ByInvoice(e.ctx, "brokenpay", "b-3")
	require.NoError(t, err)
	assert.Equal(t, 1, en.Checks, "rescheduled like any check")
}

func TestExpectedAmountReadsTheLedger(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	e.create(1, "amt")
	expect := ledger.ExpectedAmount(e.store)
	got, ok, err := expect(e.ctx, wezopay.ProviderName, "amt-000")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, mfspay.Taka(250), got)
	_, ok, err = expect(e.ctx, wezopay.ProviderName, "nope")
	require.NoError(t, err)
	assert.False(t, ok)
	_, _, err = ledger.ExpectedAmount(brokenReads{e.store})(e.ctx, wezopay.ProviderName, "amt-000")
	assert.ErrorIs(t, err, errDown)
}

// brokenReads is a ledger that cannot be read.
type brokenReads struct{ ledger.Store }

func (brokenReads) ByInvoice(context.Context, string, string) (ledger.Entry, error) {
	return ledger.Entry{}, errDown
}

// Run sweeps until its context ends; a payment is found within the sweep
// interval after its first check is due.
func TestRunSweepsUntilCancelled(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	co := e.create(1, "run")[0]
	require.NoError(t, e.sim.Pay(e.ctx, co.PaymentID, simctl.Payer{}))
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	var at time.Duration
	start := e.clock.Now()
	e.cfg.Deliverer = ledger.DelivererFunc(func(context.Context, *mfspay.Event) error {
		at = e.clock.Now().Sub(start)
		cancel()
		return nil
	})
	err := e.reconciler().Run(ctx, 20*time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, testSchedule.FirstCheck, at, "found at the first sweep after the first check was due")
	assert.Equal(t, mfspay.StatusPaid, e.entry(co.InvoiceID).Status)
}

// A gateway that completes returns keeps doing so once Record wraps it: the
// reconciler may be given the recorded gateway, as the checkout demo's
// routes are, without losing bKash's execute.
func TestRecordedGatewayStillCompletesReturns(t *testing.T) {
	store := ledger.NewMemoryStore()
	e := newEnv(t, store)
	capt := &capturingGateway{fakeGateway: fakeGateway{name: "execpay", caps: executeCaps,
		verify: func(ref mfspay.PaymentRef) (*mfspay.Payment, error) {
			return &mfspay.Payment{PaymentID: ref.PaymentID, Status: mfspay.StatusPending}, nil
		}}, approved: map[string]bool{"pay-yes": true}}
	recorded := ledger.Record(capt, store)

	beginCreated(t, store, "execpay", "yes", "pay-yes", e.clock.Now(), time.Time{})
	e.cfg.Gateways = append(e.cfg.Gateways, recorded)
	e.clock.Advance(testSchedule.FirstCheck)
	rep := e.sweep(e.reconciler())
	assert.Equal(t, 1, rep.Captures)
	assert.Equal(t, 1, rep.Delivered)
}

// A sweep that asked the provider about an unanswered intent, and heard
// "no such payment", must not apply that to a newer intent for the same
// invoice begun while it asked (the customer's retry settled the old one
// and sent a new create): the new create may well have made its payment.
func TestStaleNotFoundDoesNotCloseANewerIntent(t *testing.T) {
	store := ledger.NewMemoryStore()
	e := newEnv(t, store)
	const provider, invoice = "lookpay", "inv-retried"
	start := e.clock.Now()
	_, err := store.Begin(e.ctx, ledger.Intent{Provider: provider, InvoiceID: invoice, Amount: 100,
		At: start, NextCheck: start.Add(testSchedule.IntentTimeout)})
	require.NoError(t, err)

	gw := &fakeGateway{name: provider, caps: mfspay.Capabilities{VerifyByInvoice: true, VerifyByPaymentID: true}}
	gw.verify = func(ref mfspay.PaymentRef) (*mfspay.Payment, error) {
		// While the sweep waits for the provider, Record settles the old
		// intent and begins the retried create.
		e.clock.Advance(time.Second)
		_, err := store.Answer(e.ctx, provider, invoice, ledger.Answer{Outcome: ledger.OutcomeNotCreated, At: e.clock.Now()})
		require.NoError(t, err)
		_, err = store.Begin(e.ctx, ledger.Intent{Provider: provider, InvoiceID: invoice, Amount: 100,
			At: e.clock.Now(), NextCheck: e.clock.Now().Add(testSchedule.IntentTimeout)})
		require.NoError(t, err)
		return nil, &mfspay.Error{Kind: mfspay.ErrNotFound}
	}
	e.cfg.Gateways = []mfspay.Gateway{gw}
	e.clock.Advance(testSchedule.IntentTimeout)
	e.sweep(e.reconciler())

	en, err := store.ByInvoice(e.ctx, provider, invoice)
	require.NoError(t, err)
	assert.Equal(t, ledger.OutcomeSending, en.Outcome, "the newer intent is still in flight")
	assert.False(t, en.NextCheck.IsZero(), "and will be reconciled if its process dies")
}

// nilGateway answers every call with neither a result nor an error, as a
// broken adapter or plugin might.
type nilGateway struct{ fakeGateway }

func (g *nilGateway) ListPayments(context.Context, mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return nil, nil
}

func (g *nilGateway) CompleteReturn(context.Context, mfspay.ReturnRequest) (*mfspay.Event, error) {
	return nil, nil
}

// A gateway that returns no payment, page or event and no error is taken
// as unavailable: the sweep goes on, counts an error and looks at the
// entry again later, instead of a worker crashing the process.
func TestGatewayAnsweringNothingIsUnavailable(t *testing.T) {
	for _, tt := range []struct {
		name string
		caps mfspay.Capabilities
		// verify answers; nil: nil payment, nil error
		verify func(mfspay.PaymentRef) (*mfspay.Payment, error)
	}{
		{"verify", mfspay.Capabilities{VerifyByPaymentID: true}, nil},
		{"list", mfspay.Capabilities{VerifyByPaymentID: true, List: true, MaxPerPage: 10}, nil},
		{"capture", executeCaps, func(ref mfspay.PaymentRef) (*mfspay.Payment, error) {
			return &mfspay.Payment{PaymentID: ref.PaymentID, Status: mfspay.StatusPending}, nil
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, ledger.NewMemoryStore())
			gw := &nilGateway{fakeGateway{name: "nilpay", caps: tt.caps, verify: tt.verify}}
			if gw.verify == nil {
				gw.verify = func(mfspay.PaymentRef) (*mfspay.Payment, error) { return nil, nil }
			}
			for i := range 10 {
				beginCreated(t, e.store, "nilpay", fmt.Sprintf("n-%d", i), fmt.Sprintf("pay-%d", i), e.clock.Now(), time.Time{})
			}
			e.cfg.Gateways = []mfspay.Gateway{gw}
			e.clock.Advance(testSchedule.FirstCheck)
			rep := e.sweep(e.reconciler())
			assert.Equal(t, 10, rep.Claimed)
			assert.Equal(t, 10, rep.Errors)
			assert.Zero(t, rep.Delivered)
			en, err := e.store.ByInvoice(e.ctx, "nilpay", "n-3")
			require.NoError(t, err)
			assert.True(t, en.Open())
			assert.Equal(t, 1, en.Checks, "rescheduled like any failed check")
			assert.Contains(t, e.logs.String(), "could not verify a payment")
		})
	}
}

// A provider answering 429 does not hold up the others: while it is paused
// for its Retry-After the workers settle other providers' entries, and the
// entries it keeps refusing are left for a later sweep before the claim's
// lease runs out, so no other replica claims them while this sweep still
// holds them.
func TestRateLimitedProviderDoesNotHoldUpOthers(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	var limitedCalls atomic.Int64
	limited := &fakeGateway{name: "busypay", caps: mfspay.Capabilities{VerifyByPaymentID: true},
		verify: func(mfspay.PaymentRef) (*mfspay.Payment, error) {
			limitedCalls.Add(1)
			return nil, &mfspay.Error{Kind: mfspay.ErrRateLimited, Provider: "busypay", Op: mfspay.OpVerify,
				RetryAfter: 200 * time.Millisecond}
		}}
	healthy := &fakeGateway{name: "calmpay", caps: mfspay.Capabilities{VerifyByPaymentID: true},
		verify: func(ref mfspay.PaymentRef) (*mfspay.Payment, error) {
			return &mfspay.Payment{PaymentID: ref.PaymentID, InvoiceID: "c-0", Status: mfspay.StatusPaid, Amount: 100}, nil
		}}
	for i := range 8 {
		beginCreated(t, e.store, "busypay", fmt.Sprintf("b-%d", i), fmt.Sprintf("pay-b%d", i), e.clock.Now(), time.Time{})
	}
	beginCreated(t, e.store, "calmpay", "c-0", "pay-c0", e.clock.Now(), time.Time{})
	e.clock.Advance(testSchedule.FirstCheck)
	var limitedCallsBeforeHealthy int64 = -1
	e.deliver.fail = func(ev *mfspay.Event) error {
		if ev.Provider == "calmpay" {
			limitedCallsBeforeHealthy = limitedCalls.Load()
		}
		return nil
	}
	e.cfg.Gateways = []mfspay.Gateway{limited, healthy}
	e.cfg.Workers = 1 // the worst case: one worker, the limited provider's entries first (Claim orders by provider)
	e.cfg.Lease = time.Second
	start := e.clock.Now()

	rep := e.sweep(e.reconciler())
	took := e.clock.Now().Sub(start)
	assert.Equal(t, 9, rep.Claimed)
	assert.Equal(t, 1, rep.Delivered)
	assert.LessOrEqual(t, limitedCallsBeforeHealthy, int64(1),
		"the healthy provider's payment does not wait behind the limited provider's retries")
	assert.EqualValues(t, limitedCalls.Load(), rep.RateLimited, "every 429 counted")
	assert.LessOrEqual(t, limitedCalls.Load(), int64(5), "at most one call per Retry-After within the lease")
	assert.Equal(t, 8, rep.Errors, "the refused entries wait for a later sweep")
	assert.Less(t, took, e.cfg.Lease, "the sweep ends within the claim's lease")
	again, err := e.store.Claim(e.ctx, e.clock.Now(), e.clock.Now().Add(time.Minute), 100)
	require.NoError(t, err)
	assert.Empty(t, again, "nothing is left for another replica to claim")
	en, err := e.store.ByInvoice(e.ctx, "busypay", "b-7")
	require.NoError(t, err)
	assert.True(t, en.Open())
	assert.Equal(t, 1, en.Checks, "rescheduled")
	t.Logf("%d calls to the limited provider, %d before the healthy payment was delivered; sweep took %v of virtual time",
		limitedCalls.Load(), limitedCallsBeforeHealthy, took)
}

// listingGateway lists payments with list.
type listingGateway struct {
	fakeGateway
	list func(mfspay.ListQuery) (*mfspay.PaymentPage, error)
}

func (g *listingGateway) ListPayments(_ context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return g.list(q)
}

// A list walk refused with 429 is resumed at the same page once the
// provider's Retry-After has passed, instead of falling back to one verify
// per entry.
func TestListWalkResumesAfterRetryAfter(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	var pages []mfspay.Payment
	for i := range 10 {
		id := fmt.Sprintf("pay-w%d", i)
		beginCreated(t, e.store, "walkpay", fmt.Sprintf("w-%d", i), id, e.clock.Now(), time.Time{})
		pages = append(pages, mfspay.Payment{PaymentID: id, InvoiceID: fmt.Sprintf("w-%d", i), Status: mfspay.StatusPaid, Amount: 100})
	}
	var asked []time.Time
	gw := &listingGateway{fakeGateway: fakeGateway{name: "walkpay",
		caps: mfspay.Capabilities{VerifyByPaymentID: true, List: true, MaxPerPage: 10}}}
	gw.list = func(q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
		asked = append(asked, e.clock.Now())
		if len(asked) == 1 {
			return nil, &mfspay.Error{Kind: mfspay.ErrRateLimited, Provider: "walkpay", Op: mfspay.OpList, RetryAfter: 3 * time.Second}
		}
		require.Equal(t, 1, q.Page, "the same page again")
		return &mfspay.PaymentPage{Payments: pages}, nil
	}
	e.cfg.Gateways = []mfspay.Gateway{gw}
	e.clock.Advance(testSchedule.FirstCheck)
	rep := e.sweep(e.reconciler())
	assert.Equal(t, 2, rep.ListPages)
	assert.Equal(t, 1, rep.RateLimited)
	assert.Zero(t, rep.Verifies, "every entry was found on the page")
	assert.Equal(t, 10, rep.Delivered)
	require.Len(t, asked, 2)
	assert.GreaterOrEqual(t, asked[1].Sub(asked[0]), 3*time.Second, "no call before the Retry-After has passed")
}

// A create of unknown outcome is concluded "not created" only after the
// provider said "no such payment" on two looks at least IntentTimeout
// apart: its reads may lag its writes, and a single early "not found" would
// let a second create for the same invoice through. A payment found at the
// second look is recorded, not denied.
func TestNotFoundTwiceApartBeforeNotCreated(t *testing.T) {
	for _, tt := range []struct {
		name         string
		foundLater   bool
		wantOutcome  ledger.Outcome
		wantNotFound int
	}{
		{"still not found", false, ledger.OutcomeNotCreated, 1},
		{"found at the second look", true, ledger.OutcomeCreated, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := ledger.NewMemoryStore()
			e := newEnv(t, store)
			const provider, invoice = "lagpay", "inv-lag"
			now := e.clock.Now()
			_, err := store.Begin(e.ctx, ledger.Intent{Provider: provider, InvoiceID: invoice, Amount: 100,
				At: now, NextCheck: now.Add(testSchedule.IntentTimeout)})
			require.NoError(t, err)
			_, err = store.Answer(e.ctx, provider, invoice, ledger.Answer{Outcome: ledger.OutcomeUnknown, At: now,
				NextCheck: now.Add(testSchedule.MinInterval)})
			require.NoError(t, err)
			var looks int
			gw := &fakeGateway{name: provider, caps: mfspay.Capabilities{VerifyByInvoice: true}}
			gw.verify = func(mfspay.PaymentRef) (*mfspay.Payment, error) {
				looks++
				if tt.foundLater && looks > 1 {
					return &mfspay.Payment{PaymentID: "pay-lag", InvoiceID: invoice, Status: mfspay.StatusPending, Amount: 100}, nil
				}
				return nil, &mfspay.Error{Kind: mfspay.ErrNotFound, Provider: provider}
			}
			e.cfg.Gateways = []mfspay.Gateway{gw}
			r := e.reconciler()

			e.clock.Advance(testSchedule.MinInterval)
			rep := e.sweep(r)
			require.Equal(t, 1, rep.Claimed)
			assert.Zero(t, rep.NotCreated, "one early \"not found\" proves nothing")
			en, err := store.ByInvoice(e.ctx, provider, invoice)
			require.NoError(t, err)
			assert.Equal(t, ledger.OutcomeUnknown, en.Outcome)
			assert.True(t, en.Open())
			assert.Equal(t, ledger.Timestamp(e.clock.Now().Add(testSchedule.IntentTimeout)), en.NextCheck,
				"looked at again IntentTimeout later")

			e.clock.Advance(testSchedule.IntentTimeout - time.Second)
			assert.Zero(t, e.sweep(r).Claimed)
			e.clock.Advance(time.Second)
			rep = e.sweep(r)
			require.Equal(t, 1, rep.Claimed)
			assert.Equal(t, tt.wantNotFound, rep.NotCreated)
			en, err = store.ByInvoice(e.ctx, provider, invoice)
			require.NoError(t, err)
			assert.Equal(t, tt.wantOutcome, en.Outcome)
			assert.Equal(t, 2, looks)
		})
	}
}
