// Package ledgertest checks a ledger.Store against the ledger's rules, in
// the manner of gocloud's drivertest: one suite, run against every backend
// (memory, SQLite, PostgreSQL) and against a user's own.
//
//	func TestMyStore(t *testing.T) {
//		ledgertest.Run(t, func(t *testing.T) ledger.Store { return newMyStore(t) })
//	}
//
// newStore must return an empty store of its own for each call; the suite
// runs its tests in parallel.
package ledgertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/ledger"
)

// T0 is the time the suite's entries are made at. It has nanoseconds, so a
// store that does not keep times to the microsecond fails.
var T0 = time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)

// Run runs the rules against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) ledger.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s ledger.Store)
	}{
		{"BeginRecordsTheIntent", testBegin},
		{"BeginTwiceIsExistsUnlessNotCreated", testBeginTwice},
		{"AnswerCreated", testAnswerCreated},
		{"AnswerTransitions", testAnswerTransitions},
		{"AnswerOlderThanTheIntentIsIgnored", testAnswerOlderThanIntent},
		{"PaymentIDBelongsToOneEntry", testPaymentIDUnique},
		{"ApplyMovesForwardOnly", testApplyForward},
		{"ApplyConflictsAreKept", testApplyConflicts},
		{"ApplyFindsByPaymentIDAndFillsIt", testApplyLookup},
		{"InvalidInputChangesNothing", testInvalid},
		{"ClaimAndChecked", testClaim},
		{"OpenPages", testOpen},
		{"ConcurrentApplyHasOneWinner", testConcurrentApply},
		{"ConcurrentBeginHasOneWinner", testConcurrentBegin},
		{"ConcurrentClaimTakesEachOnce", testConcurrentClaim},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newStore(t))
		})
	}
}

