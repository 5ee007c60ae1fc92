package ledger

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mfspay/mfspay"
)

// Config configures a Reconciler. Store, Gateways and Deliverer are
// required; zero values elsewhere take the defaults named on each field.
type Config struct {
	Store Store
	// Gateways are the gateways to verify with, one per provider; entries of
	// a provider with no gateway here are reported as unverifiable.
	Gateways []mfspay.Gateway
	// Deliverer receives every state change found.
	Deliverer Deliverer
	// Schedule says when entries are looked at; give Record the same one.
	Schedule Schedule
	// Workers is how many provider calls run at once; default 4.
	Workers int
	// Batch is how many entries are claimed from the store at once; default
	// 1000. The list-or-verify decision is made per batch.
	Batch int
	// Lease is how long a claimed entry is held before another sweep may
	// take it, should this one die; default 10 minutes.
	Lease time.Duration
	// RateLimits bounds calls per provider name; providers not named get
	// DefaultLimit.
	RateLimits   map[string]RateLimit
	DefaultLimit RateLimit
	// RateLimitedPause is how long a provider is left alone after a 429 that
	// named no Retry-After; default 10s. A named Retry-After is honoured as
	// given.
	RateLimitedPause time.Duration
	// ListThreshold is how many claimed entries of one provider make it
	// worth walking the provider's list instead of verifying each (see
	// Reconciler); 0 means the provider's page size, a negative value never.
	ListThreshold int
	// UnverifiableAfter is how long an entry the reconciler cannot check
	// may stay open before it is reported; default 1 hour.
	UnverifiableAfter time.Duration
	// StoreTimeout bounds each of the reconciler's Store calls, so that a
	// hung database fails a sweep (or leaves an entry to the claim's lease)
	// instead of stalling it; default 10s, as long as the SQLite backend
	// waits for its write lock.
	StoreTimeout time.Duration
	// Clock is SystemClock by default.
	Clock Clock
	// Logger receives one line per sweep and one per entry needing
	// attention (conflict, late payment, unverifiable, given up); nothing by
	// default.
	Logger *slog.Logger
}

// Reconciler finds the state changes nobody announced: notifications that
// never arrived, creates whose outcome was unknown, intents a dead process
// left unanswered. Each Sweep claims the ledger entries that are due,
// verifies them with their provider and hands every state change to the
// Deliverer, then records it.
//
// How an entry is verified:
//   - an entry with a payment id, by payment id (by invoice where the
//     provider can look up only by invoice);
//   - an entry without one (an unknown outcome, an unanswered intent), by
//     invoice where the provider can; a provider that holds no payment for
//     the invoice on two looks at least Schedule.IntentTimeout apart proves
//     the create never happened (OutcomeNotCreated): one early "not found"
//     may be a read lagging the create. The first look is remembered by
//     this Reconciler only, so after a restart two more are needed;
//   - a provider that can do neither is never guessed at: its entries are
//     reported as unverifiable (logged once, listed by Unverifiable) after
//     Config.UnverifiableAfter.
//
// When a batch holds at least ListThreshold entries with payment ids at a
// provider that can list payments, its list is walked newest first, a full
// page at a time, and the entries found on it are settled from the page.
// The walk stops when every such entry was seen, the list ends, or it has
// cost two pages per page-full of entries; entries it did not see are then
// verified one by one. So the walk replaces up to a page of verifies with
// one call, and at worst adds two calls per page-full of entries (2 % at
// WezoPay's 100 a page). New payments arriving during the walk shift the
// pages; an entry missed that way is simply verified.
//
// Calls are limited per provider (Config.RateLimits); a provider answering
// 429 is left alone for its Retry-After, and the entries it refused are
// looked at again after that, within the same sweep. Meanwhile the workers
// go on with other providers' entries: one rate-limited provider holds up
// no other. An entry refused rateLimitedTries (5) times, or whose
// provider's pause would end in the last quarter of the claim's lease, is
// left for a later sweep (counted in Report.Errors), so that a sweep does
// not hold its claim past Config.Lease and no other sweep claims the
// entries it is still checking.
//
// A change is recorded in the Store only after the Deliverer accepted it: a
// failed delivery leaves the entry open, to be delivered at a later sweep.
// Pending is not announced (every payment starts pending), but a payment
// found for an entry without one is recorded.
type Reconciler struct {
	cfg      Config
	gateways map[string]mfspay.Gateway
	throttle *throttle
	misses   misses
	log      *slog.Logger
}

