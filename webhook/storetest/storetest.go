// Package storetest checks that a webhook.Store keeps the contract the
// webhook handler relies on: reservation, duplicates and in-flight
// deliveries, commit, release, lease expiry, fencing of stale holders, TTL,
// concurrency, and behaviour while the store's server is down.
//
// The built-in stores (the memory store, redisstore, pgstore) run it in
// their tests; run it on your own store (DynamoDB, Spanner…) the same way:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, storetest.Harness{
//			NewStore: func(t *testing.T) webhook.Store { return newStoreWithFreshTable(t) },
//			Killed:   func(t *testing.T) webhook.Store { return newStoreWhoseServerIsGone(t) },
//		})
//	}
//
// Each rule is a subtest named after what it checks, so go test -v is the
// report. Rules that need a real wait (lease expiry, TTL) use short leases
// and run in parallel.
package storetest

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
)

// Harness tells Run how to make, and how to break, the stores under test.
type Harness struct {
	// NewStore returns an empty store that shares no keys with the stores
	// of earlier calls (a fresh table, database or key prefix), cleaned up
	// by the test. Required.
	NewStore func(t *testing.T) webhook.Store
	// Killed returns a store whose server was killed after the store was
	// made (kill -9, or the server stopped), so that calls meet a dead
	// server. Nil skips the rule, visibly: stores without a server (the
	// memory store) have nothing to kill.
	Killed func(t *testing.T) webhook.Store
	// Frozen returns a store whose server stopped answering without closing
	// its connections (SIGSTOP), as a hung or partitioned server does. Nil
	// skips the rule.
	Frozen func(t *testing.T) webhook.Store
	// Lease is the short lease the expiry, fencing and TTL rules use, and
	// the time they wait (a little longer) for it to pass. Default 300ms;
	// raise it for a store whose clock is coarser.
	Lease time.Duration
}

// Outage bounds: a call to a dead or frozen store, given a context with
// outageDeadline, must have returned an error after outageLimit. The limit is
// generous on purpose: it tells a call that gives up from one that hangs.
const (
	outageDeadline = 500 * time.Millisecond
	outageLimit    = 15 * time.Second
)

// Run runs every rule as a subtest of t.
func Run(t *testing.T, h Harness) {
	t.Helper()
	require.NotNil(t, h.NewStore, "storetest: Harness.NewStore is required")
	if h.Lease <= 0 {
		h.Lease = 300 * time.Millisecond
	}
	r := rules{h: h}
	t.Run("Reserve", r.reserve)
	t.Run("Commit", r.commit)
	t.Run("Release", r.release)
	t.Run("Arguments", r.arguments)
	t.Run("Concurrency", r.concurrency)
	t.Run("Expiry", r.expiry)
	t.Run("Outage", r.outage)
}

type rules struct{ h Harness }

// ctx is the context of one store call in the rules that expect answers.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func reserve(t *testing.T, s webhook.Store, key string, lease time.Duration) webhook.Reservation {
	t.Helper()
	res, err := s.Reserve(ctx(t), key, lease)
	require.NoError(t, err, "Reserve(%q)", key)
	return res
}

func acquire(t *testing.T, s webhook.Store, key string, lease time.Duration) string {
	t.Helper()
	res := reserve(t, s, key, lease)
	require.Equal(t, webhook.Acquired, res.State, "Reserve(%q)", key)
	require.NotEmpty(t, res.Token, "an acquired reservation carries a token")
	return res.Token
}

func state(t *testing.T, s webhook.Store, key string) webhook.State {
	t.Helper()
	return reserve(t, s, key, time.Minute).State
}

func (r rules) reserve(t *testing.T) {
	t.Run("NewKeyIsAcquired", func(t *testing.T) {
		s := r.h.NewStore(t)
		acquire(t, s, "wezopay/evt_1", time.Minute)
	})
	t.Run("HeldKeyIsInFlight", func(t *testing.T) {
		s := r.h.NewStore(t)
		acquire(t, s, "wezopay/evt_1", time.Minute)
		res := reserve(t, s, "wezopay/evt_1", time.Minute)
		assert.Equal(t, webhook.InFlight, res.State)
		assert.Empty(t, res.Token, "only an acquired reservation carries a token")
	})
	t.Run("TokensAreDistinct", func(t *testing.T) {
		s := r.h.NewStore(t)
		a := acquire(t, s, "k", time.Minute)
		require.NoError(t, s.Release(ctx(t), "k", a))
		b := acquire(t, s, "k", time.Minute)
		assert.NotEqual(t, a, b, "a new reservation of the same key gets a new token")
	})
	t.Run("KeysAreExact", func(t *testing.T) {
		s := r.h.NewStore(t)
		keys := []string{"p/e", "p/e ", "P/e", "p/é", "p/e\x00", "p:e", "p/" + strings.Repeat("e", 1000), "{p}/e"}
		for _, k := range keys {
			acquire(t, s, k, time.Minute)
		}
		for _, k := range keys {
			assert.Equal(t, webhook.InFlight, state(t, s, k), "key %q", k)
		}
	})
}

