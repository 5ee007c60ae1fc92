// Package sqlstore is the ledger.Store of the SQL backends, written once
// over database/sql; ledger/sqlite and ledger/postgres give it their
// dialect and schema. Each write is one transaction that reads the entry
// (locking it where the database locks rows), applies the ledger's rule and
// writes the result back.
//
// Times are stored as microseconds since the Unix epoch (0 for "not set"),
// amounts as integer poisha, so both backends share one schema and one
// reading of it.
package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/ledger"
)

// Dialect is what differs between databases.
type Dialect struct {
	// Name prefixes errors: "ledger/sqlite".
	Name string
	// Migrations holds the schema scripts as migrations/*.sql, numbered so
	// that name order is version order: the i-th is version i. Each runs
	// once, in a transaction, as one Exec.
	Migrations fs.FS
	// LockMigrations, when set, runs first in the migration transaction so
	// that processes starting together migrate one at a time.
	LockMigrations string
	// ForUpdate is appended to row reads inside write transactions, and
	// SkipLocked to Claim's choice of rows ("" where the database locks
	// the whole file for a write, as SQLite does).
	ForUpdate, SkipLocked string
	// Numbered turns "?" placeholders into "$1", "$2"…
	Numbered bool
	// IsUniqueViolation recognises a unique index refusing a write.
	IsUniqueViolation func(error) bool
}

// Store is a ledger.Store on a database/sql handle.
type Store struct {
	db *sql.DB
	d  Dialect
	q  queries
}

var _ ledger.Store = (*Store)(nil)

// New brings the schema up to date and returns the store.
func New(ctx context.Context, db *sql.DB, d Dialect) (*Store, error) {
	s := &Store{db: db, d: d, q: newQueries(d)}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) errorf(format string, args ...any) error {
	return fmt.Errorf(s.d.Name+": "+format, args...)
}

// migrate applies the migrations not applied yet, each once, under the
// dialect's lock.
func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(s.d.Migrations, "migrations/*.sql") // sorted
	if err != nil {
		return s.errorf("listing the migrations: %w", err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if s.d.LockMigrations != "" {
			if _, err := tx.ExecContext(ctx, s.d.LockMigrations); err != nil {
				return s.errorf("locking the migrations: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS mfspay_ledger_migrations (
			version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
			return s.errorf("creating the migrations table: %w", err)
		}
		for i, name := range names {
			version := i + 1
			var one int
			err := tx.QueryRowContext(ctx, s.q.rebind(`SELECT 1 FROM mfspay_ledger_migrations WHERE version = ?`), version).Scan(&one)
			if err == nil {
				continue
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return s.errorf("reading the migrations: %w", err)
			}
			script, err := fs.ReadFile(s.d.Migrations, name)
			if err != nil {
				return s.errorf("reading migration %d: %w", version, err)
			}
			if _, err := tx.ExecContext(ctx, string(script)); err != nil {
				return s.errorf("migration %d: %w", version, err)
			}
			if _, err := tx.ExecContext(ctx, s.q.rebind(`INSERT INTO mfspay_ledger_migrations (version, applied_at) VALUES (?, ?)`),
				version, time.Now().UnixMicro()); err != nil {
				return s.errorf("recording migration %d: %w", version, err)
			}
		}
		return nil
	})
}

// write runs fn in a transaction and commits it when fn succeeds.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.errorf("beginning a transaction: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.errorf("committing: %w", err)
	}
	return nil
}

// Begin implements ledger.Store.
func (s *Store) Begin(ctx context.Context, in ledger.Intent) (ledger.Entry, error) {
	if err := in.Validate(); err != nil {
		return ledger.Entry{}, err
	}
	e := ledger.NewEntry(in)
	var old ledger.Entry
	var exists bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.insert, entryArgs(e)...)
		if err != nil {
			return s.errorf("recording an intent: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return s.errorf("recording an intent: %w", err)
		}
		if n == 1 {
			return nil
		}
		if old, err = s.lock(ctx, tx, s.q.lockByInvoice, in.Provider, in.InvoiceID); err != nil {
			return err
		}
		if old.Outcome != ledger.OutcomeNotCreated {
			exists = true
			return nil
		}
		return s.update(ctx, tx, e)
	})
	switch {
	case err != nil:
		return ledger.Entry{}, err
	case exists:
		return old, fmt.Errorf("%w: invoice %q at %s", ledger.ErrExists, in.InvoiceID, in.Provider)
	}
	return readBack(e), nil
}