// NewReconciler checks cfg and returns a Reconciler. A missing Store,
// Deliverer or gateway, or two gateways of one provider, is an
// mfspay.ErrInvalidRequest error.
func NewReconciler(cfg Config) (*Reconciler, error) {
	switch {
	case cfg.Store == nil:
		return nil, invalid("store", "is required")
	case cfg.Deliverer == nil:
		return nil, invalid("deliverer", "is required")
	case len(cfg.Gateways) == 0:
		return nil, invalid("gateways", "at least one is required")
	}
	r := &Reconciler{cfg: cfg, gateways: map[string]mfspay.Gateway{}, log: cfg.Logger}
	for _, gw := range cfg.Gateways {
		if gw == nil || gw.Provider() == "" {
			return nil, invalid("gateways", "a gateway is nil or has no provider name")
		}
		if _, dup := r.gateways[gw.Provider()]; dup {
			return nil, invalid("gateways", "two gateways of provider "+gw.Provider())
		}
		r.gateways[gw.Provider()] = gw
	}
	c := &r.cfg
	c.Schedule = c.Schedule.withDefaults()
	c.Workers = cmpOr(c.Workers, 4)
	c.Batch = cmpOr(c.Batch, 1000)
	c.Lease = cmpOr(c.Lease, 10*time.Minute)
	c.RateLimitedPause = cmpOr(c.RateLimitedPause, 10*time.Second)
	c.UnverifiableAfter = cmpOr(c.UnverifiableAfter, time.Hour)
	c.StoreTimeout = cmpOr(c.StoreTimeout, storeTimeout)
	if c.DefaultLimit.Interval <= 0 {
		c.DefaultLimit = DefaultRateLimit
	}
	if c.Clock == nil {
		c.Clock = SystemClock
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.throttle = newThrottle(c.Clock, c.RateLimits, c.DefaultLimit)
	return r, nil
}

// storeContext bounds one Store call by Config.StoreTimeout. The timeout
// is on the wall clock, whatever Config.Clock is: it bounds real waiting.
func (r *Reconciler) storeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, r.cfg.StoreTimeout)
}

// cmpOr returns v, or def when v is not positive.
func cmpOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Report counts what one Sweep did.
type Report struct {
	// Claimed is how many due entries the sweep took.
	Claimed int
	// Verifies and ListPages count provider calls; Captures the payments
	// completed through CompleteReturn for a customer who never came back
	// (bKash's execute); RateLimited the calls refused with 429.
	Verifies, ListPages, Captures, RateLimited int
	// Delivered counts state changes the Deliverer accepted; DeliveryErrors
	// those it refused (retried at a later sweep).
	Delivered, DeliveryErrors int
	// NotCreated counts entries the provider proved never created.
	NotCreated int
	// Errors counts provider and store failures (entries retried later).
	Errors int
	// Conflicts counts contradicting final statuses and late payments.
	Conflicts int
	// Unverifiable counts entries newly reported as impossible to check;
	// GaveUp entries whose checking stopped after expiry and grace.
	Unverifiable, GaveUp int
	// Duration is how long the sweep took by the Clock.
	Duration time.Duration
}

// counters is a Report being filled by several workers, and what the
// sweep learnt on the way.
type counters struct {
	// down holds the providers whose circuit breaker was found open: their
	// remaining entries wait for a later sweep without a call each.
	down sync.Map

	claimed, verifies, listPages, captures, rateLimited atomic.Int64
	delivered, deliveryErrors, notCreated, errs         atomic.Int64
	conflicts, unverifiable, gaveUp                     atomic.Int64
}

