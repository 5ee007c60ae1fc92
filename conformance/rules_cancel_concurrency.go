package conformance

import (
	"context"
	"sync"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// Cancellation timing: the provider holds its answer far longer than the
// caller waits, and "promptly" is a bound well under that hold, generous
// enough for a loaded machine and a plugin round trip.
const (
	providerHold = 3 * time.Second
	callerWaits  = 100 * time.Millisecond
	promptly     = 1500 * time.Millisecond
)

// call is one gateway operation that can be interrupted.
type call struct {
	name string
	do   func(ctx context.Context, gw mfspay.Gateway) error
}

// interruptible returns a create and the gateway's reads.
func (c *check) interruptible(existing *mfspay.Checkout) []call {
	calls := []call{{"CreatePayment", func(ctx context.Context, gw mfspay.Gateway) error {
		_, err := gw.CreatePayment(ctx, c.s.request(mfspay.Taka(60)))
		return err
	}}}
	for _, read := range c.s.reads() {
		calls = append(calls, call{read.name, func(ctx context.Context, gw mfspay.Gateway) error {
			return read.do(ctx, gw, existing)
		}})
	}
	return calls
}

// cancellationRules check that the caller's context bounds every call and
// that its error comes back recognisable.
func (s *suite) cancellationRules(r Reporter) {
	s.rule(r, "ReturnsCanceledWhenAlreadyCancelled", func(c *check) {
		_, co := c.newPayment(mfspay.Taka(60))
		c.identify(co)
		ctx, cancel := context.WithCancel(c.ctx)
		cancel()
		for _, op := range c.interruptible(co) {
			assert.ErrorIs(c, op.do(ctx, c.gateway()), context.Canceled, op.name)
		}
	})
	for _, tc := range []struct {
		name string
		ctx  func(parent context.Context) (context.Context, context.CancelFunc)
		want error
	}{
		{"ReturnsPromptlyWhenCancelledWhileProviderDelays", func(p context.Context) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(p)
			t := time.AfterFunc(callerWaits, cancel)
			return ctx, func() { t.Stop(); cancel() }
		}, context.Canceled},
		{"ReturnsPromptlyWhenDeadlinePassesWhileProviderDelays", func(p context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(p, callerWaits)
		}, context.DeadlineExceeded},
	} {
		s.rule(r, tc.name, func(c *check) {
			_, co := c.newPayment(mfspay.Taka(61))
			c.identify(co)
			for _, op := range c.interruptible(co) {
				// Every request is held, not just the next one: the work of
				// a call the caller abandoned may reach the provider after
				// the caller has moved on, and must not take the fault
				// meant for the next call.
				c.fail(simctl.Fault{Delay: providerHold, Count: 1000})
				ctx, cancel := tc.ctx(c.ctx)
				start := time.Now()
				// Breaker-less: a deadline that passes while the provider
				// holds its answer counts as the provider's failure.
				err := op.do(ctx, c.unguarded())
				took := time.Since(start)
				cancel()
				c.clearFaults()
				assert.ErrorIs(c, err, tc.want, op.name)
				assert.Less(c, took, promptly, "%s returned %v after the context ended, while the provider held its answer %v",
					op.name, took-callerWaits, providerHold)
			}
		})
	}
}

// concurrentCreates is how many creates race in the concurrency rule.
const concurrentCreates = 50

// concurrencyRules check that one gateway serves many callers at once.
func (s *suite) concurrencyRules(r Reporter) {
	s.rule(r, "FiftyConcurrentCreatesGetDistinctPaymentIDs", func(c *check) {
		gw := c.gateway()
		type result struct {
			req mfspay.CreatePaymentRequest
			co  *mfspay.Checkout
			err error
		}
		results := make([]result, concurrentCreates)
		var wg sync.WaitGroup
		for i := range results {
			results[i].req = s.request(mfspay.Taka(int64(1000 + i)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i].co, results[i].err = gw.CreatePayment(c.ctx, results[i].req)
			}()
		}
		wg.Wait()
		// By payment id, or, where the create names no payment, by the
		// page it sends the customer to.
		ids := map[string]string{}
		for _, res := range results {
			if !assert.NoError(c, res.err, "create %s", res.req.InvoiceID) || !assert.NotNil(c, res.co) {
				continue
			}
			assert.Equal(c, res.req.InvoiceID, res.co.InvoiceID, "a checkout came back for another invoice")
			if other, dup := ids[handle(res.co)]; dup {
				c.Errorf("invoices %s and %s got the same payment id (or, naming none, redirect URL) %s", other, res.req.InvoiceID, handle(res.co))
			}
			ids[handle(res.co)] = res.req.InvoiceID
		}
		for _, res := range results[:3] {
			assert.Equal(c, 1, c.payments(res.req.InvoiceID), "payments for %s", res.req.InvoiceID)
		}
	})
}
