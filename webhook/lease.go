package webhook

import (
	"context"
	"sync"
	"time"
)

// leaseContext is context.WithDeadline(parent, now+lease) for a parent that
// is never cancelled (context.WithoutCancel), except that its timer starts
// only once something waits on it (Done, or a context derived from it):
// most callbacks never do, and a timer for every notification is a
// measurable share of the handler's cost. Deadline, Err, Value and the end
// of the lease read the same either way.
type leaseContext struct {
	parent   context.Context
	deadline time.Time

	mu sync.Mutex
	// timed is the real context once something waits; until then err is
	// what ending the lease early left.
	timed  context.Context
	cancel context.CancelFunc
	err    error
	// delivery is what DeliveryFrom returns, once set: carried here
	// rather than in a context.WithValue, which would cost an allocation
	// per event and a goroutine per context derived from it.
	delivery    Delivery
	hasDelivery bool
}

// withLease returns the lease context and the function that ends it early.
func withLease(parent context.Context, lease time.Duration) (*leaseContext, func()) {
	c := &leaseContext{parent: parent, deadline: time.Now().Add(lease)}
	return c, c.end
}

func (c *leaseContext) Deadline() (time.Time, bool) { return c.deadline, true }

func (c *leaseContext) Value(key any) any {
	if _, ok := key.(deliveryKey); ok {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.hasDelivery {
			return c.delivery
		}
	}
	return c.parent.Value(key)
}

// setDelivery makes d what DeliveryFrom finds.
func (c *leaseContext) setDelivery(d Delivery) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delivery, c.hasDelivery = d, true
}

func (c *leaseContext) Done() <-chan struct{} { return c.waitable().Done() }

// AfterFunc lets context.AfterFunc, and contexts derived from this one,
// wait on the timer without a goroutine each.
func (c *leaseContext) AfterFunc(f func()) (stop func() bool) {
	return context.AfterFunc(c.waitable(), f)
}

func (c *leaseContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.timed != nil:
		return c.timed.Err()
	case c.err == nil && time.Until(c.deadline) <= 0:
		c.err = context.DeadlineExceeded
	}
	return c.err
}

func (c *leaseContext) String() string { return "webhook lease context" }

// waitable returns the real context, making it on first use: done already
// when the lease has ended, with the error Err reported.
func (c *leaseContext) waitable() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timed == nil {
		if c.err == context.Canceled {
			c.timed, c.cancel = context.WithCancel(c.parent)
			c.cancel()
		} else {
			// Past the deadline this is done at once, with DeadlineExceeded.
			c.timed, c.cancel = context.WithDeadline(c.parent, c.deadline)
		}
	}
	return c.timed
}

// end ends the lease: the delivery's work is over.
func (c *leaseContext) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.timed != nil:
		c.cancel()
	case c.err != nil:
	case time.Until(c.deadline) > 0:
		c.err = context.Canceled
	default:
		c.err = context.DeadlineExceeded
	}
}
