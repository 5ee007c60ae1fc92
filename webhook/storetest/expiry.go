package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/webhook"
)

// pastLease waits until a lease (or TTL) of d taken now has certainly ended.
func pastLease(d time.Duration) {
	time.Sleep(d + d/2)
}

// expiry holds the rules that wait for a lease or a TTL to run out. They run
// in parallel, so the whole group waits about one lease.
func (r rules) expiry(t *testing.T) {
	lease := r.h.Lease
	t.Run("LeaseExpiresAndIsTakenOver", func(t *testing.T) {
		t.Parallel()
		s := r.h.NewStore(t)
		acquire(t, s, "k", lease)
		pastLease(lease)
		acquire(t, s, "k", time.Minute) // a crashed holder blocks for one lease only
	})
	t.Run("LateCommitWithoutTakeoverRecords", func(t *testing.T) {
		// The holder outlived its lease but nobody reserved the key since:
		// nothing was delivered twice, and the delivery is recorded.
		t.Parallel()
		s := r.h.NewStore(t)
		tok := acquire(t, s, "k", lease)
		pastLease(lease)
		require.NoError(t, s.Commit(ctx(t), "k", tok, time.Hour))
		assert.Equal(t, webhook.Delivered, state(t, s, "k"))
	})
	t.Run("StaleCommitFailsAfterTakeover", func(t *testing.T) {
		t.Parallel()
		s := r.h.NewStore(t)
		stale := acquire(t, s, "k", lease)
		pastLease(lease)
		current := acquire(t, s, "k", time.Minute)
		require.ErrorIs(t, s.Commit(ctx(t), "k", stale, time.Hour), webhook.ErrLeaseLost,
			"the stale holder learns that the event may be delivered twice")
		assert.Equal(t, webhook.InFlight, state(t, s, "k"), "the new holder's lease stands")
		require.NoError(t, s.Commit(ctx(t), "k", current, time.Hour), "the new holder commits")
		assert.Equal(t, webhook.Delivered, state(t, s, "k"))
	})
	t.Run("StaleCommitFailsAfterNewHolderCommitted", func(t *testing.T) {
		t.Parallel()
		s := r.h.NewStore(t)
		stale := acquire(t, s, "k", lease)
		pastLease(lease)
		current := acquire(t, s, "k", time.Minute)
		require.NoError(t, s.Commit(ctx(t), "k", current, time.Hour))
		require.ErrorIs(t, s.Commit(ctx(t), "k", stale, time.Hour), webhook.ErrLeaseLost)
		assert.Equal(t, webhook.Delivered, state(t, s, "k"))
	})
	t.Run("StaleReleaseKeepsNewLease", func(t *testing.T) {
		t.Parallel()
		s := r.h.NewStore(t)
		stale := acquire(t, s, "k", lease)
		pastLease(lease)
		acquire(t, s, "k", time.Minute)
		require.NoError(t, s.Release(ctx(t), "k", stale))
		assert.Equal(t, webhook.InFlight, state(t, s, "k"), "a stale release cannot drop the new holder's lease")
	})
	t.Run("MarkExpiresAfterTTL", func(t *testing.T) {
		t.Parallel()
		s := r.h.NewStore(t)
		tok := acquire(t, s, "k", time.Minute)
		ttl := 3 * lease // room for a slow machine between the commit and the check
		require.NoError(t, s.Commit(ctx(t), "k", tok, ttl))
		assert.Equal(t, webhook.Delivered, state(t, s, "k"), "a duplicate within the TTL")
		pastLease(ttl)
		acquire(t, s, "k", time.Minute) // forgotten after it
	})
	t.Run("CommitOutlivesTheLease", func(t *testing.T) {
		// The mark's TTL, not the lease, decides how long it lasts.
		t.Parallel()
		s := r.h.NewStore(t)
		tok := acquire(t, s, "k", lease)
		require.NoError(t, s.Commit(ctx(t), "k", tok, time.Hour))
		pastLease(lease)
		assert.Equal(t, webhook.Delivered, state(t, s, "k"))
	})
}
