package webhook

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type leaseKey struct{}

// TestLeaseContextActsAsWithDeadline holds the lazily timed lease context
// to what context.WithDeadline gives, whether or not anything waited on it
// before it ended.
func TestLeaseContextActsAsWithDeadline(t *testing.T) {
	parent := context.WithoutCancel(context.WithValue(context.Background(), leaseKey{}, "v"))
	closed := func(c context.Context) bool {
		select {
		case <-c.Done():
			return true
		case <-time.After(2 * time.Second):
			return false
		}
	}

	t.Run("values and deadline", func(t *testing.T) {
		c, end := withLease(parent, time.Hour)
		defer end()
		d, ok := c.Deadline()
		assert.True(t, ok)
		assert.WithinDuration(t, time.Now().Add(time.Hour), d, time.Minute)
		assert.Equal(t, "v", c.Value(leaseKey{}))
		assert.NoError(t, c.Err())
	})
	t.Run("ended before anything waited", func(t *testing.T) {
		c, end := withLease(parent, time.Hour)
		end()
		assert.ErrorIs(t, c.Err(), context.Canceled)
		assert.True(t, closed(c))
		assert.ErrorIs(t, c.Err(), context.Canceled)
		assert.ErrorIs(t, context.Cause(c), context.Canceled)
		ran := make(chan struct{})
		context.AfterFunc(c, func() { close(ran) })
		assert.True(t, closed(chanContext(ran)))
	})
	t.Run("ended while something waits", func(t *testing.T) {
		c, end := withLease(parent, time.Hour)
		derived, cancel := context.WithCancel(c)
		defer cancel()
		end()
		assert.True(t, closed(derived))
		assert.ErrorIs(t, derived.Err(), context.Canceled)
		assert.ErrorIs(t, c.Err(), context.Canceled)
	})
	t.Run("deadline while something waits", func(t *testing.T) {
		c, end := withLease(parent, 20*time.Millisecond)
		defer end()
		require.True(t, closed(c))
		assert.ErrorIs(t, c.Err(), context.DeadlineExceeded)
		end()
		assert.ErrorIs(t, c.Err(), context.DeadlineExceeded, "ending it later changes nothing")
	})
	t.Run("deadline with nothing waiting", func(t *testing.T) {
		c, end := withLease(parent, time.Millisecond)
		time.Sleep(5 * time.Millisecond)
		end()
		assert.ErrorIs(t, c.Err(), context.DeadlineExceeded)
		assert.True(t, closed(c))
		assert.ErrorIs(t, c.Err(), context.DeadlineExceeded)
	})
}

// chanContext is done when ch closes.
func chanContext(ch chan struct{}) context.Context {
	c, cancel := context.WithCancel(context.Background())
	go func() { <-ch; cancel() }()
	return c
}

func TestLeaseContextCarriesTheDelivery(t *testing.T) {
	c, end := withLease(context.WithoutCancel(context.WithValue(context.Background(), leaseKey{}, "v")), time.Hour)
	defer end()
	_, ok := DeliveryFrom(c)
	assert.False(t, ok, "no delivery before one is set")
	d := Delivery{Provider: "wezopay", Confirmed: true}
	ctx := withDelivery(c, d)
	assert.Same(t, c, ctx, "no context is wrapped around the lease")
	got, ok := DeliveryFrom(ctx)
	require.True(t, ok)
	assert.Equal(t, d, got)
	assert.Equal(t, "v", ctx.Value(leaseKey{}), "other values still come from the parent")
	derived, cancel := context.WithCancel(ctx)
	defer cancel()
	got, ok = DeliveryFrom(derived)
	require.True(t, ok)
	assert.Equal(t, d, got)
}