// Answer implements ledger.Store.
func (s *Store) Answer(ctx context.Context, provider, invoiceID string, a ledger.Answer) (ledger.Entry, error) {
	if err := a.Validate(); err != nil {
		return ledger.Entry{}, err
	}
	var out ledger.Entry
	err := s.write(ctx, func(tx *sql.Tx) error {
		e, err := s.lock(ctx, tx, s.q.lockByInvoice, provider, invoiceID)
		if err != nil {
			return err
		}
		next, changed := e.WithAnswer(a)
		out = e
		if !changed {
			return nil
		}
		out = next
		return s.update(ctx, tx, next)
	})
	if err != nil {
		return ledger.Entry{}, err
	}
	return readBack(out), nil
}

// Apply implements ledger.Store.
func (s *Store) Apply(ctx context.Context, c ledger.Change) (ledger.Entry, ledger.Effect, error) {
	if err := c.Validate(); err != nil {
		return ledger.Entry{}, "", err
	}
	var out ledger.Entry
	var effect ledger.Effect
	err := s.write(ctx, func(tx *sql.Tx) error {
		query, key := s.q.lockByInvoice, c.InvoiceID
		if key == "" {
			query, key = s.q.lockByPayment, c.PaymentID
		}
		e, err := s.lock(ctx, tx, query, c.Provider, key)
		if err != nil {
			return err
		}
		var next ledger.Entry
		next, effect = e.WithChange(c)
		out = e
		if effect != ledger.EffectStale && effect != ledger.EffectConflict {
			if err := s.update(ctx, tx, next); err != nil {
				return err
			}
			out = next
		}
		if !effect.Announced() && effect != ledger.EffectConflict {
			return nil
		}
		_, err = tx.ExecContext(ctx, s.q.insertChange, e.Provider, e.InvoiceID, c.PaymentID, string(c.Status),
			int64(c.Amount), c.TrxID, string(c.Method), micros(c.At), string(c.Source), string(effect))
		if err != nil {
			return s.errorf("recording a change: %w", err)
		}
		return nil
	})
	if err != nil {
		return ledger.Entry{}, "", err
	}
	return readBack(out), effect, nil
}

// ByInvoice implements ledger.Store.
func (s *Store) ByInvoice(ctx context.Context, provider, invoiceID string) (ledger.Entry, error) {
	return s.one(ctx, s.q.byInvoice, provider, invoiceID)
}

// ByPaymentID implements ledger.Store.
func (s *Store) ByPaymentID(ctx context.Context, provider, paymentID string) (ledger.Entry, error) {
	if paymentID == "" {
		return ledger.Entry{}, fmt.Errorf("%w: empty payment id at %s", ledger.ErrNoEntry, provider)
	}
	return s.one(ctx, s.q.byPayment, provider, paymentID)
}

// Claim implements ledger.Store.
func (s *Store) Claim(ctx context.Context, due, until time.Time, limit int) ([]ledger.Entry, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, s.q.claim, micros(ledger.Timestamp(until)), micros(ledger.Timestamp(due)), limit)
	if err != nil {
		return nil, s.errorf("claiming due entries: %w", err)
	}
	out, err := s.all(rows)
	slices.SortFunc(out, func(a, b ledger.Entry) int { // RETURNING follows no order
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.InvoiceID, b.InvoiceID))
	})
	return out, err
}

// Checked implements ledger.Store.
func (s *Store) Checked(ctx context.Context, provider, invoiceID string, at, next time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		e, err := s.lock(ctx, tx, s.q.lockByInvoice, provider, invoiceID)
		if err != nil {
			return err
		}
		return s.update(ctx, tx, e.WithCheck(at, next))
	})
}

