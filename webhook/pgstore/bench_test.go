package pgstore_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mfspay/mfspay/internal/testserver"
	"github.com/mfspay/mfspay/webhook"
	"github.com/mfspay/mfspay/webhook/internal/storebench"
	"github.com/mfspay/mfspay/webhook/pgstore"
)

// BenchmarkPostgresStore measures the store on a real PostgreSQL on
// loopback: events/s through the webhook handler (next to the in-process
// MemoryStore), and reserve+commit against a bare single-row INSERT into a
// table keyed the same way, alternating in one loop (see BENCHMARKS.md).
func BenchmarkPostgresStore(b *testing.B) {
	srv := testserver.Postgres(b)
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(srv.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 32
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	store, err := pgstore.New(ctx, pool)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "CREATE TABLE bench_bare (key bytea PRIMARY KEY, token text NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	b.Run("Handler/Memory", func(b *testing.B) { storebench.Handler(b, webhook.NewMemoryStore(), 16) })
	b.Run("Handler/Postgres", func(b *testing.B) { storebench.Handler(b, store, 16) })
	b.Run("ReserveCommitVsINSERT", func(b *testing.B) {
		storebench.Paired(b, store, func(ctx context.Context, key string) error {
			_, err := pool.Exec(ctx, "INSERT INTO bench_bare (key, token) VALUES ($1, 'x')", []byte(key))
			return err
		})
	})
}
