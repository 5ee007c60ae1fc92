package ledgertest

import (
	"context"
	"sync"
	"time"
)

// Clock is a manual ledger.Clock for tests. Sleep does not wait: it moves
// the clock forward by the time asked for, as if nothing else happened
// meanwhile. Schedules, expiry and rate limits can so be tested in virtual
// time. Pass Now to a simulator (wezopaytest.WithClock) to share the clock
// with it. With several goroutines sleeping at once, virtual time runs
// ahead of what real sleepers would see; tests of exact timing use one.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Sleep moves the clock forward by d (when positive) and returns at once,
// with ctx's error if it has ended.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.Advance(d)
	}
	return nil
}
