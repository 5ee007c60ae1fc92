package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// check is one running rule: its reporter, a context bounding it, and
// helpers that drive the gateway and the simulator and fail the rule on any
// unexpected error.
type check struct {
	Reporter
	s   *suite
	ctx context.Context
	gw  *recorded
}

func (s *suite) newCheck(r Reporter) *check {
	ctx, cancel := context.WithTimeout(context.Background(), ruleTimeout)
	r.Cleanup(cancel)
	c := &check{Reporter: r, s: s, ctx: ctx}
	// A rule starts and ends with no fault pending, so one rule's faults
	// never leak into the next.
	c.clearFaults()
	r.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.sim.ClearFaults(ctx); err != nil {
			r.Errorf("clearing the simulator's faults: %v", err)
		}
	})
	return c
}

// gateway returns the gateway the rules of a group share, made from the
// simulator's settings with the suite's resilience.
func (c *check) gateway() *recorded {
	c.Helper()
	if c.gw == nil {
		c.gw = c.shared("default", c.s.settings.Values, c.resilience())
	}
	return c.gw
}

// unguarded returns a shared gateway without a circuit breaker, for rules
// that provoke failures: they must not trip a breaker other rules share,
// and the Breaker group checks the breaker itself.
func (c *check) unguarded() *recorded {
	c.Helper()
	r := c.resilience()
	r.Breaker.Disabled = true
	return c.shared("unguarded", c.s.settings.Values, r)
}

// shortAttempts returns a shared breaker-less gateway whose attempts time
// out after d.
func (c *check) shortAttempts(d time.Duration) *recorded {
	c.Helper()
	r := c.resilience()
	r.Breaker.Disabled = true
	r.Retry.AttemptTimeout = d
	return c.shared(fmt.Sprintf("attempts-%v", d), c.s.settings.Values, r)
}

// badCredentials returns a shared gateway configured with credentials the
// provider refuses.
func (c *check) badCredentials() *recorded {
	c.Helper()
	return c.shared("bad-credentials", c.s.settings.BadCredentials, c.resilience())
}

// shared returns the group's gateway called name, made on first use.
func (c *check) shared(name string, settings map[string]string, r mfspay.Resilience) *recorded {
	c.Helper()
	gw, err := c.s.pool.get(name, settings, r)
	require.NoError(c, err)
	return c.record(gw)
}

// resilience returns the suite's test-speed resilience with its logger.
func (c *check) resilience() mfspay.Resilience { return resilience(c.s.logs.logger()) }

// makeGateway returns a fresh gateway of the rule's own, closed when the
// rule ends.
func (c *check) makeGateway(settings map[string]string, r mfspay.Resilience) *recorded {
	c.Helper()
	gw, err := c.s.h.MakeGateway(c.ctx, settings, r)
	require.NoError(c, err, "making a gateway")
	c.Cleanup(func() {
		if err := closeGateway(gw); err != nil {
			c.Errorf("closing the gateway: %v", err)
		}
	})
	return c.record(gw)
}

// record wraps gw so that its errors are recorded under this rule.
func (c *check) record(gw mfspay.Gateway) *recorded {
	return &recorded{inner: gw, caps: gw.Capabilities(), rule: c.Name(), log: &c.s.errs}
}

