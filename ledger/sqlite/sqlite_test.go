package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/ledger/ledgertest"
	"github.com/mfspay/mfspay/ledger/sqlite"
)

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteRules(t *testing.T) {
	ledgertest.Run(t, func(t *testing.T) ledger.Store {
		return open(t, filepath.Join(t.TempDir(), "ledger.db"))
	})
}

func TestSQLiteKeepsEntriesAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dir with spaces", "led?ger#1.db")
	require.Error(t, func() error { _, err := sqlite.Open(ctx, path); return err }(), "the directory must exist")
	path = filepath.Join(t.TempDir(), "led?ger #1.db")

	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	in := ledger.Intent{Provider: "p", InvoiceID: "inv-1", Amount: 100, Fingerprint: "fp", At: ledgertest.T0,
		NextCheck: ledgertest.T0.Add(time.Minute)}
	_, err = s.Begin(ctx, in)
	require.NoError(t, err)
	_, _, err = s.Apply(ctx, ledger.Change{Provider: "p", InvoiceID: "inv-1", PaymentID: "pay-1",
		Status: mfspay.StatusPaid, Amount: 100, At: ledgertest.T0, Source: ledger.SourceSweep})
	require.NoError(t, err)
	want, err := s.ByInvoice(ctx, "p", "inv-1")
	require.NoError(t, err)
	require.NoError(t, s.Close())

	again := open(t, path) // the migrations run again, and change nothing
	got, err := again.ByPaymentID(ctx, "p", "pay-1")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	h, err := again.History(ctx, "p", "inv-1")
	require.NoError(t, err)
	assert.Len(t, h, 1)
}

// The application's own tables live in the ledger's file, on the same
// handle, and its read-then-write transactions from several goroutines
// wait for each other rather than fail.
func TestSQLiteSharesItsFileWithTheApplication(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "shop.db"))
	db := s.DB()
	_, err := db.ExecContext(ctx, `CREATE TABLE orders (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO orders VALUES ('o1', 0)`)
	require.NoError(t, err)

	const writers, each = 4, 25
	errs := make(chan error, writers)
	for range writers {
		go func() {
			for range each {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					errs <- err
					return
				}
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT n FROM orders WHERE id = 'o1'`).Scan(&n); err != nil {
					tx.Rollback()
					errs <- err
					return
				}
				if _, err := tx.ExecContext(ctx, `UPDATE orders SET n = ? WHERE id = 'o1'`, n+1); err != nil {
					tx.Rollback()
					errs <- err
					return
				}
				if err := tx.Commit(); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range writers {
		require.NoError(t, <-errs)
	}
	var n int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT n FROM orders WHERE id = 'o1'`).Scan(&n))
	assert.Equal(t, writers*each, n, "no lost update")

	_, err = s.Begin(ctx, ledger.Intent{Provider: "p", InvoiceID: "inv-1", Amount: 100, At: ledgertest.T0})
	assert.NoError(t, err, "the ledger works beside the application's table")
}
