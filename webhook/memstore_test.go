package webhook_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/webhook"
)

func reserve(t *testing.T, s webhook.Store, key string, lease time.Duration) webhook.Reservation {
	t.Helper()
	r, err := s.Reserve(context.Background(), key, lease)
	require.NoError(t, err)
	return r
}

func TestMemoryStoreLifecycle(t *testing.T) {
	ctx := context.Background()
	clock := newManualClock()
	s := webhook.NewMemoryStore(webhook.Clock(clock.Now))

	r := reserve(t, s, "p/e1", time.Minute)
	require.Equal(t, webhook.Acquired, r.State)
	require.NotEmpty(t, r.Token)
	assert.Equal(t, webhook.InFlight, reserve(t, s, "p/e1", time.Minute).State)

	require.NoError(t, s.Commit(ctx, "p/e1", r.Token, time.Hour))
	assert.Equal(t, webhook.Delivered, reserve(t, s, "p/e1", time.Minute).State)

	clock.Advance(59 * time.Minute)
	assert.Equal(t, webhook.Delivered, reserve(t, s, "p/e1", time.Minute).State, "still a duplicate within the TTL")
	clock.Advance(time.Minute)
	assert.Equal(t, webhook.Acquired, reserve(t, s, "p/e1", time.Minute).State, "forgotten after the TTL")
}

func TestMemoryStoreReleaseAndLeaseExpiry(t *testing.T) {
	ctx := context.Background()
	clock := newManualClock()
	s := webhook.NewMemoryStore(webhook.Clock(clock.Now))

	a := reserve(t, s, "k", time.Minute)
	require.NoError(t, s.Release(ctx, "k", a.Token))
	b := reserve(t, s, "k", time.Minute)
	require.Equal(t, webhook.Acquired, b.State, "a released key can be taken again")
	assert.NotEqual(t, a.Token, b.Token)

	require.NoError(t, s.Release(ctx, "k", a.Token))
	assert.Equal(t, webhook.InFlight, reserve(t, s, "k", time.Minute).State,
		"a stale token cannot release the lease of the current holder")

	clock.Advance(time.Minute)
	c := reserve(t, s, "k", time.Minute)
	assert.Equal(t, webhook.Acquired, c.State, "a crashed holder's lease expires")

	require.NoError(t, s.Release(ctx, "k", b.Token))
	assert.Equal(t, webhook.InFlight, reserve(t, s, "k", time.Minute).State, "the expired holder cannot release it either")

	require.ErrorIs(t, s.Commit(ctx, "k", b.Token, time.Hour), webhook.ErrLeaseLost,
		"the stale holder's commit fails")
	assert.Equal(t, webhook.InFlight, reserve(t, s, "k", time.Minute).State, "and leaves the new lease alone")
	require.NoError(t, s.Commit(ctx, "k", c.Token, time.Hour))
	require.NoError(t, s.Release(ctx, "k", c.Token))
	assert.Equal(t, webhook.Delivered, reserve(t, s, "k", time.Minute).State, "release never undoes a commit")
}

func TestMemoryStoreNeverGrowsPastItsCap(t *testing.T) {
	ctx := context.Background()
	const limit = 64
	clock := newManualClock()
	s := webhook.NewMemoryStore(webhook.MaxEntries(limit), webhook.Clock(clock.Now))
	for i := range 10 * limit {
		key := fmt.Sprintf("p/evt_%d", i)
		r := reserve(t, s, key, time.Minute)
		require.Equal(t, webhook.Acquired, r.State)
		require.NoError(t, s.Commit(ctx, key, r.Token, time.Hour))
		require.LessOrEqual(t, s.Len(), limit)
		clock.Advance(time.Second)
	}
	assert.Equal(t, limit, s.Len())
	assert.EqualValues(t, 9*limit, s.Evicted())
	// The oldest marks went first; the newest are still remembered.
	assert.Equal(t, webhook.Acquired, reserve(t, s, "p/evt_0", time.Minute).State)
	assert.Equal(t, webhook.Delivered, reserve(t, s, fmt.Sprintf("p/evt_%d", 10*limit-1), time.Minute).State)
}