func (c *counters) report(d time.Duration) Report {
	return Report{
		Claimed: int(c.claimed.Load()), Verifies: int(c.verifies.Load()), ListPages: int(c.listPages.Load()),
		Captures: int(c.captures.Load()), RateLimited: int(c.rateLimited.Load()),
		Delivered: int(c.delivered.Load()), DeliveryErrors: int(c.deliveryErrors.Load()),
		NotCreated: int(c.notCreated.Load()), Errors: int(c.errs.Load()), Conflicts: int(c.conflicts.Load()),
		Unverifiable: int(c.unverifiable.Load()), GaveUp: int(c.gaveUp.Load()), Duration: d,
	}
}

// Sweep looks at every entry due when it starts, and returns what it did.
// Entries rescheduled during the sweep (after a 429, a failed delivery)
// wait for a later one. It returns early with ctx's error when ctx ends,
// and with the store's error when it cannot claim entries; entries already
// claimed come back after Config.Lease.
func (r *Reconciler) Sweep(ctx context.Context) (Report, error) {
	start := r.cfg.Clock.Now()
	var c counters
	// A first "not found" whose entry was not looked at again for this long
	// was settled some other way, or is looked at afresh.
	r.misses.prune(start.Add(-r.cfg.Schedule.IntentTimeout - 2*r.cfg.Schedule.MaxInterval))
	for {
		until := r.cfg.Clock.Now().Add(r.cfg.Lease)
		sctx, cancel := r.storeContext(ctx)
		batch, err := r.cfg.Store.Claim(sctx, start, until, r.cfg.Batch)
		cancel()
		if err != nil {
			return c.report(r.cfg.Clock.Now().Sub(start)), err
		}
		c.claimed.Add(int64(len(batch)))
		r.sweepBatch(ctx, batch, until, &c)
		if err := ctx.Err(); err != nil {
			return c.report(r.cfg.Clock.Now().Sub(start)), err
		}
		if len(batch) < r.cfg.Batch {
			break
		}
	}
	rep := c.report(r.cfg.Clock.Now().Sub(start))
	r.log.LogAttrs(ctx, slog.LevelInfo, "ledger: sweep done",
		slog.Int("claimed", rep.Claimed), slog.Int("verifies", rep.Verifies), slog.Int("list_pages", rep.ListPages),
		slog.Int("delivered", rep.Delivered), slog.Int("rate_limited", rep.RateLimited),
		slog.Int("errors", rep.Errors+rep.DeliveryErrors), slog.Int("unverifiable", rep.Unverifiable),
		slog.Int("gave_up", rep.GaveUp), slog.Duration("took", rep.Duration))
	return rep, nil
}

// Run sweeps every interval (Schedule.MinInterval when not positive)
// until ctx ends, and then returns ctx's error. A sweep that fails is
// logged and the next one tries again.
func (r *Reconciler) Run(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		every = r.cfg.Schedule.MinInterval
	}
	for {
		if _, err := r.Sweep(ctx); err != nil && ctx.Err() == nil {
			r.log.LogAttrs(ctx, slog.LevelError, "ledger: sweep failed", slog.String("error", err.Error()))
		}
		if err := r.cfg.Clock.Sleep(ctx, every); err != nil {
			return err
		}
	}
}

// Unverifiable lists up to limit open entries older than
// Config.UnverifiableAfter that the reconciler cannot check: their provider
// has no gateway here, cannot verify payments at all, or cannot look up the
// only reference the entry has. Someone has to look at them by hand (a
// provider's dashboard); they are never guessed.
func (r *Reconciler) Unverifiable(ctx context.Context, limit int) ([]Entry, error) {
	before := r.cfg.Clock.Now().Add(-r.cfg.UnverifiableAfter)
	var out []Entry
	var after Entry
	for len(out) < limit {
		sctx, cancel := r.storeContext(ctx)
		open, err := r.cfg.Store.Open(sctx, before, after, r.cfg.Batch)
		cancel()
		if err != nil {
			return out, err
		}
		for _, e := range open {
			if _, ok := r.refFor(e); !ok && len(out) < limit {
				out = append(out, e)
			}
		}
		if len(open) < r.cfg.Batch {
			break
		}
		after = open[len(open)-1]
	}
	return out, nil
}

