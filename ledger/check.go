package ledger

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/mfspay/mfspay"
)

// rateLimitedTries bounds how often one sweep asks for one entry (or one
// list walk) while its provider answers 429; after that the entry waits for
// a later sweep.
const rateLimitedTries = 5

// verdict is what became of a check.
type verdict int

const (
	// settled: the entry was looked at and scheduled (or left to the
	// claim's lease when the sweep ends).
	settled verdict = iota
	// refused: the provider answered 429 and is paused; check the entry
	// again after the pause.
	refused
	// deferred: the provider was paused, so it was not asked; check the
	// entry after the pause.
	deferred
)

// check verifies one entry with its provider and settles it, unless the
// provider is rate limited: then it pauses the provider and reports that
// the entry waits, without waiting itself, so that the worker goes on with
// other providers' entries.
func (r *Reconciler) check(ctx context.Context, e Entry, c *counters) verdict {
	ref, ok := r.refFor(e)
	if !ok {
		r.unverifiable(ctx, e, c)
		return settled
	}
	gw := r.gateways[e.Provider]
	if _, down := c.down.Load(e.Provider); down {
		c.errs.Add(1)
		r.scheduleNext(ctx, e, c)
		return settled
	}
	// A "no such payment" is true as of when the lookup began: a retried
	// create begun meanwhile is not what it was about.
	asked := r.cfg.Clock.Now()
	p, err := r.verify(ctx, gw, ref, c)
	switch {
	case err == nil:
		r.misses.forget(e)
		r.observe(ctx, e, *p, c)
		return settled
	case ctx.Err() != nil:
		return settled // the claim's lease brings the entry back
	case errors.Is(err, errPaused):
		return deferred
	case errors.Is(err, mfspay.ErrRateLimited):
		c.rateLimited.Add(1)
		r.throttle.pause(e.Provider, r.pauseFor(err))
		return refused
	case errors.Is(err, mfspay.ErrCircuitOpen):
		c.errs.Add(1)
		if _, already := c.down.LoadOrStore(e.Provider, true); !already {
			r.log.LogAttrs(ctx, slog.LevelWarn, "ledger: the provider's circuit breaker is open; its entries wait for a later sweep",
				slog.String("provider", e.Provider))
		}
		r.scheduleNext(ctx, e, c)
		return settled
	case errors.Is(err, mfspay.ErrNotFound) && ref.InvoiceID != "" &&
		(e.Outcome == OutcomeSending || e.Outcome == OutcomeUnknown):
		r.notFound(ctx, e, asked, c)
		return settled
	}
	c.errs.Add(1)
	r.log.LogAttrs(ctx, slog.LevelWarn, "ledger: could not verify a payment; will try again",
		slog.String("provider", e.Provider), slog.String("invoice_id", e.InvoiceID),
		slog.String("payment_id", e.PaymentID), slog.String("error", err.Error()))
	r.scheduleNext(ctx, e, c)
	return settled
}

// verify asks the provider for the payment, within its rate limit. Where a
// payment completes only when the merchant acts on the customer's return
// (Capabilities.Return is ReturnExecute, as bKash's execute) and it still
// waits, it completes it as the customer's return would have: the provider
// captures only what the customer approved, so a customer who approved and
// never came back still pays, and one who did not stays pending.
func (r *Reconciler) verify(ctx context.Context, gw mfspay.Gateway, ref mfspay.PaymentRef, c *counters) (*mfspay.Payment, error) {
	if err := r.throttle.wait(ctx, gw.Provider()); err != nil {
		return nil, err
	}
	c.verifies.Add(1)
	p, err := gw.VerifyPayment(ctx, ref)
	if err == nil && p == nil {
		err = noAnswer(gw.Provider(), mfspay.OpVerify)
	}
	if err != nil || p.PaymentID == "" || p.Status.Final() || gw.Capabilities().Return != mfspay.ReturnExecute {
		return p, err
	}
	if err := r.throttle.wait(ctx, gw.Provider()); err != nil {
		return nil, err
	}
	c.captures.Add(1)
	ev, err := gw.CompleteReturn(ctx, mfspay.ReturnRequest{PaymentID: p.PaymentID})
	if err == nil && ev == nil {
		err = noAnswer(gw.Provider(), mfspay.OpReturn)
	}
	if err != nil {
		return nil, err
	}
	return &ev.Payment, nil
}

