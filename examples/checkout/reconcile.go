package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/webhook"
)

// sweepConfig says how the shop records its payments and reconciles them
// with the providers.
type sweepConfig struct {
	// Every is how often the reconciler sweeps; a new payment is first
	// checked this long after its create, and every open one at most this
	// often.
	Every time.Duration
	// CreateTimeout bounds a create while the customer waits.
	CreateTimeout time.Duration
	// Rate is how many calls a second the reconciler makes to each
	// provider; 0 means 10 to a real provider and 1000 to a simulator.
	Rate int
	// UnverifiableAfter is how long an open payment that the reconciler
	// cannot check (EazzPay offers no lookup) waits before the shop lists
	// it for a human; 0 means an hour.
	UnverifiableAfter time.Duration
	// Clock times the ledger and the sweeps; nil means the wall clock.
	// Tests pass a manual one.
	Clock ledger.Clock
}

// withDefaults fills the zero fields.
func (c sweepConfig) withDefaults() sweepConfig {
	if c.Every <= 0 {
		c.Every = time.Minute
	}
	if c.CreateTimeout <= 0 {
		c.CreateTimeout = 30 * time.Second
	}
	if c.UnverifiableAfter <= 0 {
		c.UnverifiableAfter = time.Hour
	}
	if c.Clock == nil {
		c.Clock = ledger.SystemClock
	}
	return c
}

// schedule is the ledger's schedule for the shop: first look one sweep
// interval after a create, then at most every interval (young payments) to
// every 30 minutes (old ones).
func (c sweepConfig) schedule() ledger.Schedule {
	return ledger.Schedule{
		FirstCheck: c.Every,
		// A create is abandoned after CreateTimeout, but a request the
		// provider received just before may still be processed a little
		// later: twice the timeout gives it as long again before an
		// unanswered intent counts as left behind by a dead process.
		IntentTimeout: 2 * c.CreateTimeout,
		MinInterval:   c.Every,
		MaxInterval:   max(30*time.Minute, c.Every),
	}
}

// lease is how long a sweep holds the entries it claimed: ten sweep
// intervals. Entries claimed by a sweep that dies with its process (or by a
// sweep still running after that long) are looked at again after it; a
// lease too short would only have two sweeps verify an entry, harmlessly,
// as deliveries are de-duplicated.
func (c sweepConfig) lease() time.Duration { return 10 * c.Every }

// limits are the reconciler's rate limits: Rate calls a second, with as
// many at once, to each provider.
func (c sweepConfig) limits(gateways []gatewayInfo) map[string]ledger.RateLimit {
	out := map[string]ledger.RateLimit{}
	for _, g := range gateways {
		rate := c.Rate
		if rate <= 0 {
			rate = 1000
			if g.Real {
				rate = 10
			}
		}
		out[g.Name] = ledger.RateLimit{Interval: time.Second / time.Duration(rate), Burst: rate}
	}
	return out
}

// recordGateways returns the gateways with every create recorded in the
// ledger: the intent before it is sent, the answer after. Everything else
// passes through (a gateway that captures approved payments, bKash's
// execute, keeps doing so).
func recordGateways(gateways []gatewayInfo, store ledger.Store, cfg sweepConfig, log *slog.Logger) []gatewayInfo {
	out := make([]gatewayInfo, len(gateways))
	for i, g := range gateways {
		g.GW = ledger.Record(g.GW, store, ledger.WithClock(cfg.Clock), ledger.WithSchedule(cfg.schedule()), ledger.WithLogger(log))
		out[i] = g
	}
	return out
}

// newReconciler makes the reconciler of one shop replica: it verifies the
// ledger's open payments with their providers and delivers what it finds
// through the replica's webhook handler, the same de-duplication, amount
// check and callback as notifications.
func newReconciler(s *shop, store ledger.Store, cfg sweepConfig) (*ledger.Reconciler, error) {
	gws := make([]mfspay.Gateway, len(s.gateways))
	for i, g := range s.gateways {
		gws[i] = g.GW
	}
	return ledger.NewReconciler(ledger.Config{
		Store:             store,
		Gateways:          gws,
		Deliverer:         s.handler,
		Schedule:          cfg.schedule(),
		Lease:             cfg.lease(),
		RateLimits:        cfg.limits(s.gateways),
		UnverifiableAfter: cfg.UnverifiableAfter,
		Clock:             cfg.Clock,
		Logger:            s.log,
	})
}