func ctxOf(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// intent is an intent for invoice at provider "p", made at T0.
func intent(invoice string) ledger.Intent {
	return ledger.Intent{Provider: "p", InvoiceID: invoice, Amount: 25050, Fingerprint: "fp-" + invoice,
		At: T0, NextCheck: T0.Add(5 * time.Minute)}
}

func begin(t *testing.T, s ledger.Store, in ledger.Intent) ledger.Entry {
	t.Helper()
	e, err := s.Begin(ctxOf(t), in)
	require.NoError(t, err)
	return e
}

func created(t *testing.T, s ledger.Store, invoice, paymentID string) ledger.Entry {
	t.Helper()
	begin(t, s, intent(invoice))
	e, err := s.Answer(ctxOf(t), "p", invoice, ledger.Answer{
		Outcome: ledger.OutcomeCreated, At: T0.Add(time.Second), NextCheck: T0.Add(2 * time.Minute),
		Checkout: &mfspay.Checkout{PaymentID: paymentID, RedirectURL: "https://pay.example/p/" + paymentID,
			ExpiresAt: T0.Add(30 * time.Minute), Status: mfspay.StatusPending},
	})
	require.NoError(t, err)
	return e
}

func change(invoice, paymentID string, st mfspay.Status, at time.Duration) ledger.Change {
	c := ledger.Change{Provider: "p", InvoiceID: invoice, PaymentID: paymentID, Status: st,
		At: T0.Add(at), Source: ledger.SourceNotification}
	if st == mfspay.StatusPaid {
		c.Amount, c.TrxID, c.Method = 25050, "TRX-"+paymentID, mfspay.MethodBKash
	}
	return c
}

func apply(t *testing.T, s ledger.Store, c ledger.Change) (ledger.Entry, ledger.Effect) {
	t.Helper()
	e, effect, err := s.Apply(ctxOf(t), c)
	require.NoError(t, err)
	return e, effect
}

func testBegin(t *testing.T, s ledger.Store) {
	e := begin(t, s, intent("inv-1"))
	want := ledger.Entry{Provider: "p", InvoiceID: "inv-1", Amount: 25050, Fingerprint: "fp-inv-1",
		CreatedAt: ledger.Timestamp(T0), Outcome: ledger.OutcomeSending, Status: mfspay.StatusUnknown,
		NextCheck: ledger.Timestamp(T0.Add(5 * time.Minute)), UpdatedAt: ledger.Timestamp(T0)}
	assert.Equal(t, want, e)
	got, err := s.ByInvoice(ctxOf(t), "p", "inv-1")
	require.NoError(t, err)
	assert.Equal(t, want, got, "read back as written, times in UTC to the microsecond")
	assert.True(t, got.Open())

	_, err = s.ByInvoice(ctxOf(t), "p", "inv-2")
	assert.ErrorIs(t, err, ledger.ErrNoEntry)
	_, err = s.ByInvoice(ctxOf(t), "other", "inv-1")
	assert.ErrorIs(t, err, ledger.ErrNoEntry, "entries are per provider")
	_, err = s.ByPaymentID(ctxOf(t), "p", "")
	assert.ErrorIs(t, err, ledger.ErrNoEntry, "an empty payment id names nothing")
}

func testBeginTwice(t *testing.T, s ledger.Store) {
	first := begin(t, s, intent("inv-1"))
	again := intent("inv-1")
	again.Fingerprint, again.At = "fp-other", T0.Add(time.Minute)
	got, err := s.Begin(ctxOf(t), again)
	require.ErrorIs(t, err, ledger.ErrExists)
	assert.Equal(t, first, got, "the existing entry is returned, unchanged")

	other := intent("inv-1")
	other.Provider = "q"
	begin(t, s, other) // the same invoice at another provider is another entry

	_, err = s.Answer(ctxOf(t), "p", "inv-1", ledger.Answer{Outcome: ledger.OutcomeNotCreated, At: T0.Add(time.Second)})
	require.NoError(t, err)
	got = begin(t, s, again)
	assert.Equal(t, ledger.OutcomeSending, got.Outcome, "a create that never happened may be begun again")
	assert.Equal(t, "fp-other", got.Fingerprint)
	assert.Equal(t, ledger.Timestamp(again.At), got.CreatedAt)
}

func testAnswerCreated(t *testing.T, s ledger.Store) {
	e := created(t, s, "inv-1", "pay-1")
	assert.Equal(t, ledger.OutcomeCreated, e.Outcome)
	assert.Equal(t, "pay-1", e.PaymentID)
	assert.Equal(t, "https://pay.example/p/pay-1", e.RedirectURL)
	assert.Equal(t, ledger.Timestamp(T0.Add(30*time.Minute)), e.ExpiresAt)
	assert.Equal(t, mfspay.StatusPending, e.Status)
	assert.Equal(t, ledger.SourceCreate, e.Source)
	assert.Equal(t, ledger.Timestamp(T0.Add(time.Second)), e.StatusAt)
	assert.Equal(t, ledger.Timestamp(T0.Add(2*time.Minute)), e.NextCheck)

	byID, err := s.ByPaymentID(ctxOf(t), "p", "pay-1")
	require.NoError(t, err)
	assert.Equal(t, e, byID)
	byInv, err := s.ByInvoice(ctxOf(t), "p", "inv-1")
	require.NoError(t, err)
	assert.Equal(t, e, byInv)
	assert.Equal(t, &mfspay.Checkout{Provider: "p", PaymentID: "pay-1", InvoiceID: "inv-1",
		RedirectURL: "https://pay.example/p/pay-1", ExpiresAt: e.ExpiresAt, Status: mfspay.StatusPending}, e.Checkout())

	_, err = s.Answer(ctxOf(t), "p", "missing", ledger.Answer{Outcome: ledger.OutcomeUnknown, At: T0})
	assert.ErrorIs(t, err, ledger.ErrNoEntry)
}

// An unknown or not-created answer dated before the entry's intent was
// about an earlier create: it leaves the intent open. A checkout is proof
// whenever it was had.
func testAnswerOlderThanIntent(t *testing.T, s ledger.Store) {
	ctx := ctxOf(t)
	in := intent("retried")
	in.At = T0.Add(time.Minute)
	begin(t, s, in)
	for _, outcome := range []ledger.Outcome{ledger.OutcomeNotCreated, ledger.OutcomeUnknown} {
		e, err := s.Answer(ctx, "p", "retried", ledger.Answer{Outcome: outcome, At: T0, NextCheck: T0.Add(time.Hour)})
		require.NoError(t, err)
		assert.Equal(t, ledger.OutcomeSending, e.Outcome, "%s learnt before the intent", outcome)
		assert.Equal(t, ledger.Timestamp(in.NextCheck), e.NextCheck)
	}
	e, err := s.Answer(ctx, "p", "retried", ledger.Answer{Outcome: ledger.OutcomeCreated, At: T0, NextCheck: T0.Add(time.Hour),
		Checkout: &mfspay.Checkout{PaymentID: "pay-r", RedirectURL: "https://pay.example/p/r", Status: mfspay.StatusPending}})
	require.NoError(t, err)
	assert.Equal(t, ledger.OutcomeCreated, e.Outcome)
}

func testAnswerTransitions(t *testing.T, s ledger.Store) {
	ctx := ctxOf(t)
	unknown := ledger.Answer{Outcome: ledger.OutcomeUnknown, At: T0.Add(time.Second), NextCheck: T0.Add(time.Minute)}
	notCreated := ledger.Answer{Outcome: ledger.OutcomeNotCreated, At: T0.Add(2 * time.Second)}
	createdAns := ledger.Answer{Outcome: ledger.OutcomeCreated, At: T0.Add(3 * time.Second), NextCheck: T0.Add(4 * time.Minute),
		Checkout: &mfspay.Checkout{PaymentID: "pay-late", RedirectURL: "https://pay.example/p/late", Status: mfspay.StatusPending}}

	begin(t, s, intent("a"))
	e, err := s.Answer(ctx, "p", "a", unknown)
	require.NoError(t, err)
	assert.Equal(t, ledger.OutcomeUnknown, e.Outcome)
	assert.Equal(t, ledger.Timestamp(T0.Add(time.Minute)), e.NextCheck)
	e, err = s.Answer(ctx, "p", "a", notCreated)
	require.NoError(t, err)
	assert.Equal(t, ledger.OutcomeNotCreated, e.Outcome, "unknown is settled by proof that nothing was created")
	assert.True(t, e.NextCheck.IsZero(), "a create that never happened is never checked")
	assert.False(t, e.Open())
	e, err = s.Answer(ctx, "p", "a", unknown)
	require.NoError(t, err)
	assert.Equal(t, ledger.OutcomeNotCreated, e.Outcome, "unknown does not undo not_created")
	e, err = s.Answer(ctx, "p", "a", createdAns)
	require.NoError(t, err)
	assert.Equal(t, ledger.OutcomeCreated, e.Outcome, "a late checkout proves the payment exists")
	assert.Equal(t, "pay-late", e.PaymentID)
	assert.True(t, e.ExpiresAt.IsZero())
	assert.Equal(t, ledger.Timestamp(T0.Add(4*time.Minute)), e.NextCheck)
	for _, a := range []ledger.Answer{unknown, notCreated} {
		e, err = s.Answer(ctx, "p", "a", a)
		require.NoError(t, err)
		assert.Equal(t, ledger.OutcomeCreated, e.Outcome, "nothing replaces a checkout")
		assert.Equal(t, "pay-late", e.PaymentID)
	}
	stored, err := s.ByInvoice(ctx, "p", "a")
	require.NoError(t, err)
	assert.Equal(t, e, stored)
}

func testPaymentIDUnique(t *testing.T, s ledger.Store) {
	ctx := ctxOf(t)
	created(t, s, "inv-1", "pay-1")
	begin(t, s, intent("inv-2"))
	_, err := s.Answer(ctx, "p", "inv-2", ledger.Answer{Outcome: ledger.OutcomeCreated, At: T0,
		Checkout: &mfspay.Checkout{PaymentID: "pay-1", RedirectURL: "https://pay.example/x", Status: mfspay.StatusPending}})
	require.ErrorIs(t, err, ledger.ErrExists)
	e, err := s.ByInvoice(ctx, "p", "inv-2")
	require.NoError(t, err)
	assert.Equal(t, ledger.OutcomeSending, e.Outcome, "the refused answer changed nothing")
	_, _, err = s.Apply(ctx, change("inv-2", "pay-1", mfspay.StatusPending, time.Second))
	require.ErrorIs(t, err, ledger.ErrExists, "a change cannot give the payment id to a second entry either")
	byID, err := s.ByPaymentID(ctx, "p", "pay-1")
	require.NoError(t, err)
	assert.Equal(t, "inv-1", byID.InvoiceID)

	other := intent("inv-1")
	other.Provider = "q"
	begin(t, s, other)
	_, err = s.Answer(ctx, "q", "inv-1", ledger.Answer{Outcome: ledger.OutcomeCreated, At: T0,
		Checkout: &mfspay.Checkout{PaymentID: "pay-1", RedirectURL: "https://pay.example/x", Status: mfspay.StatusPending}})
	require.NoError(t, err, "payment ids are per provider")
}

func testApplyForward(t *testing.T, s ledger.Store) {
	ctx := ctxOf(t)
	created(t, s, "inv-1", "pay-1")
	e, effect := apply(t, s, change("inv-1", "pay-1", mfspay.StatusPending, time.Minute))
	assert.Equal(t, ledger.EffectUnchanged, effect)
	assert.Equal(t, ledger.SourceCreate, e.Source, "an unchanged status keeps how it was learnt")

	paid := change("inv-1", "pay-1", mfspay.StatusPaid, 2*time.Minute)
	e, effect = apply(t, s, paid)
	assert.Equal(t, ledger.EffectChanged, effect)
	assert.Equal(t, mfspay.StatusPaid, e.Status)
	assert.Equal(t, mfspay.Amount(25050), e.PaidAmount)
	assert.Equal(t, "TRX-pay-1", e.TrxID)
	assert.Equal(t, mfspay.MethodBKash, e.Method)
	assert.Equal(t, ledger.SourceNotification, e.Source)
	assert.Equal(t, ledger.Timestamp(paid.At), e.StatusAt)
	assert.True(t, e.NextCheck.IsZero(), "a final status is never checked again")
	assert.False(t, e.Open())

	for _, c := range []ledger.Change{paid, change("inv-1", "pay-1", mfspay.StatusPending, 3*time.Minute)} {
		got, effect := apply(t, s, c)
		assert.Contains(t, []ledger.Effect{ledger.EffectUnchanged, ledger.EffectStale}, effect)
		assert.Equal(t, e, got, "nothing moves back from paid")
	}
	_, effect = apply(t, s, change("inv-1", "pay-1", mfspay.StatusPending, 3*time.Minute))
	assert.Equal(t, ledger.EffectStale, effect)

	h, err := s.History(ctx, "p", "inv-1")
	require.NoError(t, err)
	require.Len(t, h, 1, "only the change is kept, not repeats")
	want := paid
	want.At, want.Effect = ledger.Timestamp(paid.At), ledger.EffectChanged
	assert.Equal(t, want, h[0])
}

func testApplyConflicts(t *testing.T, s ledger.Store) {
	ctx := ctxOf(t)
	created(t, s, "paid", "pay-1")
	apply(t, s, change("paid", "pay-1", mfspay.StatusPaid, time.Minute))
	e, effect := apply(t, s, change("paid", "pay-1", mfspay.StatusFailed, 2*time.Minute))
	assert.Equal(t, ledger.EffectConflict, effect, "paid is never overwritten by failed")
	assert.Equal(t, mfspay.StatusPaid, e.Status)
	h, err := s.History(ctx, "p", "paid")
	require.NoError(t, err)
	require.Len(t, h, 2)
	assert.Equal(t, ledger.EffectConflict, h[1].Effect, "the conflict is recorded")
	assert.Equal(t, mfspay.StatusFailed, h[1].Status)

	created(t, s, "expired", "pay-2")
	apply(t, s, change("expired", "pay-2", mfspay.StatusExpired, time.Minute))
	_, effect = apply(t, s, change("expired", "pay-2", mfspay.StatusCancelled, 2*time.Minute))
	assert.Equal(t, ledger.EffectConflict, effect)
	e, effect = apply(t, s, change("expired", "pay-2", mfspay.StatusPaid, 3*time.Minute))
	assert.Equal(t, ledger.EffectPaidLate, effect, "money that arrives late is never dropped")
	assert.Equal(t, mfspay.StatusPaid, e.Status)
	assert.Equal(t, "TRX-pay-2", e.TrxID)
	h, err = s.History(ctx, "p", "expired")
	require.NoError(t, err)
	var effects []ledger.Effect
	for _, c := range h {
		effects = append(effects, c.Effect)
	}
	assert.Equal(t, []ledger.Effect{ledger.EffectChanged, ledger.EffectConflict, ledger.EffectPaidLate}, effects)

	created(t, s, "other-id", "pay-3")
	e, effect = apply(t, s, change("other-id", "pay-X", mfspay.StatusPaid, time.Minute))
	assert.Equal(t, ledger.EffectConflict, effect, "a second payment id for one invoice is a conflict")
	assert.Equal(t, mfspay.StatusPending, e.Status)
	assert.Equal(t, "pay-3", e.PaymentID)
}

func testApplyLookup(t *testing.T, s ledger.Store) {
	ctx := ctxOf(t)
	created(t, s, "inv-1", "pay-1")
	e, effect := apply(t, s, change("", "pay-1", mfspay.StatusCancelled, time.Minute))
	assert.Equal(t, ledger.EffectChanged, effect, "found by payment id alone")
	assert.Equal(t, "inv-1", e.InvoiceID)

	_, _, err := s.Apply(ctx, change("", "pay-none", mfspay.StatusPaid, time.Minute))
	assert.ErrorIs(t, err, ledger.ErrNoEntry)
	_, _, err = s.Apply(ctx, change("inv-none", "", mfspay.StatusPaid, time.Minute))
	assert.ErrorIs(t, err, ledger.ErrNoEntry)

	begin(t, s, intent("lost"))
	_, err = s.Answer(ctx, "p", "lost", ledger.Answer{Outcome: ledger.OutcomeUnknown, At: T0, NextCheck: T0.Add(time.Minute)})
	require.NoError(t, err)
	e, effect = apply(t, s, change("lost", "pay-2", mfspay.StatusPending, time.Minute))
	assert.Equal(t, ledger.EffectChanged, effect)
	assert.Equal(t, ledger.OutcomeCreated, e.Outcome, "a state from the provider proves the payment exists")
	assert.Equal(t, "pay-2", e.PaymentID)
	assert.Equal(t, ledger.Timestamp(T0.Add(time.Minute)), e.NextCheck, "an open entry keeps its schedule")
	byID, err := s.ByPaymentID(ctx, "p", "pay-2")
	require.NoError(t, err)
	assert.Equal(t, e, byID)
}

func testInvalid(t *testing.T, s ledger.Store) {
	ctx := ctxOf(t)
	for name, in := range map[string]ledger.Intent{
		"no provider": {InvoiceID: "x", Amount: 1, At: T0},
		"no invoice":  {Provider: "p", Amount: 1, At: T0},
		"no amount":   {Provider: "p", InvoiceID: "x", At: T0},
		"no time":     {Provider: "p", InvoiceID: "x", Amount: 1},
	} {
		_, err := s.Begin(ctx, in)
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, name)
	}
	_, err := s.ByInvoice(ctx, "p", "x")
	assert.ErrorIs(t, err, ledger.ErrNoEntry, "nothing was written")

	created(t, s, "inv-1", "pay-1")
	for name, a := range map[string]ledger.Answer{
		"created without checkout": {Outcome: ledger.OutcomeCreated, At: T0},
		"bad outcome":              {Outcome: ledger.OutcomeSending, At: T0},
		"no time":                  {Outcome: ledger.OutcomeUnknown},
	} {
		_, err := s.Answer(ctx, "p", "inv-1", a)
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, name)
	}
	for name, c := range map[string]ledger.Change{
		"no provider":    {InvoiceID: "inv-1", Status: mfspay.StatusPaid, Amount: 1, At: T0, Source: ledger.SourceSweep},
		"no reference":   {Provider: "p", Status: mfspay.StatusPaid, Amount: 1, At: T0, Source: ledger.SourceSweep},
		"unknown status": {Provider: "p", InvoiceID: "inv-1", Status: mfspay.StatusUnknown, At: T0, Source: ledger.SourceSweep},
		"bad status":     {Provider: "p", InvoiceID: "inv-1", Status: "done", At: T0, Source: ledger.SourceSweep},
		"negative":       {Provider: "p", InvoiceID: "inv-1", Status: mfspay.StatusPaid, Amount: -1, At: T0, Source: ledger.SourceSweep},
		"no time":        {Provider: "p", InvoiceID: "inv-1", Status: mfspay.StatusPaid, Amount: 1, Source: ledger.SourceSweep},
		"no source":      {Provider: "p", InvoiceID: "inv-1", Status: mfspay.StatusPaid, Amount: 1, At: T0},
	} {
		_, _, err := s.Apply(ctx, c)
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, name)
	}
	e, err := s.ByInvoice(ctx, "p", "inv-1")
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPending, e.Status, "no invalid change was applied")
	assert.Equal(t, ledger.OutcomeCreated, e.Outcome)
	h, err := s.History(ctx, "p", "inv-1")
	require.NoError(t, err)
	assert.Empty(t, h)
}

