package webhook

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/mfspay/mfspay"
)

// storeTimeout bounds each store call, so a hung store answers 503 rather
// than holding the provider's connection. Reserve is bounded by the lease
// too: a reservation that takes longer than its lease returns a lease that
// has already ended.
const storeTimeout = 5 * time.Second

// Commit and Release are retried, for at most storeTimeout or the lease in
// all, whichever is shorter, because a
// mark left behind costs more than the wait: a lost commit lets a later
// re-delivery through once the lease expires, and a lost release holds the
// provider's retries off for the rest of the lease. Both are idempotent.
// Each attempt gets at most storeAttemptTimeout of that, so that one
// attempt stuck in a client's own reconnection loop while the server is
// down cannot use up the time in which a later one would find it back.
const (
	storeRetryFirst     = 20 * time.Millisecond
	storeRetryMax       = 500 * time.Millisecond
	storeAttemptTimeout = time.Second
)

// outLeaseLost is logged when a delivered event's commit found that its
// lease had expired and another delivery had taken the event over: the
// callback may run, or have run, twice. The answer stays "delivered".
var outLeaseLost = outcome{kind: "delivered-lease-lost", code: http.StatusOK, text: "delivered"}

// outCommitFailed is logged when a delivered event's mark could not be
// committed because the store was unavailable throughout the retries. The
// answer stays "delivered"; the lease expires by itself, after which a
// re-delivery would reach the callback again.
var outCommitFailed = outcome{kind: "commit-failed", code: http.StatusOK, text: "delivered"}

// process de-duplicates an authenticated event and delivers it, taking the
// mark before any work and committing or releasing it after. It reports the
// outcome and whether the delivered event was confirmed.
func (h *Handler) process(reqCtx context.Context, rt *route, ev *mfspay.Event) (o outcome, confirmed bool) {
	// The work is not abandoned when the sender hangs up mid-way (it would
	// retry anyway); the lease bounds it instead.
	base := context.WithoutCancel(reqCtx)
	key := rt.provider + "/" + ev.ID
	rec := logRecord{provider: rt.provider, event: ev}

	// The lease is counted from before Reserve is sent, so this side's end
	// of it comes no later than the store's: the callback's context is done
	// before another replica can take the event over.
	leaseEnd := time.Now().Add(h.lease)
	sctx, cancel := h.storeContext(base, min(storeTimeout, h.lease))
	res, err := h.store.Reserve(sctx, key, h.lease)
	cancel()
	switch {
	case err != nil:
		return outStoreDown.with(err), false
	case res.State == Delivered:
		return outDuplicate, false
	case res.State != Acquired:
		// Another delivery of this event is running now. Answering 503
		// rather than waiting keeps connections short and works across
		// replicas; if that delivery fails it releases the mark and the
		// provider's next retry is delivered.
		return outBusy, false
	}

	settled := false
	defer func() {
		// Deferred, so that a panicking callback still releases its mark.
		if !settled {
			err := h.retryStore(base, func(ctx context.Context) error { return h.store.Release(ctx, key, res.Token) })
			if err != nil {
				// The lease expires on its own; retries after it are delivered.
				h.log(reqCtx, outStoreDown.with(err), rec)
			}
			return
		}
		err := h.retryStore(base, func(ctx context.Context) error { return h.store.Commit(ctx, key, res.Token, h.dedupTTL) })
		switch {
		case errors.Is(err, ErrLeaseLost):
			h.log(reqCtx, outLeaseLost.with(err), rec)
		case err != nil:
			h.log(reqCtx, outCommitFailed.with(err), rec)
		}
	}()

	wctx, cancelWork := context.WithDeadline(base, leaseEnd)
	defer cancelWork()
	o, confirmed, settled = h.deliver(wctx, rt, ev)
	return o, confirmed
}

// storeContext bounds one store call. The in-memory store never waits, so
// it gets no timer.
func (h *Handler) storeContext(base context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := h.store.(*MemoryStore); ok {
		return base, func() {}
	}
	return context.WithTimeout(base, limit)
}

// retryStore runs call until it succeeds or fails for good (the lease was
// lost, the arguments are wrong), backing off between attempts, for at most
// storeTimeout or the lease. It returns the last error.
func (h *Handler) retryStore(base context.Context, call func(context.Context) error) error {
	ctx, cancel := h.storeContext(base, min(storeTimeout, h.lease))
	defer cancel()
	wait := storeRetryFirst
	for {
		actx, cancelAttempt := h.storeContext(ctx, storeAttemptTimeout)
		err := call(actx)
		cancelAttempt()
		if err == nil || errors.Is(err, ErrLeaseLost) || errors.Is(err, mfspay.ErrInvalidRequest) || ctx.Err() != nil {
			return err
		}
		if _, ok := h.store.(*MemoryStore); ok {
			return err // its errors (a full store) do not pass with a few milliseconds
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(2*wait, storeRetryMax)
	}
}

// deliver confirms the event, checks its amount and calls the callback. It
// reports whether the event is settled (delivered, or refused for good) and
// its mark may be committed.
func (h *Handler) deliver(ctx context.Context, rt *route, claimed *mfspay.Event) (o outcome, confirmed, settled bool) {
	ev := *claimed
	d := Delivery{Provider: rt.provider, Claimed: *claimed}
	if h.confirm {
		var ok bool
		if ev, ok, o = h.confirmEvent(ctx, rt, claimed); o.code != 0 {
			return o, false, false
		}
		d.Confirmed = ok
	}
	if h.expect != nil && ev.Type == mfspay.EventPaymentCompleted {
		if o, stop := h.checkAmount(ctx, rt, &ev); stop {
			return o, d.Confirmed, o.code < 300
		}
	}
	if err := h.callback(withDelivery(ctx, d), &ev); err != nil {
		return outCallback.with(err), d.Confirmed, false
	}
	return outDelivered, d.Confirmed, true
}