// refFor returns how entry e can be verified, or false when it cannot.
func (r *Reconciler) refFor(e Entry) (mfspay.PaymentRef, bool) {
	gw, ok := r.gateways[e.Provider]
	if !ok {
		return mfspay.PaymentRef{}, false
	}
	caps := gw.Capabilities()
	switch {
	case e.PaymentID != "" && caps.VerifyByPaymentID:
		return mfspay.PaymentRef{PaymentID: e.PaymentID}, true
	case caps.VerifyByInvoice:
		return mfspay.PaymentRef{InvoiceID: e.InvoiceID}, true
	}
	return mfspay.PaymentRef{}, false
}

// job is one piece of a sweep's work: an entry to settle, with the payment
// a list walk found for it (p; nil: verify it), or a provider's list walk
// over the entries in walk, resumed at page.
type job struct {
	e Entry
	p *mfspay.Payment
	// refused counts the 429s met for this job in this sweep.
	refused int

	walk         []Entry
	page, budget int
}

// provider names the provider whose calls the job makes.
func (j job) provider() string {
	if j.walk != nil {
		return j.walk[0].Provider
	}
	return j.e.Provider
}

// sweepBatch settles one claimed batch, claimed until leaseEnd, with
// Workers goroutines: each provider's list walk (where it is worth it)
// first, then its entries.
//
// Work is handed out one provider after another, so that no provider's
// entries wait behind all of another's. A provider that answered 429 is
// given no work until its pause ends: its refused work waits in its queue
// while the workers go on with other providers'. Work a provider still
// refuses once its pause would end in the last quarter of the lease (or
// after rateLimitedTries 429s) is left for a later sweep, so that the sweep
// never holds its claim past the lease and no other sweep re-claims
// entries this one is still checking.
func (r *Reconciler) sweepBatch(ctx context.Context, batch []Entry, leaseEnd time.Time, c *counters) {
	jobs := make(chan job)
	// Each worker sends at most one result before taking its next job, so
	// with room for one each, a worker never waits for the dispatcher.
	results := make(chan []job, r.cfg.Workers)
	var wg sync.WaitGroup
	for range r.cfg.Workers {
		wg.Go(func() {
			for j := range jobs {
				results <- r.run(ctx, j, c)
			}
		})
	}
	d := dispatch{r: r, c: c, queues: map[string][]job{}, cutoff: leaseEnd.Add(-r.cfg.Lease / 4)}
	byProvider := map[string][]Entry{}
	for _, e := range batch {
		if _, seen := byProvider[e.Provider]; !seen {
			d.order = append(d.order, e.Provider)
		}
		byProvider[e.Provider] = append(byProvider[e.Provider], e)
	}
	for _, provider := range d.order {
		d.queues[provider] = r.plan(byProvider[provider])
	}
	// inFlight counts the jobs handed out whose results were not yet taken.
	// While it is below Workers a worker is free (its result, if any, has
	// room in results), so handing out a job never waits long.
	inFlight := 0
	take := func(back []job) {
		inFlight--
		d.requeue(ctx, back)
	}
work:
	for ctx.Err() == nil {
		if inFlight == r.cfg.Workers {
			take(<-results)
			continue
		}
		j, ok, wake := d.next(ctx)
		switch {
		case ok:
			jobs <- j
			inFlight++
		case !wake.IsZero():
			// Everything queued waits for a provider's pause: until it
			// ends, take what comes back (other providers' work).
			if back, ok := r.resultBefore(ctx, wake, results); ok {
				take(back)
			}
		case inFlight > 0:
			take(<-results)
		default:
			break work // nothing queued and nothing running: the batch is done
		}
	}
	close(jobs)
	for range inFlight {
		<-results // when ctx ended: the claim's lease brings the rest back
	}
	wg.Wait()
}