func testClaim(t *testing.T, s ledger.Store) {
	ctx := ctxOf(t)
	for i, at := range []time.Duration{3 * time.Minute, time.Minute, 2 * time.Minute, 10 * time.Minute} {
		in := intent(fmt.Sprintf("inv-%d", i))
		in.NextCheck = T0.Add(at)
		begin(t, s, in)
	}
	created(t, s, "closed", "pay-c")
	closed, _ := apply(t, s, change("closed", "pay-c", mfspay.StatusPaid, 0))
	require.True(t, closed.NextCheck.IsZero())

	due := T0.Add(5 * time.Minute)
	until := T0.Add(15 * time.Minute)
	got, err := s.Claim(ctx, due, until, 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"inv-1", "inv-2"}, invoices(got), "earliest first, at most limit")
	for _, e := range got {
		assert.Equal(t, ledger.Timestamp(until), e.NextCheck, "claimed entries come back with their new next check")
	}
	got, err = s.Claim(ctx, due, until, 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"inv-0"}, invoices(got), "claimed entries are not due again; inv-3 is not due yet")
	got, err = s.Claim(ctx, due, until, 10)
	require.NoError(t, err)
	assert.Empty(t, got)

	require.NoError(t, s.Checked(ctx, "p", "inv-1", T0.Add(6*time.Minute), T0.Add(7*time.Minute)))
	e, err := s.ByInvoice(ctx, "p", "inv-1")
	require.NoError(t, err)
	assert.Equal(t, 1, e.Checks)
	assert.Equal(t, ledger.Timestamp(T0.Add(7*time.Minute)), e.NextCheck)
	assert.Equal(t, ledger.Timestamp(T0.Add(6*time.Minute)), e.UpdatedAt)
	got, err = s.Claim(ctx, T0.Add(10*time.Minute), until, 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"inv-1", "inv-3"}, invoices(got))

	require.NoError(t, s.Checked(ctx, "p", "inv-1", T0.Add(11*time.Minute), time.Time{}))
	require.NoError(t, s.Checked(ctx, "p", "closed", T0.Add(11*time.Minute), T0.Add(12*time.Minute)))
	got, err = s.Claim(ctx, T0.Add(time.Hour), T0.Add(2*time.Hour), 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"inv-0", "inv-2", "inv-3"}, invoices(got),
		"a check with no next one unschedules the entry, and a closed entry is never scheduled")
	assert.ErrorIs(t, s.Checked(ctx, "p", "missing", T0, T0), ledger.ErrNoEntry)
}

