package webhook

import (
	"context"
	"time"

	"github.com/mfspay/mfspay"
)

// storeTimeout bounds each store call, so a hung store answers 503 rather
// than holding the provider's connection.
const storeTimeout = 5 * time.Second

// process de-duplicates an authenticated event and delivers it, taking the
// mark before any work and committing or releasing it after. It reports the
// outcome and whether the delivered event was confirmed.
func (h *Handler) process(reqCtx context.Context, rt *route, ev *mfspay.Event) (o outcome, confirmed bool) {
	// The work is not abandoned when the sender hangs up mid-way (it would
	// retry anyway); the lease bounds it instead.
	base := context.WithoutCancel(reqCtx)
	key := rt.provider + "/" + ev.ID

	sctx, cancel := h.storeContext(base)
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

	commit := false
	defer func() {
		sctx, cancel := h.storeContext(base)
		defer cancel()
		if !commit {
			if err := h.store.Release(sctx, key, res.Token); err != nil {
				// The lease expires on its own; retries after it are delivered.
				h.log(reqCtx, outStoreDown.with(err), logRecord{provider: rt.provider, event: ev})
			}
			return
		}
		if err := h.store.Commit(sctx, key, res.Token, h.dedupTTL); err != nil {
			// The event was delivered: answer 200 all the same. Only a
			// replay after the lease expires could reach the callback again.
			h.log(reqCtx, outStoreDown.with(err), logRecord{provider: rt.provider, event: ev})
		}
	}()

	wctx, cancelWork := withLease(base, h.lease) // context.WithTimeout, timed lazily
	defer cancelWork()
	o, confirmed, commit = h.deliver(wctx, rt, ev)
	return o, confirmed
}

// storeContext bounds one store call by storeTimeout. The in-memory store
// never waits, so it gets no timer: two fewer per event on the hot path.
func (h *Handler) storeContext(base context.Context) (context.Context, context.CancelFunc) {
	if _, ok := h.store.(*MemoryStore); ok {
		return base, func() {}
	}
	return context.WithTimeout(base, storeTimeout)
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