func TestMemoryStoreEvictsOldestDeliveredFirst(t *testing.T) {
	ctx := context.Background()
	clock := newManualClock()
	s := webhook.NewMemoryStore(webhook.MaxEntries(3), webhook.Clock(clock.Now))
	lease := reserve(t, s, "in-flight", time.Hour)
	for _, k := range []string{"old", "new"} {
		r := reserve(t, s, k, time.Minute)
		require.NoError(t, s.Commit(ctx, k, r.Token, time.Hour))
		clock.Advance(time.Second)
	}
	require.Equal(t, webhook.Acquired, reserve(t, s, "newest", time.Minute).State)
	assert.Equal(t, webhook.InFlight, reserve(t, s, "in-flight", time.Minute).State, "the lease survives")
	assert.Equal(t, webhook.Delivered, reserve(t, s, "new", time.Minute).State)
	assert.Equal(t, 3, s.Len())
	require.NoError(t, s.Commit(ctx, "in-flight", lease.Token, time.Hour))
}

func TestMemoryStoreFullOfLeasesRefusesRatherThanEvicts(t *testing.T) {
	clock := newManualClock()
	s := webhook.NewMemoryStore(webhook.MaxEntries(2), webhook.Clock(clock.Now))
	reserve(t, s, "a", time.Minute)
	reserve(t, s, "b", 2*time.Minute)
	_, err := s.Reserve(context.Background(), "c", time.Minute)
	require.ErrorIs(t, err, webhook.ErrStoreFull)
	assert.Equal(t, webhook.InFlight, reserve(t, s, "a", time.Minute).State)
	assert.Equal(t, webhook.InFlight, reserve(t, s, "b", time.Minute).State)

	clock.Advance(time.Minute)
	assert.Equal(t, webhook.Acquired, reserve(t, s, "c", time.Minute).State, "an expired lease makes room")
	assert.Equal(t, webhook.InFlight, reserve(t, s, "b", time.Minute).State)
	assert.Equal(t, 2, s.Len())
}

func TestMemoryStoreFindsAnExpiredLeaseBehindALiveOne(t *testing.T) {
	clock := newManualClock()
	s := webhook.NewMemoryStore(webhook.MaxEntries(2), webhook.Clock(clock.Now))
	reserve(t, s, "long", time.Hour)
	reserve(t, s, "short", time.Second)
	clock.Advance(time.Second)
	assert.Equal(t, webhook.Acquired, reserve(t, s, "c", time.Minute).State)
	assert.Equal(t, webhook.InFlight, reserve(t, s, "long", time.Minute).State)
}

func TestMemoryStoreConcurrentReserveHasOneWinner(t *testing.T) {
	s := webhook.NewMemoryStore()
	var wg sync.WaitGroup
	var mu sync.Mutex
	states := map[webhook.State]int{}
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.Reserve(context.Background(), "same", time.Minute)
			assert.NoError(t, err)
			mu.Lock()
			states[r.State]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	assert.Equal(t, map[webhook.State]int{webhook.Acquired: 1, webhook.InFlight: 99}, states)
}

func TestStateString(t *testing.T) {
	assert.Equal(t, "acquired", webhook.Acquired.String())
	assert.Equal(t, "delivered", webhook.Delivered.String())
	assert.Equal(t, "in-flight", webhook.InFlight.String())
	assert.Equal(t, "invalid", webhook.State(0).String())
}

func TestMemoryStoreCommitAfterTheLeaseWasForgotten(t *testing.T) {
	ctx := context.Background()
	clock := newManualClock()
	s := webhook.NewMemoryStore(webhook.MaxEntries(2), webhook.Clock(clock.Now))
	r := reserve(t, s, "slow", time.Second)
	clock.Advance(time.Second)
	reserve(t, s, "a", time.Hour) // sweeps the expired lease
	reserve(t, s, "b", time.Hour)
	require.ErrorIs(t, s.Commit(ctx, "slow", r.Token, time.Hour), webhook.ErrStoreFull,
		"no room, and no lease is dropped for it")

	clock.Advance(time.Hour)
	require.NoError(t, s.Commit(ctx, "slow", r.Token, time.Hour))
	assert.Equal(t, webhook.Delivered, reserve(t, s, "slow", time.Minute).State,
		"a commit whose lease was forgotten still records the delivery")
	assert.LessOrEqual(t, s.Len(), 2)
}
