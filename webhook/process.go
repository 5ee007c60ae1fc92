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

// process delivers an authenticated event from source: with Confirm, a
// notification is first replaced by the provider's current view of its
// payment; the state delivered is de-duplicated, its mark taken before any
// further work and committed or released after. It reports the outcome and
// what its log line says of the event.
//
// The mark is first taken for the state the event claims, so that
// duplicates of a notification claiming a final state are answered without
// asking the provider again. A claim of a state already delivered that is
// not final (pending) is confirmed all the same, since the provider's state
// may have moved on; it is a duplicate only if the provider still reports
// the claimed state. When confirmation finds another state, the claim's
// mark is released and the confirmed state's taken instead: the mark is
// always for what is delivered.
func (h *Handler) process(reqCtx context.Context, rt *route, claimed *mfspay.Event, source Source) (outcome, logRecord) {
	// The work is not abandoned when the sender hangs up mid-way (it would
	// retry anyway); the lease bounds it instead.
	base := context.WithoutCancel(reqCtx)
	ev := *claimed
	d := Delivery{Provider: rt.provider, Claimed: *claimed, Source: source,
		// An event from a return or a sweep is built from the provider's
		// answers (an execute, a verify), never from the request.
		Confirmed: source != SourceNotification}
	rec := logRecord{provider: rt.provider, event: &ev, source: source}

	confirming := h.confirm && source == SourceNotification
	claimKey := markKey(rt.provider, &ev)
	key := claimKey
	token, leaseEnd, o := h.reserve(base, key)
	// A state that is not final (pending) can be left: the claim's mark
	// says nothing of what the provider holds now, so a repeated claim of
	// it is confirmed before it is answered as a duplicate.
	recheck := confirming && o.kind == outDuplicate.kind && !claimsFinal(claimed.Type)
	if recheck {
		key = "" // nothing held: nothing to settle
	} else if o.code != 0 {
		return o, rec
	}
	settled := false
	defer func() {
		// Deferred, so that a panicking callback still releases its mark.
		h.settle(reqCtx, base, key, token, settled, rec)
	}()

	wctx, cancelWork := context.WithDeadline(base, leaseEnd)
	defer cancelWork()
	if confirming {
		ev, d.Confirmed, o = h.confirmEvent(wctx, rt, claimed)
		rec.confirmed = d.Confirmed
		if o.code != 0 {
			return o, rec
		}
		confirmedKey := markKey(rt.provider, &ev)
		if recheck && confirmedKey == claimKey {
			return outDuplicate, rec
		}
		if confirmedKey != claimKey {
			h.settle(reqCtx, base, key, token, false, rec)
			key = confirmedKey
			if token, leaseEnd, o = h.reserve(base, key); o.code != 0 {
				key = "" // nothing held: nothing to settle
				return o, rec
			}
			wctx, cancelWork = context.WithDeadline(base, leaseEnd)
			defer cancelWork()
		}
	}
	o, settled = h.deliver(wctx, rt, &ev, d)
	return o, rec
}

// reserve takes the mark for key, or says why not: the state was delivered
// already, another delivery of it is running, or the store is unavailable.
// It also returns when the lease ends on this side, the deadline of the
// work done under the mark: it is counted from before Reserve is sent, so
// it comes no later than the store's, and the callback's context is done
// before another replica can take the event over.
func (h *Handler) reserve(base context.Context, key string) (token string, leaseEnd time.Time, o outcome) {
	leaseEnd = time.Now().Add(h.lease)
	sctx, cancel := h.storeContext(base, min(storeTimeout, h.lease))
	res, err := h.store.Reserve(sctx, key, h.lease)
	cancel()
	switch {
	case err != nil:
		return "", leaseEnd, outStoreDown.with(err)
	case res.State == Delivered:
		return "", leaseEnd, outDuplicate
	case res.State != Acquired:
		// Another delivery of this state is running now. Answering 503
		// rather than waiting keeps connections short and works across
		// replicas; if that delivery fails it releases the mark and the
		// provider's next retry is delivered.
		return "", leaseEnd, outBusy
	}
	return res.Token, leaseEnd, outcome{}
}

// settle commits the mark for key when the event was settled, and releases
// it otherwise, so that the next delivery of the state is attempted. An
// empty key holds nothing.
func (h *Handler) settle(reqCtx, base context.Context, key, token string, settled bool, rec logRecord) {
	if key == "" {
		return
	}
	if !settled {
		if err := h.retryStore(base, func(ctx context.Context) error { return h.store.Release(ctx, key, token) }); err != nil {
			// The lease expires on its own; retries after it are delivered.
			h.log(reqCtx, outStoreDown.with(err), rec)
		}
		return
	}
	err := h.retryStore(base, func(ctx context.Context) error { return h.store.Commit(ctx, key, token, h.dedupTTL) })
	switch {
	case errors.Is(err, ErrLeaseLost):
		h.log(reqCtx, outLeaseLost.with(err), rec)
	case err != nil:
		h.log(reqCtx, outCommitFailed.with(err), rec)
	}
}

// markKey is the de-duplication key of a delivered event: the payment
// and the state it announces, so that one state is delivered once whether a
// notification, the customer's return or a reconciliation sweep reports it
// first, and whatever each calls its event. An event that names no payment
// (transaction.received) is keyed by its own ID.
func markKey(provider string, ev *mfspay.Event) string {
	p := ev.Payment
	switch {
	case ev.Type == mfspay.EventTransactionReceived:
	case p.PaymentID != "":
		return provider + "/payment/" + p.PaymentID + "/" + string(ev.Type)
	case p.InvoiceID != "":
		return provider + "/invoice/" + p.InvoiceID + "/" + string(ev.Type)
	}
	return provider + "/event/" + ev.ID
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

// deliver checks the event's amount and calls the callback. It reports
// whether the event is settled (delivered, or refused for good) and its mark
// may be committed.
func (h *Handler) deliver(ctx context.Context, rt *route, ev *mfspay.Event, d Delivery) (o outcome, settled bool) {
	if h.expect != nil && ev.Type == mfspay.EventPaymentCompleted {
		if o, stop := h.checkAmount(ctx, rt, ev); stop {
			return o, o.code < 300
		}
	}
	if err := h.callback(withDelivery(ctx, d), ev); err != nil {
		return outCallback.with(err), false
	}
	return outDelivered, true
}