// closeGateway closes gw if it is an io.Closer.
func closeGateway(gw mfspay.Gateway) error {
	if cl, ok := gw.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

// create makes a payment that must succeed. Its checkout names the
// payment unless the gateway declares that its provider names it later
// (Capabilities.PaymentIDLater): then see handle and learnPaymentID.
func (c *check) create(gw *recorded, req mfspay.CreatePaymentRequest) *mfspay.Checkout {
	c.Helper()
	co, err := gw.CreatePayment(c.ctx, req)
	require.NoError(c, err, "creating a payment for invoice %s", req.InvoiceID)
	require.NotNil(c, co, "CreatePayment returned neither a checkout nor an error")
	if !c.s.caps.PaymentIDLater {
		require.NotEmpty(c, co.PaymentID, "checkout without a payment id, from a gateway that does not declare "+
			"Capabilities.PaymentIDLater")
	}
	return co
}

// newPayment creates a payment of amount through the rule's gateway.
func (c *check) newPayment(amount mfspay.Amount) (mfspay.CreatePaymentRequest, *mfspay.Checkout) {
	c.Helper()
	req := c.s.request(amount)
	return req, c.create(c.gateway(), req)
}

// requests is the simulator's API request count.
func (c *check) requests() int {
	c.Helper()
	n, err := c.s.sim.RequestCount(c.ctx)
	require.NoError(c, err, "simulator RequestCount")
	return n
}

// payments is how many payments the simulator holds for invoice.
func (c *check) payments(invoice string) int {
	c.Helper()
	n, err := c.s.sim.PaymentCount(c.ctx, invoice)
	require.NoError(c, err, "simulator PaymentCount")
	return n
}

// noTraffic runs call and fails the rule if the provider saw a request.
func (c *check) noTraffic(what string, call func()) {
	c.Helper()
	before := c.requests()
	call()
	require.Equal(c, before, c.requests(), "%s sent requests to the provider", what)
}

func (c *check) fail(f simctl.Fault) {
	c.Helper()
	require.NoError(c, c.s.sim.Fail(c.ctx, f), "simulator Fail")
}

func (c *check) clearFaults() {
	c.Helper()
	require.NoError(c, c.s.sim.ClearFaults(c.ctx), "simulator ClearFaults")
}

// pay has the customer pay on the hosted page. Where the provider debits
// only when the merchant acts on the customer's return (ReturnExecute), the
// merchant's return endpoint then completes the return through the rule's
// gateway, as a shop does, so that the payment is captured. Where the
// create named no payment, co.PaymentID is then the id the provider named
// (learnPaymentID).
func (c *check) pay(co *mfspay.Checkout, p simctl.Payer) {
	c.Helper()
	require.NoError(c, c.s.sim.Pay(c.ctx, handle(co), p), "simulator Pay")
	if c.s.caps.Return == mfspay.ReturnExecute {
		rets := c.returns(co)
		require.NotEmpty(c, rets, "the simulator recorded no customer's return after Pay")
		ev, err := c.gateway().CompleteReturn(c.ctx, cloneReturn(rets[len(rets)-1]))
		require.NoError(c, err, "completing the customer's return after Pay, as the merchant's return endpoint does")
		c.adoptPaymentID(co, ev, "the customer's return")
	}
	c.learnPaymentID(co)
}

// returnOutcome completes the customer's latest return from co's hosted
// page through the rule's gateway, as the merchant's return endpoint does,
// and returns what it reports, checked (checkReturnEvent), or the error it
// answered. after is what the customer did (Pay, Cancel), which must have
// ended in a return. Where the create named no payment, co.PaymentID is
// then the id the return named.
func (c *check) returnOutcome(co *mfspay.Checkout, amount mfspay.Amount, after string) (*mfspay.Event, error) {
	c.Helper()
	rets := c.returns(co)
	require.NotEmpty(c, rets, "the simulator recorded no customer's return after %s", after)
	ev, err := c.gateway().CompleteReturn(c.ctx, cloneReturn(rets[len(rets)-1]))
	if err != nil {
		return nil, err
	}
	require.NotNil(c, ev, "CompleteReturn returned neither an event nor an error")
	c.checkReturnEvent(ev, co, amount)
	c.adoptPaymentID(co, ev, "the customer's return")
	return ev, nil
}

// paidOutcome returns how the merchant learns that co, just paid, was
// paid, where it cannot verify: the outcome of the customer's return where
// the gateway declares one (the return names the payment whatever the
// provider's notifications say), or else the provider's payment.completed
// notification. Either is checked against co and amount.
func (c *check) paidOutcome(co *mfspay.Checkout, amount mfspay.Amount) *mfspay.Event {
	c.Helper()
	if c.s.caps.Return == mfspay.ReturnNone {
		return c.awaitEvent(co, amount, mfspay.EventPaymentCompleted)
	}
	ev, err := c.returnOutcome(co, amount, "Pay")
	require.NoError(c, err, "completing the customer's return after Pay")
	assert.Equal(c, mfspay.EventPaymentCompleted, ev.Type, "the return of a customer who paid")
	return ev
}

// payPending has the customer submit without the wallet confirming, which
// the provider announces as pending. A simulator that cannot (its provider
// never announces one) makes the rule not applicable. Where the create
// named no payment, co.PaymentID is then the id the provider named.
func (c *check) payPending(co *mfspay.Checkout) {
	c.Helper()
	err := c.s.sim.Pay(c.ctx, handle(co), c.s.pendingPayer())
	if errors.Is(err, mfspay.ErrUnsupported) {
		c.Skipf("not applicable: the simulator cannot leave a payment pending (simctl.Payer.Pending): %v", err)
	}
	require.NoError(c, err, "simulator Pay with Payer.Pending")
	c.learnPaymentID(co)
}

// identify makes sure co can be looked up by payment id where the gateway
// looks payments up that way: if the create named no payment, the
// customer pays, and the provider names it (learnPaymentID). Rules that
// need a payment to read, not a pending one, use it.
func (c *check) identify(co *mfspay.Checkout) {
	c.Helper()
	if co.PaymentID == "" && c.s.caps.VerifyByPaymentID {
		c.pay(co, c.s.payer())
	}
}

func (c *check) cancel(co *mfspay.Checkout) {
	c.Helper()
	err := c.s.sim.Cancel(c.ctx, handle(co))
	if errors.Is(err, mfspay.ErrUnsupported) {
		c.Skipf("not applicable: the simulator cannot cancel a payment: %v", err)
	}
	require.NoError(c, err, "simulator Cancel")
}

func (c *check) expire(co *mfspay.Checkout) {
	c.Helper()
	err := c.s.sim.Expire(c.ctx, handle(co))
	if errors.Is(err, mfspay.ErrUnsupported) {
		c.Skipf("not applicable: the simulator cannot expire a payment: %v", err)
	}
	require.NoError(c, err, "simulator Expire")
}

// tamper makes the provider tell lie t in its next answer that t fits. A
// simulator whose wire format cannot express it makes the rule not
// applicable.
func (c *check) tamper(t simctl.Tamper) {
	c.Helper()
	err := c.s.sim.Fail(c.ctx, simctl.Fault{Tamper: t})
	if errors.Is(err, mfspay.ErrUnsupported) {
		c.Skipf("not applicable: the simulator cannot tell the lie %s: %v", t, err)
	}
	require.NoError(c, err, "simulator Fail with Tamper %s", t)
}

// returns are the customer's returns the simulator recorded for the
// payment.
func (c *check) returns(co *mfspay.Checkout) []mfspay.ReturnRequest {
	c.Helper()
	rets, err := c.s.sim.Returns(c.ctx, handle(co))
	require.NoError(c, err, "simulator Returns")
	return rets
}

func (c *check) notifications(co *mfspay.Checkout) []mfspay.WebhookRequest {
	c.Helper()
	ns, err := c.s.sim.Notifications(c.ctx, handle(co))
	require.NoError(c, err, "simulator Notifications")
	return ns
}

// refs are the ref forms co can be looked up by, the provider's payment id
// first: none where the gateway looks up by payment id only and the
// provider has not named the payment yet.
func (c *check) refs(co *mfspay.Checkout) []mfspay.PaymentRef {
	var out []mfspay.PaymentRef
	if c.s.caps.VerifyByPaymentID && co.PaymentID != "" {
		out = append(out, mfspay.PaymentRef{PaymentID: co.PaymentID})
	}
	if c.s.caps.VerifyByInvoice {
		out = append(out, mfspay.PaymentRef{InvoiceID: co.InvoiceID})
	}
	return out
}

// ref returns the ref form the gateway verifies by, preferring the
// provider's payment id. A rule asks only for a payment it can look up.
func (c *check) ref(co *mfspay.Checkout) mfspay.PaymentRef {
	c.Helper()
	refs := c.refs(co)
	require.NotEmpty(c, refs, "the suite looks up the payment for invoice %s, which it has no way to name "+
		"(a rule that needs a payment id must identify the payment first)", co.InvoiceID)
	return refs[0]
}

// verify looks a payment up, which must succeed.
func (c *check) verify(co *mfspay.Checkout) *mfspay.Payment {
	c.Helper()
	p, err := c.gateway().VerifyPayment(c.ctx, c.ref(co))
	require.NoError(c, err, "verifying payment %s", handle(co))
	require.NotNil(c, p, "VerifyPayment returned neither a payment nor an error")
	return p
}

// sleep waits d or until the rule's context ends.
func (c *check) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.ctx.Done():
	}
}
