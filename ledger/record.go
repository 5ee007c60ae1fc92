package ledger

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/mfspay/mfspay"
)

// storeTimeout bounds the ledger writes made after a create was sent, which
// run even when the caller's context has ended: the answer must not be lost
// because the caller stopped waiting.
const storeTimeout = 10 * time.Second

// RecordOption configures Record.
type RecordOption func(*recorder)

// WithClock sets the clock entries are timed by; SystemClock by default.
func WithClock(c Clock) RecordOption { return func(r *recorder) { r.clock = c } }

// WithSchedule sets the schedule whose FirstCheck and IntentTimeout time
// the reconciler's first look at a new entry; DefaultSchedule by default.
// Give the Reconciler the same one.
func WithSchedule(s Schedule) RecordOption { return func(r *recorder) { r.sched = s.withDefaults() } }

// WithLogger sets where ledger failures are logged; nothing by default.
func WithLogger(l *slog.Logger) RecordOption { return func(r *recorder) { r.log = l } }

// Record returns gw with every CreatePayment recorded in store: the intent
// before the request is sent, then the answer. The other methods pass
// through unchanged.
//
// CreatePayment:
//   - refuses an invalid request as gw would, recording nothing;
//   - records the intent, and sends nothing when it cannot (the error is
//     mfspay.ErrUnavailable);
//   - for an invoice that already has an entry at the provider, never
//     creates blindly: the same request again returns the recorded
//     checkout while the payment is open and unexpired; an invoice whose
//     payment exists otherwise, or ended, is mfspay.ErrDuplicate; after an
//     earlier create of unknown outcome, the invoice is looked up where the
//     provider can, and the new create is sent only if the provider holds
//     no payment for it — otherwise the answer is mfspay.ErrDuplicate (the
//     payment exists) or mfspay.ErrOutcomeUnknown (it could not be settled,
//     the provider cannot look up by invoice, or a create for the invoice is
//     still in progress);
//   - records the answer (created, outcome unknown, or not created for any
//     other error) even when ctx has ended. If that write fails the checkout
//     is still returned — the payment exists — and the error is logged; the
//     entry stays an unanswered intent, which the reconciler settles.
//
// Verify results are not recorded: a caller of VerifyPayment may not act on
// what it learns, and an entry closed without a delivery would never be
// announced. States reach the ledger through the Reconciler and through
// the notification path (see EventChange).
func Record(gw mfspay.Gateway, store Store, opts ...RecordOption) mfspay.Gateway {
	r := &recorder{Gateway: gw, store: store, clock: SystemClock, sched: DefaultSchedule()}
	for _, o := range opts {
		o(r)
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

// recorder is the Gateway Record returns; everything but CreatePayment is
// gw's own.
type recorder struct {
	mfspay.Gateway
	store Store
	clock Clock
	sched Schedule
	log   *slog.Logger
}

// BreakerState reports the wrapped gateway's breaker, for
// mfspay.BreakerStateOf.
func (r *recorder) BreakerState() (mfspay.BreakerState, bool) {
	return mfspay.BreakerStateOf(r.Gateway)
}

func (r *recorder) CreatePayment(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	provider := r.Provider()
	if err := req.Validate(); err != nil {
		var e *mfspay.Error
		if errors.As(err, &e) {
			stamped := *e
			stamped.Provider, stamped.Op = provider, mfspay.OpCreate
			return nil, &stamped
		}
		return nil, err
	}
	now := r.clock.Now()
	in := Intent{
		Provider:    provider,
		InvoiceID:   req.InvoiceID,
		Amount:      req.Amount,
		Fingerprint: Fingerprint(provider, req),
		At:          now,
		NextCheck:   now.Add(r.sched.IntentTimeout),
	}
	old, err := r.store.Begin(ctx, in)
	if errors.Is(err, ErrExists) {
		if co, serr := r.settle(ctx, old, in); co != nil || serr != nil {
			return co, serr
		}
		if _, err = r.store.Begin(ctx, in); errors.Is(err, ErrExists) {
			return nil, r.fail(mfspay.ErrOutcomeUnknown, "a create for this invoice is in progress", nil)
		}
	}
	if err != nil {
		return nil, r.fail(mfspay.ErrUnavailable, "the payment ledger could not record the intent; nothing was sent", err)
	}

	co, err := r.Gateway.CreatePayment(ctx, req)
	if err == nil && co == nil {
		// A broken gateway: the request may have made a payment, so the
		// outcome is unknown, never "not created".
		err = r.fail(mfspay.ErrOutcomeUnknown, "the gateway returned no checkout and no error", nil)
	}
	at := r.clock.Now()
	a := Answer{At: at, Outcome: OutcomeNotCreated}
	switch {
	case err == nil:
		a.Outcome, a.Checkout, a.NextCheck = OutcomeCreated, co, at.Add(r.sched.FirstCheck)
	case errors.Is(err, mfspay.ErrOutcomeUnknown):
		a.Outcome, a.NextCheck = OutcomeUnknown, at.Add(r.sched.MinInterval)
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if _, aerr := r.store.Answer(wctx, provider, req.InvoiceID, a); aerr != nil {
		r.log.LogAttrs(ctx, slog.LevelError, "ledger: could not record a create's answer; the reconciler will settle the intent",
			slog.String("provider", provider), slog.String("invoice_id", req.InvoiceID),
			slog.String("outcome", string(a.Outcome)), slog.String("error", aerr.Error()))
	}
	return co, err
}

// settle decides what a create for an invoice that already has the entry
// old gets. It returns a checkout or an error to answer with, or neither
// when the provider proved that no payment exists and the create may go
// ahead.
func (r *recorder) settle(ctx context.Context, old Entry, in Intent) (*mfspay.Checkout, error) {
	switch {
	case old.Outcome == OutcomeCreated && old.Fingerprint == in.Fingerprint && old.Open() && old.RedirectURL != "" &&
		(old.ExpiresAt.IsZero() || in.At.Before(old.ExpiresAt)):
		return old.Checkout(), nil
	case old.Outcome == OutcomeCreated || old.Status.Final():
		return nil, r.fail(mfspay.ErrDuplicate, "the invoice already has a payment at this provider", nil)
	case old.Outcome == OutcomeSending && in.At.Sub(old.CreatedAt) < r.sched.IntentTimeout:
		return nil, r.fail(mfspay.ErrOutcomeUnknown, "a create for this invoice is in progress", nil)
	case !r.Capabilities().VerifyByInvoice:
		return nil, r.fail(mfspay.ErrOutcomeUnknown,
			"an earlier create for this invoice has an unknown outcome and the provider cannot look payments up by invoice", nil)
	}
	asked := r.clock.Now()
	_, err := r.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: in.InvoiceID})
	switch {
	case err == nil:
		// The earlier create made the payment. Its state is left to the
		// reconciler, which announces what it finds.
		return nil, r.fail(mfspay.ErrDuplicate, "an earlier create for this invoice made a payment at this provider", nil)
	case !errors.Is(err, mfspay.ErrNotFound):
		return nil, r.fail(mfspay.ErrOutcomeUnknown, "an earlier create for this invoice has an unknown outcome", err)
	}
	// Dated when the lookup began: a retry on another replica that began a
	// new intent meanwhile is left alone (see Entry.WithAnswer).
	if _, err := r.store.Answer(ctx, in.Provider, in.InvoiceID, Answer{Outcome: OutcomeNotCreated, At: asked}); err != nil {
		return nil, r.fail(mfspay.ErrUnavailable, "the payment ledger could not record the earlier create's outcome; nothing was sent", err)
	}
	return nil, nil
}

func (r *recorder) fail(kind error, message string, cause error) error {
	return &mfspay.Error{Kind: kind, Provider: r.Provider(), Op: mfspay.OpCreate, Field: fieldFor(kind), Message: message, Err: cause}
}

// fieldFor names the invoice id as the field of a duplicate.
func fieldFor(kind error) string {
	if kind == mfspay.ErrDuplicate {
		return "invoice_id"
	}
	return ""
}
