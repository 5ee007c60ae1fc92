package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/webhook"
)

// stepClock is a manual ledger.Clock whose Sleep waits until the test
// moves the clock past its end: the shop's sweeps then run exactly when
// the test says, in virtual time. (ledgertest.Clock's Sleep moves the clock
// itself, which would make the sweep loop spin.)
type stepClock struct {
	mu       sync.Mutex
	now      time.Time
	changed  chan struct{} // closed and replaced at every Advance
	sleepers int           // goroutines waiting in Sleep
}

func newStepClock(start time.Time) *stepClock {
	return &stepClock{now: start, changed: make(chan struct{})}
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and wakes the sleepers.
func (c *stepClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

// Sleep waits until the clock reads d later than now, or ctx ends.
func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.mu.Lock()
	end := c.now.Add(d)
	c.sleepers++
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.sleepers--
		c.mu.Unlock()
	}()
	for {
		c.mu.Lock()
		now, changed := c.now, c.changed
		c.mu.Unlock()
		if !now.Before(end) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// AdvanceSleeping waits until the shop's sweep loop sleeps, then advances
// the clock by d. Advancing while the loop is between reading the clock
// and starting its sleep would make it sleep a whole interval more.
func (c *stepClock) AdvanceSleeping(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c.mu.Lock()
		asleep := c.sleepers > 0
		c.mu.Unlock()
		if asleep {
			c.Advance(d)
			return
		}
		if time.Now().After(deadline) {
			require.FailNow(t, "the sweep loop never went to sleep")
		}
		time.Sleep(time.Millisecond)
	}
}

var _ ledger.Clock = (*stepClock)(nil)

// sweepWatch hands a test each sweep's report as the shop's reconciler
// finishes it.
type sweepWatch chan ledger.Report

func (w sweepWatch) observe(rep ledger.Report, err error) {
	if err == nil {
		w <- rep
	}
}

// next waits for the next sweep's report.
func (w sweepWatch) next(t *testing.T) ledger.Report {
	t.Helper()
	select {
	case rep := <-w:
		return rep
	case <-time.After(60 * time.Second):
		require.FailNow(t, "no sweep within a minute")
		return ledger.Report{}
	}
}

// deliveryCount counts the webhook callback's deliveries per invoice and
// event type, and remembers what brought each.
type deliveryCount struct {
	mu      sync.Mutex
	n       map[string]int
	sources map[string][]webhook.Source
	// gate, when set, runs after counting, in the callback (to hold a
	// delivery while another tries the same state).
	gate func(ctx context.Context, e *mfspay.Event)
}

func newDeliveryCount() *deliveryCount {
	return &deliveryCount{n: map[string]int{}, sources: map[string][]webhook.Source{}}
}

func (d *deliveryCount) key(invoiceID string, typ mfspay.EventType) string {
	return invoiceID + "/" + string(typ)
}

func (d *deliveryCount) beforeEvent(ctx context.Context, e *mfspay.Event) {
	src, _ := webhook.DeliveryFrom(ctx)
	d.mu.Lock()
	k := d.key(e.Payment.InvoiceID, e.Type)
	d.n[k]++
	d.sources[k] = append(d.sources[k], src.Source)
	gate := d.gate
	d.mu.Unlock()
	if gate != nil {
		gate(ctx, e)
	}
}

// of returns how often the event type was delivered for the invoice, and
// by what.
func (d *deliveryCount) of(invoiceID string, typ mfspay.EventType) (int, []webhook.Source) {
	d.mu.Lock()
	defer d.mu.Unlock()
	k := d.key(invoiceID, typ)
	return d.n[k], append([]webhook.Source(nil), d.sources[k]...)
}

// total is every delivery counted.
func (d *deliveryCount) total() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, v := range d.n {
		n += v
	}
	return n
}
