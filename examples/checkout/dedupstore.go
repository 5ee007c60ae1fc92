package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/mfspay/mfspay/webhook"
	"github.com/mfspay/mfspay/webhook/pgstore"
	"github.com/mfspay/mfspay/webhook/redisstore"
)

// storeKind names what a -store value selects: "memory", "redis" or
// "postgres", or an error for anything else.
func storeKind(spec string) (string, error) {
	switch {
	case spec == "" || spec == "memory":
		return "memory", nil
	case strings.HasPrefix(spec, "redis://"), strings.HasPrefix(spec, "rediss://"):
		return "redis", nil
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return "postgres", nil
	}
	return "", errors.New(`-store takes "memory", a redis:// URL or a postgres:// URL`)
}

// openStore connects a new client to the de-duplication store spec names
// (not "memory") and returns the store and what closes its client. Each
// replica calls it for a client of its own, as separate processes would.
// Errors never quote the URL, which may hold a password.
func openStore(ctx context.Context, spec string) (webhook.Store, func(), error) {
	kind, err := storeKind(spec)
	if err != nil {
		return nil, nil, err
	}
	switch kind {
	case "redis":
		opts, err := redis.ParseURL(spec)
		if err != nil {
			return nil, nil, errors.New("-store: not a valid redis:// URL")
		}
		// A hung Redis must not hold a webhook request, and the handler
		// retries commits itself: few retries of go-redis's own.
		opts.ContextTimeoutEnabled, opts.MaxRetries, opts.DialerRetries = true, 1, 1
		client := redis.NewClient(opts)
		if err := client.Ping(ctx).Err(); err != nil {
			client.Close()
			return nil, nil, fmt.Errorf("-store: Redis at %s does not answer: %w", opts.Addr, err)
		}
		s, err := redisstore.New(client)
		if err != nil {
			client.Close()
			return nil, nil, err
		}
		return s, func() { client.Close() }, nil
	case "postgres":
		cfg, err := pgxpool.ParseConfig(spec)
		if err != nil {
			return nil, nil, errors.New("-store: not a valid postgres:// URL")
		}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, nil, fmt.Errorf("-store: connecting to PostgreSQL: %w", err)
		}
		s, err := pgstore.New(ctx, pool)
		if err != nil {
			pool.Close()
			return nil, nil, err
		}
		return s, pool.Close, nil
	}
	return webhook.NewMemoryStore(), func() {}, nil
}

// redactedStore is spec for printing: a URL without its password.
func redactedStore(spec string) string {
	u, err := url.Parse(spec)
	if err != nil || u.Scheme == "" {
		return "memory"
	}
	return u.Redacted()
}