// noAnswer is the error for a gateway call that returned neither a result
// nor an error: a broken gateway, taken as unavailable, so that the entry
// is looked at again later.
func noAnswer(provider, op string) error {
	return &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: provider, Op: op,
		Message: "the gateway returned no result and no error"}
}

// pauseFor is how long to leave a provider alone after err, a 429.
func (r *Reconciler) pauseFor(err error) time.Duration {
	var e *mfspay.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter
	}
	return r.cfg.RateLimitedPause
}

// observe settles entry e with p, its payment as the provider reports it
// now: a final status is delivered and then recorded; a payment found for
// an entry that had none is recorded; the entry is then scheduled.
func (r *Reconciler) observe(ctx context.Context, e Entry, p mfspay.Payment, c *counters) {
	announce := p.Status.Final() && p.Status != e.Status
	if announce {
		ev, _ := SweepEvent(e, p)
		if err := r.cfg.Deliverer.Deliver(ctx, ev); err != nil {
			c.deliveryErrors.Add(1)
			r.log.LogAttrs(ctx, slog.LevelWarn, "ledger: delivery of a state change failed; will try again",
				slog.String("provider", e.Provider), slog.String("invoice_id", e.InvoiceID),
				slog.String("status", string(p.Status)), slog.String("error", err.Error()))
			r.checked(ctx, e, r.cfg.Clock.Now().Add(r.cfg.Schedule.MinInterval), c)
			return
		}
		c.delivered.Add(1)
	}
	found := p.Status == mfspay.StatusPending && (e.Status == mfspay.StatusUnknown || e.PaymentID == "")
	if announce || found {
		now := r.cfg.Clock.Now()
		sctx, cancel := r.storeContext(ctx)
		got, effect, err := r.cfg.Store.Apply(sctx, Change{
			Provider: e.Provider, InvoiceID: e.InvoiceID, PaymentID: p.PaymentID,
			Status: p.Status, Amount: p.Amount, TrxID: p.TrxID, Method: p.Method,
			At: now, Source: SourceSweep,
		})
		cancel()
		if err != nil {
			// A delivered change is delivered again at a later sweep (the
			// claim's lease brings the entry back); the Deliverer's
			// de-duplication makes that harmless.
			c.errs.Add(1)
			r.log.LogAttrs(ctx, slog.LevelError, "ledger: could not record a verified state",
				slog.String("provider", e.Provider), slog.String("invoice_id", e.InvoiceID), slog.String("error", err.Error()))
			return
		}
		if effect == EffectConflict || effect == EffectPaidLate {
			c.conflicts.Add(1)
			r.log.LogAttrs(ctx, slog.LevelWarn, "ledger: the provider contradicts a final status; look at this payment",
				slog.String("provider", e.Provider), slog.String("invoice_id", e.InvoiceID), slog.String("payment_id", p.PaymentID),
				slog.String("recorded", string(got.Status)), slog.String("reported", string(p.Status)), slog.String("effect", string(effect)))
		}
		if !got.Open() {
			return
		}
		e = got
	}
	r.scheduleNext(ctx, e, c)
}

// notFound handles the provider's "no such payment" for the invoice of an
// entry whose create may have happened, asked at asked. The provider's
// reads may lag its writes, so one such answer proves nothing: the create
// is concluded never to have happened only when a look at least
// Schedule.IntentTimeout after the first one says so too. Until then the
// entry is looked at again no sooner than that.
func (r *Reconciler) notFound(ctx context.Context, e Entry, asked time.Time, c *counters) {
	first := r.misses.note(e, asked)
	if asked.Sub(first) >= r.cfg.Schedule.IntentTimeout {
		r.misses.forget(e)
		r.notCreated(ctx, e, asked, c)
		return
	}
	next, ok := r.cfg.Schedule.Next(e, r.cfg.Clock.Now())
	if !ok {
		r.misses.forget(e)
		r.scheduleNext(ctx, e, c) // gives up, as for any entry
		return
	}
	if again := first.Add(r.cfg.Schedule.IntentTimeout); next.Before(again) {
		next = again
	}
	r.checked(ctx, e, next, c)
}

// misses remembers when the provider first said it holds no payment for an
// entry's invoice, per attempt (an intent begun again is another). It is
// kept in memory: a reconciler that restarts, or another replica, only
// has to see two such answers again, which errs on the safe side.
type misses struct {
	mu    sync.Mutex
	first map[missKey]time.Time
}

