package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mfspay/mfspay/internal/testserver"
	"github.com/mfspay/mfspay/webhook"
	"github.com/mfspay/mfspay/webhook/internal/storebench"
	"github.com/mfspay/mfspay/webhook/redisstore"
)

// BenchmarkRedisStore measures the store on a real redis-server on
// loopback: events/s through the webhook handler (next to the in-process
// MemoryStore), and reserve+commit against a bare SET NX PX to the same
// server, alternating in one loop (see BENCHMARKS.md).
func BenchmarkRedisStore(b *testing.B) {
	srv := testserver.Redis(b)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true, PoolSize: 64})
	b.Cleanup(func() { client.Close() })
	store, err := redisstore.New(client)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Handler/Memory", func(b *testing.B) { storebench.Handler(b, webhook.NewMemoryStore(), 16) })
	b.Run("Handler/Redis", func(b *testing.B) { storebench.Handler(b, store, 16) })
	b.Run("ReserveCommitVsSETNX", func(b *testing.B) {
		storebench.Paired(b, store, func(ctx context.Context, key string) error {
			return client.SetNX(ctx, key, "x", time.Minute).Err()
		})
	})
}
