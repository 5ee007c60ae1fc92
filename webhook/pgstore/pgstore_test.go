package pgstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/internal/testserver"
	"github.com/mfspay/mfspay/webhook"
	"github.com/mfspay/mfspay/webhook/pgstore"
	"github.com/mfspay/mfspay/webhook/storetest"
)

// newPool connects to dsn for the rest of the test.
func newPool(t *testing.T, dsn string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

func newStore(t *testing.T, dsn string, opts ...pgstore.Option) *pgstore.Store {
	t.Helper()
	s, err := pgstore.New(t.Context(), newPool(t, dsn), opts...)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// TestStoreRules runs the store rules against a real PostgreSQL server, a
// fresh database for each store.
func TestStoreRules(t *testing.T) {
	t.Run("Postgres", func(t *testing.T) {
		srv := testserver.Postgres(t)
		storetest.Run(t, storetest.Harness{
			NewStore: func(t *testing.T) webhook.Store { return newStore(t, srv.NewDatabase(t)) },
			Killed: func(t *testing.T) webhook.Store {
				own := testserver.Postgres(t)
				s := newStore(t, own.NewDatabase(t))
				require.NoError(t, own.Kill())
				return s
			},
			Frozen: func(t *testing.T) webhook.Store {
				own := testserver.Postgres(t)
				s := newStore(t, own.NewDatabase(t))
				require.NoError(t, own.Freeze())
				// Killed before the pool closes: pgx gives a hung
				// connection 15 s to say goodbye.
				t.Cleanup(func() { _ = own.Kill() })
				return s
			},
		})
	})
}

func TestMigrateIsIdempotentAndSafeFromManyReplicasAtOnce(t *testing.T) {
	srv := testserver.Postgres(t)
	dsn := srv.NewDatabase(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			// Each replica has its own pool, as separate processes would.
			_, err := pgstore.New(t.Context(), newPool(t, dsn))
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	s := newStore(t, dsn)
	require.NoError(t, s.Migrate(t.Context()), "running it again changes nothing")
	res, err := s.Reserve(t.Context(), "k", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, webhook.Acquired, res.State)
}

func TestSweepDeletesOnlyExpiredRows(t *testing.T) {
	srv := testserver.Postgres(t)
	dsn := srv.NewDatabase(t)
	s := newStore(t, dsn)
	ctx := t.Context()
	const short = 200 * time.Millisecond
	for _, k := range []string{"lease-short", "mark-short"} {
		res, err := s.Reserve(ctx, k, short)
		require.NoError(t, err)
		if k == "mark-short" {
			require.NoError(t, s.Commit(ctx, k, res.Token, short))
		}
	}
	live, err := s.Reserve(ctx, "lease-live", time.Hour)
	require.NoError(t, err)
	mark, err := s.Reserve(ctx, "mark-live", time.Hour)
	require.NoError(t, err)
	require.NoError(t, s.Commit(ctx, "mark-live", mark.Token, time.Hour))
	time.Sleep(short + short/2)

	n, err := s.Sweep(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 2, n)
	var left []string
	rows, err := newPool(t, dsn).Query(ctx, "SELECT convert_from(key, 'UTF8') FROM mfspay_webhook_marks ORDER BY key")
	require.NoError(t, err)
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		left = append(left, k)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"lease-live", "mark-live"}, left)
	require.NoError(t, s.Commit(ctx, "lease-live", live.Token, time.Hour), "the live lease is untouched")
}

func TestBackgroundSweepRunsUntilClose(t *testing.T) {
	srv := testserver.Postgres(t)
	dsn := srv.NewDatabase(t)
	s, err := pgstore.New(t.Context(), newPool(t, dsn), pgstore.SweepEvery(50*time.Millisecond))
	require.NoError(t, err)
	_, err = s.Reserve(t.Context(), "k", 100*time.Millisecond)
	require.NoError(t, err)
	pool := newPool(t, dsn)
	assert.Eventually(t, func() bool {
		var n int
		return pool.QueryRow(t.Context(), "SELECT count(*) FROM mfspay_webhook_marks").Scan(&n) == nil && n == 0
	}, 10*time.Second, 20*time.Millisecond, "the expired lease is swept")
	s.Close()
	s.Close() // twice is fine
}
