// Package pgstore is a webhook.Store on PostgreSQL, for several replicas
// receiving the same provider's notifications.
//
//	pool, err := pgxpool.New(ctx, "postgres://shop@db/shop")
//	store, err := pgstore.New(ctx, pool, pgstore.SweepEvery(time.Hour))
//	defer store.Close()
//	h := webhook.New(onEvent, webhook.Route(gw), webhook.WithStore(store))
//
// # How it keeps the contract
//
// One table, mfspay_webhook_marks (schema.sql, created by New if absent),
// holds a row per event. Every transition is a single statement on that
// row, so PostgreSQL's row locks and unique index decide every race; there
// are no advisory locks and no transactions spanning a round trip:
//
//   - Reserve is INSERT … ON CONFLICT DO NOTHING, which claims a new key
//     in one plain insert; for a key that has a row, INSERT … ON CONFLICT
//     DO UPDATE … WHERE the row has expired claims it if it may, and the
//     same statement reports a key it could not claim as delivered or in
//     flight.
//   - Commit is INSERT … ON CONFLICT DO UPDATE … WHERE the row still holds
//     the committing token or has expired; no row back means another holder
//     has the key, and Commit returns webhook.ErrLeaseLost.
//   - Release is DELETE … WHERE the row holds the token's lease.
//
// Expiry is compared with the server's clock_timestamp(), so replicas
// whose clocks differ agree on when a lease ends.
//
// Expired rows stay until deleted: Sweep deletes them, and SweepEvery runs
// it in the background. The table is in the connection's search_path
// schema; choose another with search_path in the connection string.
package pgstore

import (
	"context"
	"crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mfspay/mfspay/webhook"
	"github.com/mfspay/mfspay/webhook/internal/storeargs"
)

// Schema is the migration New runs: it creates the table and its index if
// they are absent. Run it yourself if the application's role may not.
//
//go:embed schema.sql
var Schema string

// Defaults of a Store made without the matching options.
const (
	// DefaultTimeout bounds each statement.
	DefaultTimeout = 2 * time.Second
	// sweepBatch is how many expired rows one DELETE of Sweep removes, so
	// that no statement holds many row locks for long.
	sweepBatch = 5000
)

// Store is a webhook.Store on PostgreSQL. Make it with New; it is safe for
// concurrent use. Close stops its background sweep.
type Store struct {
	pool       *pgxpool.Pool
	timeout    time.Duration
	sweepEvery time.Duration

	stop     chan struct{}
	stopOnce sync.Once
	swept    sync.WaitGroup
}

// Option configures a Store.
type Option func(*Store)

