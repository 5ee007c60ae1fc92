package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/internal/testserver"
)

// TestDemoWithReplicas runs the scripted demo against three shop replicas
// behind the round-robin proxy, for each kind of shared store, and checks
// the delivered events' marks landed in the shared store.
func TestDemoWithReplicas(t *testing.T) {
	t.Run("Memory", func(t *testing.T) {
		a := startTestApp(t, appConfig{Replicas: 3})
		require.Len(t, a.replicaURLs, 3)
		requireDemoPaid(t, a, "in-process")
	})
	t.Run("Redis", func(t *testing.T) {
		srv := testserver.Redis(t)
		a := startTestApp(t, appConfig{Store: srv.URL(), Replicas: 3})
		requireDemoPaid(t, a, "in-process")
		client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		defer client.Close()
		keys, err := client.Keys(context.Background(), "mfspay:webhook:*").Result()
		require.NoError(t, err)
		delivered := 0
		for _, k := range keys {
			if v, _ := client.Get(context.Background(), k).Result(); strings.HasPrefix(v, "done:") {
				delivered++
			}
		}
		assert.GreaterOrEqual(t, delivered, 4, "each purchase's completion is marked in Redis: %v", keys)
	})
	t.Run("Postgres", func(t *testing.T) {
		srv := testserver.Postgres(t)
		dsn := srv.NewDatabase(t)
		// The orders and the ledger are in PostgreSQL too.
		a := startTestApp(t, appConfig{Store: dsn, DB: dsn, Replicas: 3})
		assert.True(t, a.db.postgres)
		requireDemoPaid(t, a, "in-process")
		conn, err := pgx.Connect(context.Background(), dsn)
		require.NoError(t, err)
		defer conn.Close(context.Background())
		var delivered, orders, paid int
		require.NoError(t, conn.QueryRow(context.Background(),
			"SELECT count(*) FROM mfspay_webhook_marks WHERE delivered").Scan(&delivered))
		assert.GreaterOrEqual(t, delivered, 4, "each purchase's completion is marked in PostgreSQL")
		require.NoError(t, conn.QueryRow(context.Background(), "SELECT count(*) FROM checkout_orders").Scan(&orders))
		assert.Equal(t, 4, orders)
		require.NoError(t, conn.QueryRow(context.Background(),
			"SELECT count(*) FROM mfspay_ledger_entries WHERE status = 'paid'").Scan(&paid))
		assert.Equal(t, 4, paid, "the ledger in PostgreSQL holds the four payments, paid")
	})
}

func TestStoreAndReplicasFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-store", "mysql://shop@db/shop"},
		{"-replicas", "0"},
		{"-replicas", "17"},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), args, &bytes.Buffer{}, &stderr, func(string) string { return "" })
		assert.Equal(t, 2, code, "%v", args)
		assert.Contains(t, stderr.String(), "-store takes memory", "%v", args)
	}
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"-demo", "-store", "redis://:s3cret-pass@127.0.0.1:1/0"},
		&bytes.Buffer{}, &stderr, func(string) string { return "" })
	assert.Equal(t, 1, code, "an unreachable store fails the start")
	assert.Contains(t, stderr.String(), "does not answer")
	assert.NotContains(t, stderr.String(), "s3cret-pass", "the store's password never reaches the output")
}

func TestRedactedStoreHidesThePassword(t *testing.T) {
	assert.Equal(t, "postgres://shop:xxxxx@db/shop", redactedStore("postgres://shop:hunter2@db/shop"))
	assert.Equal(t, "redis://127.0.0.1:6379/0", redactedStore("redis://127.0.0.1:6379/0"))
}

// An unreachable -db PostgreSQL fails the start without printing its
// password.
func TestUnreachableDatabaseHidesThePassword(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"-demo", "-db", "postgres://shop:s3cret-db-pass@127.0.0.1:1/shop?sslmode=disable&connect_timeout=1"},
		&bytes.Buffer{}, &stderr, func(string) string { return "" })
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "-db")
	assert.NotContains(t, stderr.String(), "s3cret-db-pass")
}