// sweepLog is what the shop's reconcilers did last, for the product page
// and for tests.
type sweepLog struct {
	every time.Duration

	mu     sync.Mutex
	sweeps int
	at     time.Time
	last   ledger.Report
	err    string
	// unverifiable are open payments the reconciler cannot check, as of
	// the last sweep: listed then, so that the product page does not read
	// the ledger.
	unverifiable []ledger.Entry
	// observe, when set, hears every sweep's report (tests).
	observe func(ledger.Report, error)
}

// record keeps a sweep's report and the unverifiable payments it left.
func (l *sweepLog) record(at time.Time, rep ledger.Report, err error, unverifiable []ledger.Entry) {
	l.mu.Lock()
	l.sweeps++
	l.at, l.last, l.err, l.unverifiable = at, rep, "", unverifiable
	if err != nil {
		l.err = err.Error()
	}
	observe := l.observe
	l.mu.Unlock()
	if observe != nil {
		observe(rep, err)
	}
}

// sweepView is the reconciler's state as the product page shows it.
type sweepView struct {
	Every        time.Duration
	Sweeps       int
	At           time.Time
	Last         ledger.Report
	Err          string
	Unverifiable []ledger.Entry
}

func (l *sweepLog) view() sweepView {
	l.mu.Lock()
	defer l.mu.Unlock()
	return sweepView{Every: l.every, Sweeps: l.sweeps, At: l.at, Last: l.last, Err: l.err, Unverifiable: l.unverifiable}
}

// unverifiableShown bounds the list of payments nobody can check.
const unverifiableShown = 20

// runSweeps sweeps at once, then every interval counted from the start of
// the previous sweep (at once if a sweep took longer), until ctx ends. The
// first sweep after a restart settles what a dead process left behind.
func runSweeps(ctx context.Context, r *ledger.Reconciler, clock ledger.Clock, every time.Duration, log *sweepLog) {
	for {
		start := clock.Now()
		rep, err := r.Sweep(ctx)
		if ctx.Err() != nil {
			return
		}
		list, lerr := r.Unverifiable(ctx, unverifiableShown)
		if err == nil && lerr != nil {
			err = fmt.Errorf("listing the payments it cannot check: %w", lerr)
		}
		log.record(start, rep, err, list)
		if err := clock.Sleep(ctx, start.Add(every).Sub(clock.Now())); err != nil {
			return
		}
	}
}

// ledgerSource names, as the ledger does, what brought an event.
func ledgerSource(src webhook.Source) ledger.Source {
	switch src {
	case webhook.SourceReturn:
		return ledger.SourceReturn
	case webhook.SourceReconciliation:
		return ledger.SourceSweep
	}
	return ledger.SourceNotification
}

// recordState writes the payment state a delivered event carries into the
// ledger, saying how it was learnt. It runs after the order was updated and
// its error fails the delivery, so that a state the ledger missed is
// delivered again (the order's update is idempotent). A payment the ledger
// does not hold (made outside this shop's Record) is logged, not retried.
func (s *shop) recordState(ctx context.Context, e *mfspay.Event, src webhook.Source) error {
	c, ok := ledger.EventChange(e, ledgerSource(src), s.clock.Now())
	if !ok {
		return nil
	}
	got, effect, err := s.ledger.Apply(ctx, c)
	switch {
	case errors.Is(err, ledger.ErrNoEntry):
		s.log.Warn("a delivered payment is not in the ledger", "provider", c.Provider, "invoice", c.InvoiceID)
		return nil
	case errors.Is(err, mfspay.ErrInvalidRequest):
		s.log.Warn("a delivered payment state cannot be recorded", "provider", c.Provider, "invoice", c.InvoiceID, "err", err)
		return nil
	case err != nil:
		return fmt.Errorf("recording the payment state in the ledger: %w", err)
	}
	if effect == ledger.EffectConflict || effect == ledger.EffectPaidLate {
		s.log.Warn("the provider contradicts the ledger; look at this payment", "provider", c.Provider, "invoice", c.InvoiceID,
			"recorded", string(got.Status), "reported", string(c.Status), "effect", string(effect))
	}
	return nil
}
