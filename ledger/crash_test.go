package ledger_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/ledger/ledgertest"
	"github.com/mfspay/mfspay/ledger/sqlite"
	"github.com/mfspay/mfspay/providers/wezopay"
)

func openSQLite(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	return s
}

// The process dies between sending a create and recording its answer.
// After a restart on the same SQLite file the intent is found, settled by
// invoice at WezoPay and swept like any payment; no second payment is ever
// made for the invoice.
func TestIntentLeftByADeadProcessIsReconciledAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	first := openSQLite(t, path)
	e := newEnv(t, first)

	// Process 1 records the intent and sends the create, then dies before
	// recording the answer.
	dying := ledger.Record(e.gw, dyingStore{first}, ledger.WithClock(e.clock), ledger.WithSchedule(testSchedule))
	co, err := dying.CreatePayment(e.ctx, request("inv-crash"))
	require.NoError(t, err, "the payment exists, so its checkout is returned")
	require.NoError(t, first.Close())

	// Process 2 starts on the same file.
	second := openSQLite(t, path)
	t.Cleanup(func() { second.Close() })
	e.store = second
	e.cfg.Store = second
	e.rec = ledger.Record(e.gw, second, ledger.WithClock(e.clock), ledger.WithSchedule(testSchedule))
	en := e.entry("inv-crash")
	assert.Equal(t, ledger.OutcomeSending, en.Outcome, "the intent survived; its answer did not")
	assert.Empty(t, en.PaymentID)

	_, err = e.rec.CreatePayment(e.ctx, request("inv-crash"))
	assert.ErrorIs(t, err, mfspay.ErrOutcomeUnknown, "while the create may still be running, nothing is sent")

	r := e.reconciler()
	e.clock.Advance(testSchedule.IntentTimeout)
	rep := e.sweep(r)
	assert.Equal(t, 1, rep.Verifies)
	en = e.entry("inv-crash")
	assert.Equal(t, ledger.OutcomeCreated, en.Outcome, "found by invoice")
	assert.Equal(t, co.PaymentID, en.PaymentID)
	assert.Equal(t, mfspay.StatusPending, en.Status)
	assert.Zero(t, e.deliver.count(), "pending is not announced")

	_, err = e.rec.CreatePayment(e.ctx, request("inv-crash"))
	assert.ErrorIs(t, err, mfspay.ErrDuplicate, "the payment exists; its page was never recorded")

	require.NoError(t, e.sim.Pay(e.ctx, co.PaymentID, simctl.Payer{}))
	e.clock.Advance(testSchedule.MaxInterval)
	e.sweep(r)
	assert.Equal(t, mfspay.StatusPaid, e.entry("inv-crash").Status)
	assert.Equal(t, 1, e.deliver.byType()[mfspay.EventPaymentCompleted])

	n, err := e.sim.PaymentCount(e.ctx, "inv-crash")
	require.NoError(t, err)
	assert.Equal(t, 1, n, "one payment for the invoice at the provider")
}

// The process dies after recording the intent but before sending. After a
// restart, a create for the invoice asks WezoPay first, finds nothing and
// creates the one payment.
func TestIntentNeverSentIsCreatedOnceAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	first := openSQLite(t, path)
	_, err := first.Begin(context.Background(), ledger.Intent{Provider: wezopay.ProviderName, InvoiceID: "inv-unsent",
		Amount: mfspay.Taka(250), Fingerprint: "x", At: ledgertest.T0, NextCheck: ledgertest.T0.Add(testSchedule.IntentTimeout)})
	require.NoError(t, err)
	require.NoError(t, first.Close())

	second := openSQLite(t, path)
	t.Cleanup(func() { second.Close() })
	e := newEnv(t, second)
	e.clock.Advance(testSchedule.IntentTimeout)
	co, err := e.rec.CreatePayment(e.ctx, request("inv-unsent"))
	require.NoError(t, err)
	en := e.entry("inv-unsent")
	assert.Equal(t, co.PaymentID, en.PaymentID)
	assert.Equal(t, ledger.Fingerprint(wezopay.ProviderName, request("inv-unsent")), en.Fingerprint)
	n, err := e.sim.PaymentCount(e.ctx, "inv-unsent")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}