type missKey struct {
	provider, invoiceID string
	createdAt           int64 // the attempt's intent, in microseconds
}

func keyOf(e Entry) missKey {
	return missKey{e.Provider, e.InvoiceID, e.CreatedAt.UnixMicro()}
}

// note records a "not found" at at, and returns when the first was seen.
func (m *misses) note(e Entry, at time.Time) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.first == nil {
		m.first = map[missKey]time.Time{}
	}
	k := keyOf(e)
	if first, ok := m.first[k]; ok {
		return first
	}
	m.first[k] = at
	return at
}

// forget drops what was noted for e.
func (m *misses) forget(e Entry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.first, keyOf(e))
}

// prune drops what was first noted before before: entries settled some
// other way (a notification, Record) are never looked at again here.
func (m *misses) prune(before time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, at := range m.first {
		if at.Before(before) {
			delete(m.first, k)
		}
	}
}

// notCreated records that the provider, asked at asked, held no payment
// for the entry's invoice: the create never happened. The answer is dated
// asked, so that it leaves alone an intent begun after the question (see
// Entry.WithAnswer).
func (r *Reconciler) notCreated(ctx context.Context, e Entry, asked time.Time, c *counters) {
	sctx, cancel := r.storeContext(ctx)
	_, err := r.cfg.Store.Answer(sctx, e.Provider, e.InvoiceID, Answer{Outcome: OutcomeNotCreated, At: asked})
	cancel()
	if err != nil {
		c.errs.Add(1)
		r.log.LogAttrs(ctx, slog.LevelError, "ledger: could not record a create that never happened",
			slog.String("provider", e.Provider), slog.String("invoice_id", e.InvoiceID), slog.String("error", err.Error()))
		return
	}
	c.notCreated.Add(1)
}

// unverifiable handles an entry the reconciler cannot check: it waits
// until UnverifiableAfter, is then reported once and left unscheduled
// (Unverifiable lists it). An entry whose provider has no gateway is
// reported again every MaxInterval, as a gateway may be configured later.
func (r *Reconciler) unverifiable(ctx context.Context, e Entry, c *counters) {
	now := r.cfg.Clock.Now()
	if reportAt := e.CreatedAt.Add(r.cfg.UnverifiableAfter); now.Before(reportAt) {
		r.checked(ctx, e, reportAt, c)
		return
	}
	c.unverifiable.Add(1)
	_, hasGateway := r.gateways[e.Provider]
	r.log.LogAttrs(ctx, slog.LevelWarn, "ledger: open payment cannot be verified; look at it by hand",
		slog.String("provider", e.Provider), slog.String("invoice_id", e.InvoiceID),
		slog.String("payment_id", e.PaymentID), slog.Bool("gateway_configured", hasGateway),
		slog.Time("created_at", e.CreatedAt))
	var next time.Time
	if !hasGateway {
		next = now.Add(r.cfg.Schedule.MaxInterval)
	}
	r.checked(ctx, e, next, c)
}

// scheduleNext schedules the open entry's next check, or stops checking
// it after its expiry and grace.
func (r *Reconciler) scheduleNext(ctx context.Context, e Entry, c *counters) {
	next, ok := r.cfg.Schedule.Next(e, r.cfg.Clock.Now())
	if !ok {
		c.gaveUp.Add(1)
		r.log.LogAttrs(ctx, slog.LevelWarn, "ledger: stopped checking a payment still open after its expiry and grace",
			slog.String("provider", e.Provider), slog.String("invoice_id", e.InvoiceID),
			slog.String("payment_id", e.PaymentID), slog.String("status", string(e.Status)))
	}
	r.checked(ctx, e, next, c)
}

func (r *Reconciler) checked(ctx context.Context, e Entry, next time.Time, c *counters) {
	sctx, cancel := r.storeContext(ctx)
	defer cancel()
	if err := r.cfg.Store.Checked(sctx, e.Provider, e.InvoiceID, r.cfg.Clock.Now(), next); err != nil {
		c.errs.Add(1)
		r.log.LogAttrs(ctx, slog.LevelError, "ledger: could not schedule an entry; it comes back after the lease",
			slog.String("provider", e.Provider), slog.String("invoice_id", e.InvoiceID), slog.String("error", err.Error()))
	}
}
