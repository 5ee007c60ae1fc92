package simkit

import (
	"sync"
	"time"
)

// Clock tells a simulator what time it is. Production-like simulators use
// time.Now; tests pass a ManualClock's Now to move time at will.
type Clock func() time.Time

// SystemClock is the wall clock.
func SystemClock() time.Time { return time.Now() }

// orSystem returns c, or SystemClock when c is nil.
func (c Clock) orSystem() Clock {
	if c == nil {
		return SystemClock
	}
	return c
}

// ManualClock is a clock that moves only when told to. It is safe for
// concurrent use; pass its Now method where a Clock is wanted.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock reading start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

// Now returns the clock's current reading.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and returns the new reading.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set moves the clock to t, backwards if need be.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