func (r rules) commit(t *testing.T) {
	t.Run("MakesDelivered", func(t *testing.T) {
		s := r.h.NewStore(t)
		tok := acquire(t, s, "k", time.Minute)
		require.NoError(t, s.Commit(ctx(t), "k", tok, time.Hour))
		res := reserve(t, s, "k", time.Minute)
		assert.Equal(t, webhook.Delivered, res.State)
		assert.Empty(t, res.Token)
	})
	t.Run("IsIdempotent", func(t *testing.T) {
		s := r.h.NewStore(t)
		tok := acquire(t, s, "k", time.Minute)
		require.NoError(t, s.Commit(ctx(t), "k", tok, time.Hour))
		require.NoError(t, s.Commit(ctx(t), "k", tok, time.Hour), "a retried commit succeeds")
		assert.Equal(t, webhook.Delivered, state(t, s, "k"))
	})
	t.Run("OtherHoldersTokenIsLeaseLost", func(t *testing.T) {
		s := r.h.NewStore(t)
		tok := acquire(t, s, "k", time.Minute)
		require.ErrorIs(t, s.Commit(ctx(t), "k", tok+"x", time.Hour), webhook.ErrLeaseLost)
		assert.Equal(t, webhook.InFlight, state(t, s, "k"), "the holder's lease stands")
		require.NoError(t, s.Commit(ctx(t), "k", tok, time.Hour))
		require.ErrorIs(t, s.Commit(ctx(t), "k", tok+"x", time.Hour), webhook.ErrLeaseLost,
			"nor can another token commit over a mark")
	})
	t.Run("WithoutLeaseRecordsDelivery", func(t *testing.T) {
		// The lease is gone (expired and dropped, or released by a later
		// holder that failed): the delivery happened, so record it.
		s := r.h.NewStore(t)
		require.NoError(t, s.Commit(ctx(t), "k", "token-of-a-forgotten-lease", time.Hour))
		assert.Equal(t, webhook.Delivered, state(t, s, "k"))
	})
}

func (r rules) release(t *testing.T) {
	t.Run("FreesTheKey", func(t *testing.T) {
		s := r.h.NewStore(t)
		tok := acquire(t, s, "k", time.Minute)
		require.NoError(t, s.Release(ctx(t), "k", tok))
		acquire(t, s, "k", time.Minute)
	})
	t.Run("NeverUndoesCommit", func(t *testing.T) {
		s := r.h.NewStore(t)
		tok := acquire(t, s, "k", time.Minute)
		require.NoError(t, s.Commit(ctx(t), "k", tok, time.Hour))
		require.NoError(t, s.Release(ctx(t), "k", tok))
		assert.Equal(t, webhook.Delivered, state(t, s, "k"))
	})
	t.Run("OtherTokenDoesNothing", func(t *testing.T) {
		s := r.h.NewStore(t)
		tok := acquire(t, s, "k", time.Minute)
		require.NoError(t, s.Release(ctx(t), "k", tok+"x"))
		assert.Equal(t, webhook.InFlight, state(t, s, "k"))
		require.NoError(t, s.Release(ctx(t), "absent", "t"), "releasing an absent key is not an error")
	})
}

func (r rules) arguments(t *testing.T) {
	s := r.h.NewStore(t)
	tok := acquire(t, s, "k", time.Minute)
	invalid := func(name string, err error) {
		t.Helper()
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, name)
	}
	_, err := s.Reserve(ctx(t), "", time.Minute)
	invalid("Reserve with an empty key", err)
	_, err = s.Reserve(ctx(t), "other", 0)
	invalid("Reserve with a zero lease", err)
	_, err = s.Reserve(ctx(t), "other", -time.Second)
	invalid("Reserve with a negative lease", err)
	invalid("Commit with an empty key", s.Commit(ctx(t), "", tok, time.Hour))
	invalid("Commit with an empty token", s.Commit(ctx(t), "k", "", time.Hour))
	invalid("Commit with a zero TTL", s.Commit(ctx(t), "k", tok, 0))
	invalid("Release with an empty key", s.Release(ctx(t), "", tok))
	invalid("Release with an empty token", s.Release(ctx(t), "k", ""))
	assert.Equal(t, webhook.InFlight, state(t, s, "k"), "refused calls change nothing")
	acquire(t, s, "other", time.Minute)
}

func (r rules) concurrency(t *testing.T) {
	t.Run("OneWinnerPerKey", func(t *testing.T) {
		s := r.h.NewStore(t)
		const n = 50
		var wg sync.WaitGroup
		var mu sync.Mutex
		states := map[webhook.State]int{}
		start := make(chan struct{})
		for range n {
			wg.Go(func() {
				<-start
				res, err := s.Reserve(ctx(t), "same", time.Minute)
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				states[res.State]++
				mu.Unlock()
			})
		}
		close(start)
		wg.Wait()
		assert.Equal(t, map[webhook.State]int{webhook.Acquired: 1, webhook.InFlight: n - 1}, states)
	})
	t.Run("ManyKeysAtOnce", func(t *testing.T) {
		s := r.h.NewStore(t)
		const n = 200
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				key := "k" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "/" + strconv.Itoa(i)
				res, err := s.Reserve(ctx(t), key, time.Minute)
				if !assert.NoError(t, err) || !assert.Equal(t, webhook.Acquired, res.State, key) {
					return
				}
				if i%2 == 0 {
					assert.NoError(t, s.Commit(ctx(t), key, res.Token, time.Hour))
				} else {
					assert.NoError(t, s.Release(ctx(t), key, res.Token))
				}
			})
		}
		wg.Wait()
		for i := range n {
			key := "k" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "/" + strconv.Itoa(i)
			want := webhook.Delivered
			if i%2 == 1 {
				want = webhook.Acquired
			}
			assert.Equal(t, want, state(t, s, key), key)
		}
	})
}