// Open implements ledger.Store.
func (s *Store) Open(ctx context.Context, createdBefore time.Time, after ledger.Entry, limit int) ([]ledger.Entry, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, s.q.open, micros(ledger.Timestamp(createdBefore)),
		micros(ledger.Timestamp(after.CreatedAt)), after.Provider, after.InvoiceID, limit)
	if err != nil {
		return nil, s.errorf("listing open entries: %w", err)
	}
	return s.all(rows)
}

// History implements ledger.Store.
func (s *Store) History(ctx context.Context, provider, invoiceID string) ([]ledger.Change, error) {
	rows, err := s.db.QueryContext(ctx, s.q.history, provider, invoiceID)
	if err != nil {
		return nil, s.errorf("reading the history: %w", err)
	}
	defer rows.Close()
	var out []ledger.Change
	for rows.Next() {
		var c ledger.Change
		var status, method, source, effect string
		var amount, at int64
		if err := rows.Scan(&c.Provider, &c.InvoiceID, &c.PaymentID, &status, &amount, &c.TrxID, &method,
			&at, &source, &effect); err != nil {
			return nil, s.errorf("reading the history: %w", err)
		}
		c.Status, c.Amount, c.Method = mfspay.Status(status), mfspay.Amount(amount), mfspay.Method(method)
		c.At, c.Source, c.Effect = fromMicros(at), ledger.Source(source), ledger.Effect(effect)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("reading the history: %w", err)
	}
	return out, nil
}

// lock reads one entry for update inside tx.
func (s *Store) lock(ctx context.Context, tx *sql.Tx, query, provider, key string) (ledger.Entry, error) {
	e, err := scanEntry(tx.QueryRowContext(ctx, query, provider, key))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("%w: %q at %s", ledger.ErrNoEntry, key, provider)
	}
	if err != nil {
		return e, s.errorf("reading an entry: %w", err)
	}
	return e, nil
}

// update writes every field of e back to its row.
func (s *Store) update(ctx context.Context, tx *sql.Tx, e ledger.Entry) error {
	args := append(entryArgs(e)[2:], e.Provider, e.InvoiceID)
	if _, err := tx.ExecContext(ctx, s.q.update, args...); err != nil {
		if s.d.IsUniqueViolation(err) {
			return fmt.Errorf("%w: payment %q at %s belongs to another invoice", ledger.ErrExists, e.PaymentID, e.Provider)
		}
		return s.errorf("writing an entry: %w", err)
	}
	return nil
}

func (s *Store) one(ctx context.Context, query, provider, key string) (ledger.Entry, error) {
	e, err := scanEntry(s.db.QueryRowContext(ctx, query, provider, key))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("%w: %q at %s", ledger.ErrNoEntry, key, provider)
	}
	if err != nil {
		return e, s.errorf("reading an entry: %w", err)
	}
	return e, nil
}

func (s *Store) all(rows *sql.Rows) ([]ledger.Entry, error) {
	defer rows.Close()
	var out []ledger.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, s.errorf("reading entries: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("reading entries: %w", err)
	}
	return out, nil
}

// entryColumns lists the entry's columns in the order entryArgs gives and
// scanEntry reads them.
const entryColumns = `provider, invoice_id, amount, fingerprint, created_at, outcome, payment_id, redirect_url,
	expires_at, status, paid_amount, trx_id, method, status_at, source, next_check, checks, updated_at`

func entryArgs(e ledger.Entry) []any {
	return []any{e.Provider, e.InvoiceID, int64(e.Amount), e.Fingerprint, micros(e.CreatedAt), string(e.Outcome),
		e.PaymentID, e.RedirectURL, micros(e.ExpiresAt), string(e.Status), int64(e.PaidAmount), e.TrxID,
		string(e.Method), micros(e.StatusAt), string(e.Source), micros(e.NextCheck), int64(e.Checks), micros(e.UpdatedAt)}
}

type scanner interface{ Scan(dest ...any) error }

