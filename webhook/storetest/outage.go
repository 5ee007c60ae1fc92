package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/mfspay/mfspay/webhook"
)

// outage checks that a store whose server is gone or hung answers with an
// error once the caller's deadline passes, rather than hanging the
// handler (which then answers 503).
func (r rules) outage(t *testing.T) {
	for _, c := range []struct {
		name string
		make func(t *testing.T) webhook.Store
	}{
		{"KilledServerFailsPromptly", r.h.Killed},
		{"FrozenServerFailsByTheDeadline", r.h.Frozen},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.make == nil {
				t.Skip("the harness cannot take this store's server down (a store without a server has no outage)")
			}
			t.Parallel()
			s := c.make(t)
			calls := map[string]func(ctx context.Context) error{
				"Reserve": func(ctx context.Context) error {
					_, err := s.Reserve(ctx, "k", time.Minute)
					return err
				},
				"Commit":  func(ctx context.Context) error { return s.Commit(ctx, "k", "token", time.Hour) },
				"Release": func(ctx context.Context) error { return s.Release(ctx, "k", "token") },
			}
			for name, call := range calls {
				assert.Error(t, callWithin(t, call), "%s on a store whose server is down", name)
			}
		})
	}
}

// callWithin runs call with a context ending after outageDeadline and
// returns its error, failing the test if it has not returned by outageLimit.
func callWithin(t *testing.T, call func(ctx context.Context) error) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), outageDeadline)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- call(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(outageLimit):
		t.Fatalf("the call still hangs %s after its context ended", outageLimit-outageDeadline)
		return nil
	}
}