func testOpen(t *testing.T, s ledger.Store) {
	ctx := ctxOf(t)
	for i := range 5 {
		in := intent(fmt.Sprintf("inv-%d", i))
		in.At = T0.Add(time.Duration(i%3) * time.Minute) // ties on CreatedAt are ordered by invoice
		begin(t, s, in)
	}
	created(t, s, "paid", "pay-p")
	apply(t, s, change("paid", "pay-p", mfspay.StatusPaid, 0))
	begin(t, s, intent("never"))
	_, err := s.Answer(ctx, "p", "never", ledger.Answer{Outcome: ledger.OutcomeNotCreated, At: T0})
	require.NoError(t, err)

	var all []string
	var after ledger.Entry
	for {
		page, err := s.Open(ctx, T0.Add(2*time.Minute), after, 2)
		require.NoError(t, err)
		all = append(all, invoices(page)...)
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1]
	}
	assert.Equal(t, []string{"inv-0", "inv-3", "inv-1", "inv-4"}, all,
		"open entries created before the time, oldest first, in pages; final and never-created ones left out")
}

func testConcurrentApply(t *testing.T, s ledger.Store) {
	ctx := ctxOf(t)
	created(t, s, "inv-1", "pay-1")
	const n = 16
	effects := make([]ledger.Effect, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			st := mfspay.StatusPaid
			if i%2 == 1 {
				st = mfspay.StatusFailed
			}
			_, effect, err := s.Apply(ctx, change("inv-1", "pay-1", st, time.Minute))
			assert.NoError(t, err)
			effects[i] = effect
		})
	}
	wg.Wait()
	announced := 0
	for _, f := range effects {
		if f.Announced() {
			announced++
		}
	}
	e, err := s.ByInvoice(ctx, "p", "inv-1")
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPaid, e.Status, "paid always ends paid")
	h, err := s.History(ctx, "p", "inv-1")
	require.NoError(t, err)
	require.NotEmpty(t, h)
	assert.Equal(t, ledger.EffectChanged, h[0].Effect, "exactly one change won the race")
	if h[0].Status == mfspay.StatusPaid {
		assert.Equal(t, 1, announced, "paid won; every failed after it is a conflict")
	} else {
		assert.Equal(t, 2, announced, "failed won, then one paid arrived late")
	}
}

func testConcurrentBegin(t *testing.T, s ledger.Store) {
	ctx := ctxOf(t)
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, exists := 0, 0
	for range n {
		wg.Go(func() {
			_, err := s.Begin(ctx, intent("inv-1"))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, ledger.ErrExists):
				exists++
			default:
				t.Errorf("Begin: %v", err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, won)
	assert.Equal(t, n-1, exists)
}

func testConcurrentClaim(t *testing.T, s ledger.Store) {
	ctx := ctxOf(t)
	const entries, claimers = 40, 8
	for i := range entries {
		begin(t, s, intent(fmt.Sprintf("inv-%02d", i)))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]int{}
	for range claimers {
		wg.Go(func() {
			for {
				got, err := s.Claim(ctx, T0.Add(time.Hour), T0.Add(2*time.Hour), 3)
				if !assert.NoError(t, err) || len(got) == 0 {
					return
				}
				mu.Lock()
				for _, e := range got {
					seen[e.InvoiceID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Len(t, seen, entries)
	for inv, n := range seen {
		assert.Equal(t, 1, n, "%s claimed %d times", inv, n)
	}
}

func invoices(es []ledger.Entry) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.InvoiceID)
	}
	return out
}