func scanEntry(row scanner) (ledger.Entry, error) {
	var e ledger.Entry
	var outcome, status, method, source string
	var amount, paid, checks, created, expires, statusAt, next, updated int64
	err := row.Scan(&e.Provider, &e.InvoiceID, &amount, &e.Fingerprint, &created, &outcome, &e.PaymentID,
		&e.RedirectURL, &expires, &status, &paid, &e.TrxID, &method, &statusAt, &source, &next, &checks, &updated)
	if err != nil {
		return ledger.Entry{}, err
	}
	e.Amount, e.PaidAmount, e.Checks = mfspay.Amount(amount), mfspay.Amount(paid), int(checks)
	e.Outcome, e.Status, e.Method, e.Source = ledger.Outcome(outcome), mfspay.Status(status), mfspay.Method(method), ledger.Source(source)
	e.CreatedAt, e.ExpiresAt, e.StatusAt = fromMicros(created), fromMicros(expires), fromMicros(statusAt)
	e.NextCheck, e.UpdatedAt = fromMicros(next), fromMicros(updated)
	return e, nil
}

// readBack is e as a read of its row returns it.
func readBack(e ledger.Entry) ledger.Entry {
	for _, t := range []*time.Time{&e.CreatedAt, &e.ExpiresAt, &e.StatusAt, &e.NextCheck, &e.UpdatedAt} {
		*t = ledger.Timestamp(*t)
	}
	return e
}

// micros stores t: microseconds since the epoch, 0 for the zero time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// queries are the statements, in the dialect's placeholders.
type queries struct {
	numbered                                            bool
	insert, update, byInvoice, byPayment, claim, open   string
	lockByInvoice, lockByPayment, insertChange, history string
}

func newQueries(d Dialect) queries {
	q := queries{numbered: d.Numbered}
	const table = ` FROM mfspay_ledger_entries `
	sel := `SELECT ` + entryColumns + table
	q.insert = q.rebind(`INSERT INTO mfspay_ledger_entries (` + entryColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (provider, invoice_id) DO NOTHING`)
	q.update = q.rebind(`UPDATE mfspay_ledger_entries SET amount = ?, fingerprint = ?, created_at = ?, outcome = ?,
		payment_id = ?, redirect_url = ?, expires_at = ?, status = ?, paid_amount = ?, trx_id = ?, method = ?,
		status_at = ?, source = ?, next_check = ?, checks = ?, updated_at = ?
		WHERE provider = ? AND invoice_id = ?`)
	q.byInvoice = q.rebind(sel + `WHERE provider = ? AND invoice_id = ?`)
	q.byPayment = q.rebind(sel + `WHERE provider = ? AND payment_id = ? AND payment_id <> ''`)
	q.lockByInvoice = q.byInvoice + d.ForUpdate
	q.lockByPayment = q.byPayment + d.ForUpdate
	q.claim = q.rebind(`UPDATE mfspay_ledger_entries SET next_check = ?
		WHERE (provider, invoice_id) IN (SELECT provider, invoice_id` + table + `
			WHERE next_check > 0 AND next_check <= ?
			ORDER BY next_check, provider, invoice_id LIMIT ?` + d.SkipLocked + `)
		RETURNING ` + entryColumns)
	q.open = q.rebind(sel + `WHERE outcome <> 'not_created' AND status NOT IN ('paid', 'failed', 'cancelled', 'expired')
		AND created_at < ? AND (created_at, provider, invoice_id) > (?, ?, ?)
		ORDER BY created_at, provider, invoice_id LIMIT ?`)
	q.insertChange = q.rebind(`INSERT INTO mfspay_ledger_changes
		(provider, invoice_id, payment_id, status, amount, trx_id, method, at, source, effect)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	q.history = q.rebind(`SELECT provider, invoice_id, payment_id, status, amount, trx_id, method, at, source, effect
		FROM mfspay_ledger_changes WHERE provider = ? AND invoice_id = ? ORDER BY id`)
	return q
}

// rebind numbers the "?" placeholders of query for databases that want
// "$1", "$2"… (none of the queries holds a "?" anywhere else).
func (q queries) rebind(query string) string {
	if !q.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, part := range strings.SplitAfter(query, "?") {
		if before, found := strings.CutSuffix(part, "?"); found {
			n++
			b.WriteString(before + "$" + strconv.Itoa(n))
			continue
		}
		b.WriteString(part)
	}
	return b.String()
}