// resultBefore waits until wake for a job's result, and reports whether
// one came first.
func (r *Reconciler) resultBefore(ctx context.Context, wake time.Time, results <-chan []job) ([]job, bool) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	woke := make(chan struct{})
	go func() {
		_ = r.cfg.Clock.Sleep(sctx, wake.Sub(r.cfg.Clock.Now()))
		close(woke)
	}()
	select {
	case back := <-results:
		return back, true
	case <-woke:
		return nil, false
	}
}

// run does one job and returns the work that comes of it: the entries a
// walk found or must have verified, or a job its provider refused for now.
func (r *Reconciler) run(ctx context.Context, j job, c *counters) []job {
	switch {
	case j.walk != nil:
		return r.walkList(ctx, j, c)
	case j.p != nil:
		r.observe(ctx, j.e, *j.p, c)
	default:
		switch r.check(ctx, j.e, c) {
		case refused:
			j.refused++
			return []job{j}
		case deferred:
			return []job{j}
		}
	}
	return nil
}

// dispatch is sweepBatch's queue of work, one queue per provider, read by
// one goroutine.
type dispatch struct {
	r      *Reconciler
	c      *counters
	cutoff time.Time // no waiting for a pause that ends after this

	free   []job // needs no provider call (the walk found the payment)
	queues map[string][]job
	order  []string
	turn   int // the provider whose queue is looked at first
}

// next returns the next job to hand out, or when none can be handed out
// now, the earliest time one can (zero: nothing is queued). Queues of
// providers paused beyond the cutoff are left for a later sweep.
func (d *dispatch) next(ctx context.Context) (job, bool, time.Time) {
	if len(d.free) > 0 {
		j := d.free[0]
		d.free = d.free[1:]
		return j, true, time.Time{}
	}
	now := d.r.cfg.Clock.Now()
	var wake time.Time
	for k := range d.order {
		i := (d.turn + k) % len(d.order)
		provider := d.order[i]
		q := d.queues[provider]
		if len(q) == 0 {
			continue
		}
		until := d.r.throttle.pausedUntil(provider)
		switch {
		case !now.Before(until):
			d.queues[provider], d.turn = q[1:], (i+1)%len(d.order)
			return q[0], true, time.Time{}
		case until.After(d.cutoff):
			d.leave(ctx, provider, q)
			d.queues[provider] = nil
		case wake.IsZero() || until.Before(wake):
			wake = until
		}
	}
	return job{}, false, wake
}

// requeue queues the work a job gave back: found payments with the other
// work needing no call, the rest at the front of its provider's queue (a
// walk gives back a whole provider's entries at once, so they are added in
// one go); a job refused too often is left for a later sweep.
func (d *dispatch) requeue(ctx context.Context, back []job) {
	var again []job
	for _, j := range back {
		switch {
		case j.p != nil:
			d.free = append(d.free, j)
		case j.walk == nil && j.refused >= rateLimitedTries:
			d.leave(ctx, j.provider(), []job{j})
		default:
			again = append(again, j)
		}
	}
	if len(again) > 0 {
		// All of one provider: a job gives back only its own provider's work.
		provider := again[0].provider()
		d.queues[provider] = append(again, d.queues[provider]...)
	}
}

// leave schedules the entries of jobs, refused by their rate-limited
// provider, for a later sweep.
func (d *dispatch) leave(ctx context.Context, provider string, jobs []job) {
	n := 0
	for _, j := range jobs {
		entries := j.walk
		if entries == nil {
			entries = []Entry{j.e}
		}
		for _, e := range entries {
			n++
			d.c.errs.Add(1)
			d.r.scheduleNext(ctx, e, d.c)
		}
	}
	d.r.log.LogAttrs(ctx, slog.LevelWarn, "ledger: the provider keeps answering 429; its entries wait for a later sweep",
		slog.String("provider", provider), slog.Int("entries", n),
		slog.Time("paused_until", d.r.throttle.pausedUntil(provider)))
}