// Timeout bounds each statement (default DefaultTimeout); the caller's
// context may end it sooner. Values below 1 are ignored.
func Timeout(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// SweepEvery deletes expired rows every d in the background, until Close.
// Without it (or with d below 1) nothing is swept unless Sweep is called.
// With several replicas, one sweeping is enough, but more do no harm.
func SweepEvery(d time.Duration) Option {
	return func(s *Store) { s.sweepEvery = d }
}

// New returns a store using pool, after creating its table if absent
// (Migrate).
func New(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, errors.New("pgstore: nil pool")
	}
	s := &Store{pool: pool, timeout: DefaultTimeout, stop: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	if err := s.Migrate(ctx); err != nil {
		return nil, err
	}
	if s.sweepEvery > 0 {
		s.swept.Add(1)
		go s.sweepLoop()
	}
	return s, nil
}

// Migrate creates the store's table and index if they are absent. It is
// idempotent, and safe when several replicas start at once: PostgreSQL
// may refuse one of two simultaneous CREATE TABLE IF NOT EXISTS, and
// Migrate then tries again, finding the table made.
func (s *Store) Migrate(ctx context.Context) error {
	var err error
	for range 5 {
		if _, err = s.pool.Exec(ctx, Schema); err == nil || !creationRace(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	return nil
}

// creationRace reports whether err is what a CREATE … IF NOT EXISTS returns
// when another session created the same object at the same moment: a
// unique violation in the catalog, or the relation or its row type
// existing after all.
func creationRace(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "23505" || pgErr.Code == "42P07" || pgErr.Code == "42710")
}

// Close stops the background sweep. It does not close the pool, which
// belongs to the caller.
func (s *Store) Close() {
	s.stopOnce.Do(func() { close(s.stop) })
	s.swept.Wait()
}

// reserveNewSQL takes a key nobody has: the common case, a new event, in
// one plain INSERT.
const reserveNewSQL = `
INSERT INTO mfspay_webhook_marks (key, token, delivered, expires_at)
VALUES ($1, $2, false, clock_timestamp() + $3::bigint * interval '1 millisecond')
ON CONFLICT (key) DO NOTHING`

// reserveSQL takes a key whose lease or mark has expired (or that was
// deleted meanwhile), and otherwise reports what holds it.
const reserveSQL = `
WITH claimed AS (
	INSERT INTO mfspay_webhook_marks AS m (key, token, delivered, expires_at)
	VALUES ($1, $2, false, clock_timestamp() + $3::bigint * interval '1 millisecond')
	ON CONFLICT (key) DO UPDATE
		SET token = excluded.token, delivered = false, expires_at = excluded.expires_at
		WHERE m.expires_at <= clock_timestamp()
	RETURNING true AS acquired, false AS delivered
)
SELECT acquired, delivered FROM claimed
UNION ALL
SELECT false, delivered AND expires_at > clock_timestamp() FROM mfspay_webhook_marks
WHERE key = $1 AND NOT EXISTS (SELECT FROM claimed)`

// Reserve implements webhook.Store.
func (s *Store) Reserve(ctx context.Context, key string, lease time.Duration) (webhook.Reservation, error) {
	if err := storeargs.Reserve(key, lease); err != nil {
		return webhook.Reservation{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	token := rand.Text()
	ms := max(lease.Milliseconds(), 1)
	tag, err := s.pool.Exec(ctx, reserveNewSQL, []byte(key), token, ms)
	switch {
	case err != nil:
		return webhook.Reservation{}, fmt.Errorf("pgstore: reserve: %w", err)
	case tag.RowsAffected() == 1:
		return webhook.Reservation{State: webhook.Acquired, Token: token}, nil
	}
	var acquired, delivered bool
	err = s.pool.QueryRow(ctx, reserveSQL, []byte(key), token, ms).Scan(&acquired, &delivered)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		// The row that blocked the claim was committed after this
		// statement's snapshot was taken: another delivery has just
		// reserved the key.
		return webhook.Reservation{State: webhook.InFlight}, nil
	case err != nil:
		return webhook.Reservation{}, fmt.Errorf("pgstore: reserve: %w", err)
	case acquired:
		return webhook.Reservation{State: webhook.Acquired, Token: token}, nil
	case delivered:
		return webhook.Reservation{State: webhook.Delivered}, nil
	}
	return webhook.Reservation{State: webhook.InFlight}, nil
}

const commitSQL = `
INSERT INTO mfspay_webhook_marks AS m (key, token, delivered, expires_at)
VALUES ($1, $2, true, clock_timestamp() + $3::bigint * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE
	SET token = excluded.token, delivered = true, expires_at = excluded.expires_at
	WHERE m.token = excluded.token OR m.expires_at <= clock_timestamp()
RETURNING true`

// Commit implements webhook.Store.
func (s *Store) Commit(ctx context.Context, key, token string, ttl time.Duration) error {
	if err := storeargs.Commit(key, token, ttl); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var ok bool
	err := s.pool.QueryRow(ctx, commitSQL, []byte(key), token, max(ttl.Milliseconds(), 1)).Scan(&ok)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return webhook.ErrLeaseLost
	case err != nil:
		return fmt.Errorf("pgstore: commit: %w", err)
	}
	return nil
}

const releaseSQL = `DELETE FROM mfspay_webhook_marks WHERE key = $1 AND token = $2 AND NOT delivered`

// Release implements webhook.Store.
func (s *Store) Release(ctx context.Context, key, token string) error {
	if err := storeargs.Release(key, token); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if _, err := s.pool.Exec(ctx, releaseSQL, []byte(key), token); err != nil {
		return fmt.Errorf("pgstore: release: %w", err)
	}
	return nil
}

// sweepSQL deletes a batch of expired rows. The outer expiry test is checked
// again on a row another session updated meanwhile, so a lease that
// reclaimed an expired row is never deleted.
const sweepSQL = `
DELETE FROM mfspay_webhook_marks
WHERE key IN (SELECT key FROM mfspay_webhook_marks WHERE expires_at <= clock_timestamp() LIMIT $1)
	AND expires_at <= clock_timestamp()`

// Sweep deletes every expired lease and mark, in batches, and returns how
// many rows it deleted. Each batch is bounded by the store's timeout; ctx
// bounds the whole.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	var total int64
	for {
		bctx, cancel := context.WithTimeout(ctx, s.timeout)
		tag, err := s.pool.Exec(bctx, sweepSQL, sweepBatch)
		cancel()
		if err != nil {
			return total, fmt.Errorf("pgstore: sweep: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < sweepBatch {
			return total, nil
		}
	}
}

func (s *Store) sweepLoop() {
	defer s.swept.Done()
	tick := time.NewTicker(s.sweepEvery)
	defer tick.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.stop
		cancel()
	}()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			// A failed sweep is retried at the next tick; expired rows are
			// ignored by every statement meanwhile.
			_, _ = s.Sweep(ctx)
		}
	}
}
