// Package redisstore is a webhook.Store on Redis, for several replicas
// receiving the same provider's notifications.
//
//	client := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true})
//	store, err := redisstore.New(client)
//	h := webhook.New(onEvent, webhook.Route(gw), webhook.WithStore(store))
//
// # How it keeps the contract
//
// Each event is one key, PREFIX+"provider/eventID", and every transition is
// one atomic command on it, so no two replicas can interleave inside one:
//
//   - Reserve is SET key token NX PX lease GET: it takes the lease if the key
//     is free and otherwise returns what holds it: "done:…" (Delivered) or
//     another token (InFlight).
//   - Commit is a script that sets "done:"+token with the TTL only if the key
//     is absent, holds token's lease, or holds token's own mark; otherwise
//     it changes nothing and Commit returns webhook.ErrLeaseLost.
//   - Release is a compare-and-delete script: it deletes the key only if it
//     still holds token's lease.
//
// Expiry is Redis's own (PX), measured by the server's clock.
//
// # Requirements
//
// Redis 7.0 or later (SET with both NX and GET), or a compatible server
// (Valkey). The client must honour context deadlines (ContextTimeoutEnabled
// in go-redis's options): otherwise a hung server holds every webhook
// request for the client's read timeout times its retries, and New refuses
// such a client. Every call is bounded by Timeout as well.
//
// Keep go-redis's own retries low (MaxRetries: 1, DialerRetries: 1): the
// webhook handler retries a failed commit or release itself, and answers a
// failed reservation 503 so the provider retries. With go-redis's defaults,
// a call to a server that is down spends its whole timeout redialling, and
// the provider waits for its 503 that long.
//
// Sentinel and Cluster: pass the client go-redis makes for them
// (NewFailoverClient, NewClusterClient, or NewUniversalClient). The store
// touches one key per command and script, so any hash slot serves; keys need
// no hash tags. With Sentinel, a failover may lose the writes the old
// primary had not replicated: a lost lease lets a re-delivery in early, a
// lost mark lets a later re-delivery through; both deliver an event twice,
// which is why callbacks must be idempotent.
//
// Durability: a mark lives as long as the server keeps its data. Run Redis
// with appendonly yes so that a restart does not forget which events were
// delivered; appendfsync always also survives a crash of the machine, at
// some cost per write, where everysec may lose the last second.
package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mfspay/mfspay/webhook"
	"github.com/mfspay/mfspay/webhook/internal/storeargs"
)

// Defaults of a Store made without the matching options.
const (
	// DefaultPrefix begins every key the store writes.
	DefaultPrefix = "mfspay:webhook:"
	// DefaultTimeout bounds each call to Redis.
	DefaultTimeout = 2 * time.Second
)

// donePrefix begins the value of a delivered mark; a lease's value is its
// bare token, which never begins with it.
const donePrefix = "done:"

// ErrContextTimeoutsDisabled is returned by New for a go-redis client whose
// options leave ContextTimeoutEnabled false.
var ErrContextTimeoutsDisabled = errors.New("redisstore: the client ignores context deadlines, so a hung Redis " +
	"would hold webhook requests for its read timeout times its retries: set ContextTimeoutEnabled: true in its options")

// Store is a webhook.Store on Redis. Make it with New; it is safe for
// concurrent use.
type Store struct {
	client  redis.UniversalClient
	prefix  string
	timeout time.Duration
}

// Option configures a Store.
type Option func(*Store)

// Prefix replaces DefaultPrefix, to keep several applications (or
// environments) apart on one Redis.
func Prefix(p string) Option {
	return func(s *Store) { s.prefix = p }
}

// Timeout bounds each call to Redis (default DefaultTimeout); the caller's
// context may end it sooner. Values below 1 are ignored.
func Timeout(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// New returns a store using client. It refuses a client that ignores
// context deadlines (see ErrContextTimeoutsDisabled).
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: nil client")
	}
	if ignoresDeadlines(client) {
		return nil, ErrContextTimeoutsDisabled
	}
	s := &Store{client: client, prefix: DefaultPrefix, timeout: DefaultTimeout}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// ignoresDeadlines reports whether client is a go-redis client configured
// to ignore context deadlines. Wrappers it cannot see into pass.
func ignoresDeadlines(client redis.UniversalClient) bool {
	switch c := client.(type) {
	case *redis.Client:
		return !c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return !c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return !c.Options().ContextTimeoutEnabled
	}
	return false
}

// commitScript turns the key into token's delivered mark for ARGV[3] ms
// when it is absent, holds token's lease (ARGV[1]) or already holds token's
// mark (ARGV[2]); it returns 1 then, and 0 when another holder has the key.
var commitScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] or v == ARGV[2] then
	redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
	return 1
end
return 0`)

// releaseScript deletes the key when it holds the lease ARGV[1].
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0`)

// Reserve implements webhook.Store.
func (s *Store) Reserve(ctx context.Context, key string, lease time.Duration) (webhook.Reservation, error) {
	if err := storeargs.Reserve(key, lease); err != nil {
		return webhook.Reservation{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	token := rand.Text()
	held, err := s.client.SetArgs(ctx, s.prefix+key, token, redis.SetArgs{Mode: "NX", TTL: lease, Get: true}).Result()
	switch {
	case errors.Is(err, redis.Nil), err == nil && held == token:
		// Free, and now ours; or ours already, when go-redis retried a SET
		// whose first answer was lost.
		return webhook.Reservation{State: webhook.Acquired, Token: token}, nil
	case err != nil:
		return webhook.Reservation{}, fmt.Errorf("redisstore: reserve: %w", err)
	case strings.HasPrefix(held, donePrefix):
		return webhook.Reservation{State: webhook.Delivered}, nil
	}
	return webhook.Reservation{State: webhook.InFlight}, nil
}

// Commit implements webhook.Store.
func (s *Store) Commit(ctx context.Context, key, token string, ttl time.Duration) error {
	if err := storeargs.Commit(key, token, ttl); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ms := max(ttl.Milliseconds(), 1)
	ok, err := commitScript.Run(ctx, s.client, []string{s.prefix + key}, token, donePrefix+token, ms).Int()
	switch {
	case err != nil:
		return fmt.Errorf("redisstore: commit: %w", err)
	case ok == 0:
		return webhook.ErrLeaseLost
	}
	return nil
}

// Release implements webhook.Store.
func (s *Store) Release(ctx context.Context, key, token string) error {
	if err := storeargs.Release(key, token); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := releaseScript.Run(ctx, s.client, []string{s.prefix + key}, token).Err(); err != nil {
		return fmt.Errorf("redisstore: release: %w", err)
	}
	return nil
}
