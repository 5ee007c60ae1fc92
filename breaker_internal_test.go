package mfspay

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The breaker on its own, below the portable layer.

const probeOpenTimeout = 50 * time.Millisecond

func providerFailure() error { return &Error{Kind: ErrUnavailable, Provider: "fake", Op: OpVerify} }

func TestBreakerProbes(t *testing.T) {
	t.Run("one probe at a time", func(t *testing.T) {
		b := newBreaker("fake", BreakerSettings{FailureThreshold: 1, OpenTimeout: probeOpenTimeout})
		_, _ = guard(b, OpVerify, func() (int, error) { return 0, providerFailure() })
		time.Sleep(probeOpenTimeout + 10*time.Millisecond)

		probing, release := make(chan struct{}), make(chan struct{})
		done := make(chan error)
		go func() {
			_, err := guard(b, OpVerify, func() (int, error) {
				close(probing)
				<-release
				return 1, nil
			})
			done <- err
		}()
		<-probing
		called := false
		_, err := guard(b, OpVerify, func() (int, error) { called = true; return 0, nil })
		assert.ErrorIs(t, err, ErrCircuitOpen)
		assert.False(t, called, "a second call while the probe runs must fail fast")
		close(release)
		require.NoError(t, <-done)
		assert.Equal(t, BreakerClosed, b.State())
	})
	t.Run("several probes required", func(t *testing.T) {
		b := newBreaker("fake", BreakerSettings{FailureThreshold: 1, OpenTimeout: probeOpenTimeout, HalfOpenProbes: 2})
		_, _ = guard(b, OpList, func() (int, error) { return 0, providerFailure() })
		time.Sleep(probeOpenTimeout + 10*time.Millisecond)
		ok := func() (int, error) { return 1, nil }
		_, err := guard(b, OpList, ok)
		require.NoError(t, err)
		assert.Equal(t, BreakerHalfOpen, b.State())
		_, err = guard(b, OpList, ok)
		require.NoError(t, err)
		assert.Equal(t, BreakerClosed, b.State())
	})
}

func TestBreakerGuard(t *testing.T) {
	t.Run("nil breaker runs fn", func(t *testing.T) {
		boom := errors.New("boom")
		n, err := guard(nil, OpVerify, func() (int, error) { return 7, boom })
		assert.Equal(t, 7, n)
		assert.Same(t, boom, err)
	})
	t.Run("passes results through", func(t *testing.T) {
		b := newBreaker("p", BreakerSettings{})
		n, err := guard(b, OpList, func() (int, error) { return 42, nil })
		require.NoError(t, err)
		assert.Equal(t, 42, n)
	})
	t.Run("other operations", func(t *testing.T) {
		b := newBreaker("p", BreakerSettings{FailureThreshold: 1, OpenTimeout: time.Hour})
		_, _ = guard(b, "refund", func() (int, error) { return 0, providerFailure() })
		_, err := guard(b, "refund", func() (int, error) { panic("called") })
		assert.ErrorIs(t, err, ErrCircuitOpen)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "refund", e.Op)
		assert.Equal(t, "p", e.Provider)
	})
	t.Run("panics propagate and leave the breaker usable", func(t *testing.T) {
		b := newBreaker("p", BreakerSettings{FailureThreshold: 1, OpenTimeout: time.Hour})
		assert.PanicsWithValue(t, "adapter bug", func() {
			_, _ = guard(b, OpCreate, func() (int, error) { panic("adapter bug") })
		})
		// A panic is an adapter bug, not news about the provider's health.
		n, err := guard(b, OpCreate, func() (int, error) { return 1, nil })
		require.NoError(t, err)
		assert.Equal(t, 1, n)
	})
}
