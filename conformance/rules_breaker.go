package conformance

import (
	"context"
	"errors"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// recoveryWait is how long past its open timeout the suite waits for the
// breaker to let a probe through.
const recoveryWait = 5 * time.Second

// breakerRules check the circuit breaker on one gateway through its life:
// it opens after repeated unavailability, fails fast without traffic while
// open, and closes again once the provider recovers. The rules share the
// gateway and run in order; each fails on its own if the one before did
// not leave the breaker as it needs.
func (s *suite) breakerRules(r Reporter) {
	ctx := context.Background()
	raw, err := s.h.MakeGateway(ctx, s.settings.Values, resilience(s.logs.logger()))
	if err != nil {
		r.Errorf("making a gateway: %v", err)
		return
	}
	r.Cleanup(func() {
		if err := closeGateway(raw); err != nil {
			r.Errorf("closing the gateway: %v", err)
		}
	})
	gw := &recorded{inner: raw, caps: raw.Capabilities(), rule: r.Name(), log: &s.errs}
	_, observable := mfspay.BreakerStateOf(raw)
	if !observable {
		r.Logf("Breaker: the gateway does not expose its breaker state (mfspay.BreakerStateOf); judging by behaviour")
	}

	// probe is the call the rules repeat: a read of a payment made before
	// the faults when the gateway can read, otherwise a create.
	var existing *mfspay.Checkout
	probe := func(c *check) error {
		switch {
		case s.caps.VerifyByPaymentID:
			_, err := gw.VerifyPayment(c.ctx, mfspay.PaymentRef{PaymentID: existing.PaymentID})
			return err
		case s.caps.VerifyByInvoice:
			_, err := gw.VerifyPayment(c.ctx, mfspay.PaymentRef{InvoiceID: existing.InvoiceID})
			return err
		case s.caps.List:
			_, err := gw.ListPayments(c.ctx, mfspay.ListQuery{PerPage: 1})
			return err
		}
		_, err := gw.CreatePayment(c.ctx, s.request(mfspay.Taka(90)))
		return err
	}

	opened := false
	var openedAt time.Time
	s.rule(r, "OpensAfterRepeatedUnavailability", func(c *check) {
		existing = c.create(gw, s.request(mfspay.Taka(90)))
		c.identify(existing)
		c.fail(simctl.Fault{Status: 503, Count: 10000})
		for i := 1; i <= breakerThreshold; i++ {
			err := probe(c)
			require.Error(c, err, "call %d against a failing provider", i)
			require.NotErrorIs(c, err, mfspay.ErrCircuitOpen, "open after %d failures; the threshold is %d", i-1, breakerThreshold)
			require.True(c, errors.Is(err, mfspay.ErrUnavailable) || errors.Is(err, mfspay.ErrOutcomeUnknown),
				"call %d: want ErrUnavailable, got %v", i, err)
		}
		openedAt = time.Now()
		if state, ok := mfspay.BreakerStateOf(raw); ok {
			require.Equal(c, mfspay.BreakerOpen, state, "breaker state after %d consecutive failures", breakerThreshold)
		}
		require.ErrorIs(c, probe(c), mfspay.ErrCircuitOpen, "the call after %d consecutive failures", breakerThreshold)
		opened = true
	})
	s.rule(r, "FailsFastWithoutTrafficWhileOpen", func(c *check) {
		require.True(c, opened, "the breaker did not open")
		// newCheck cleared the faults; put them back so a leak through the
		// breaker would fail rather than succeed quietly.
		c.fail(simctl.Fault{Status: 503, Count: 10000})
		before := c.requests()
		calls := []func() error{
			func() error { return probe(c) },
			func() error { _, err := gw.CreatePayment(c.ctx, s.request(mfspay.Taka(91))); return err },
		}
		for i, call := range calls {
			assert.ErrorIs(c, call(), mfspay.ErrCircuitOpen, "call %d while open", i+1)
		}
		assert.Equal(c, before, c.requests(),
			"requests reached the provider while the breaker was open (%v after it opened; it stays open %v)",
			time.Since(openedAt).Round(time.Millisecond), breakerOpenFor)
	})
	s.rule(r, "RecoversAfterOpenTimeout", func(c *check) {
		require.True(c, opened, "the breaker did not open")
		// The provider is healthy again (newCheck cleared the faults). Poll
		// until the breaker lets a probe through: while it is open a call
		// costs nothing and reaches no one.
		deadline := openedAt.Add(breakerOpenFor + recoveryWait)
		err := probe(c)
		for errors.Is(err, mfspay.ErrCircuitOpen) && time.Now().Before(deadline) && c.ctx.Err() == nil {
			c.sleep(50 * time.Millisecond)
			err = probe(c)
		}
		require.NoError(c, err, "the half-open probe against a healthy provider, %v after the breaker opened", time.Since(openedAt).Round(time.Millisecond))
		if state, ok := mfspay.BreakerStateOf(raw); ok {
			assert.Equal(c, mfspay.BreakerClosed, state, "breaker state after a successful probe")
		}
		assert.NoError(c, probe(c), "a call after recovery")
	})
}
