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

// readCall is one read the gateway supports, against an existing payment.
type readCall struct {
	name string
	do   func(ctx context.Context, gw mfspay.Gateway, co *mfspay.Checkout) error
}

// missingReads names the reads the gateway does not support.
func (s *suite) missingReads() []string {
	var out []string
	if !s.caps.CanVerify() {
		out = append(out, "VerifyPayment")
	}
	if !s.caps.List {
		out = append(out, "ListPayments")
	}
	return out
}

// reads returns the reads the gateway supports: verify in its preferred
// form, then list.
func (s *suite) reads() []readCall {
	var out []readCall
	switch {
	case s.caps.VerifyByPaymentID:
		out = append(out, readCall{"VerifyPayment", func(ctx context.Context, gw mfspay.Gateway, co *mfspay.Checkout) error {
			_, err := gw.VerifyPayment(ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
			return err
		}})
	case s.caps.VerifyByInvoice:
		out = append(out, readCall{"VerifyPayment", func(ctx context.Context, gw mfspay.Gateway, co *mfspay.Checkout) error {
			_, err := gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: co.InvoiceID})
			return err
		}})
	}
	if s.caps.List {
		out = append(out, readCall{"ListPayments", func(ctx context.Context, gw mfspay.Gateway, _ *mfspay.Checkout) error {
			_, err := gw.ListPayments(ctx, mfspay.ListQuery{PerPage: 1})
			return err
		}})
	}
	return out
}

// errorRules check the error kinds a provider's refusals map to.
func (s *suite) errorRules(r Reporter) {
	s.rule(r, "WrongCredentialsAreUnauthorized", func(c *check) {
		_, co := c.newPayment(mfspay.Taka(150)) // a payment that exists, for the reads
		c.identify(co)
		bad := c.badCredentials()
		req := s.request(mfspay.Taka(150))
		before := c.requests()
		_, err := bad.CreatePayment(c.ctx, req)
		assert.ErrorIs(c, err, mfspay.ErrUnauthorized, "CreatePayment")
		assert.Equal(c, before+1, c.requests(), "a refused create is not retried")
		assert.Zero(c, c.payments(req.InvoiceID), "payments created with bad credentials")
		for _, read := range s.reads() {
			before := c.requests()
			assert.ErrorIs(c, read.do(c.ctx, bad, co), mfspay.ErrUnauthorized, read.name)
			assert.Equal(c, before+1, c.requests(), "a refused %s is not retried", read.name)
		}
	})
	s.rule(r, "RateLimitCarriesRetryAfter", func(c *check) {
		_, co := c.newPayment(mfspay.Taka(160))
		c.identify(co)
		// Longer than the policy waits for: the gateway must hand the wait
		// to its caller instead of sleeping.
		const wait = 30 * time.Second
		c.fail(simctl.Fault{Status: 429, RetryAfter: wait, Count: 100})
		req := s.request(mfspay.Taka(160))
		_, err := c.gateway().CreatePayment(c.ctx, req)
		c.checkRateLimited(err, wait, "CreatePayment")
		for _, read := range s.reads() {
			c.checkRateLimited(read.do(c.ctx, c.gateway(), co), wait, read.name)
		}
		c.clearFaults()
		assert.Zero(c, c.payments(req.InvoiceID), "payments created by a rate-limited create")
	})
}

func (c *check) checkRateLimited(err error, wait time.Duration, what string) {
	c.Helper()
	if !assert.ErrorIs(c, err, mfspay.ErrRateLimited, what) {
		return
	}
	var e *mfspay.Error
	if assert.True(c, errors.As(err, &e), "%s: the error is not an *mfspay.Error", what) {
		assert.Equal(c, wait, e.RetryAfter, "%s: Error.RetryAfter", what)
	}
}

// shortAttempt is the attempt timeout of the rules whose provider stalls
// for providerStall, so that an attempt times out.
const (
	shortAttempt  = 750 * time.Millisecond
	providerStall = 2500 * time.Millisecond
)

// resilienceRules check retries: reads ride out transient failures within
// the policy, and no failure ever turns one create into two payments. They
// provoke failures, so they use a gateway without a breaker.
func (s *suite) resilienceRules(r Reporter) {
	for _, missing := range s.missingReads() {
		why := "the gateway declares " + missing + " unsupported"
		notApplicable(r, "Retries"+missing+"ThroughTransientServerErrors", why)
		notApplicable(r, "Retries"+missing+"AfterAttemptTimeout", why)
		notApplicable(r, missing+"UnderPersistentServerErrorsIsUnavailable", why)
	}
	for _, read := range s.reads() {
		s.rule(r, "Retries"+read.name+"ThroughTransientServerErrors", func(c *check) {
			co := c.create(c.unguarded(), s.request(mfspay.Taka(170)))
			c.identify(co)
			// A proxy's HTML error page, twice: the adapter must neither
			// choke on the body nor give up.
			c.fail(simctl.Fault{Status: 502, ContentType: "text/html", Body: "<html><body>502 Bad Gateway</body></html>", Count: 2})
			before := c.requests()
			require.NoError(c, read.do(c.ctx, c.unguarded(), co))
			assert.Equal(c, before+3, c.requests(), "two failed attempts and one that succeeded")
		})
		s.rule(r, "Retries"+read.name+"AfterAttemptTimeout", func(c *check) {
			co := c.create(c.unguarded(), s.request(mfspay.Taka(171)))
			c.identify(co)
			gw := c.shortAttempts(shortAttempt)
			// First a read that succeeds, so that the stall meets the read
			// under test and not a fresh gateway's one-time set-up (bKash's
			// token grant, which is never retried).
			require.NoError(c, read.do(c.ctx, gw, co))
			c.fail(simctl.Fault{Delay: providerStall})
			before := c.requests()
			require.NoError(c, read.do(c.ctx, gw, co))
			// One attempt timed out and a retry succeeded; on a loaded
			// machine a retry may time out too, within the policy.
			n := c.requests() - before
			assert.GreaterOrEqual(c, n, 2, "the timed-out attempt was not retried")
			assert.LessOrEqual(c, n, maxAttempts, "attempts beyond the policy's %d: retries applied twice?", maxAttempts)
		})
		s.rule(r, read.name+"UnderPersistentServerErrorsIsUnavailable", func(c *check) {
			co := c.create(c.unguarded(), s.request(mfspay.Taka(172)))
			c.identify(co)
			c.fail(simctl.Fault{Status: 500, Count: 100})
			before := c.requests()
			err := read.do(c.ctx, c.unguarded(), co)
			assert.ErrorIs(c, err, mfspay.ErrUnavailable)
			n := c.requests() - before
			assert.GreaterOrEqual(c, n, 2, "a read is retried on 500")
			assert.LessOrEqual(c, n, maxAttempts, "attempts beyond the policy's %d: retries applied twice?", maxAttempts)
		})
	}
	s.rule(r, "CreateUnderPersistentServerErrorsCreatesNothing", func(c *check) {
		c.fail(simctl.Fault{Status: 500, Count: 100})
		req := s.request(mfspay.Taka(173))
		co, err := c.unguarded().CreatePayment(c.ctx, req)
		require.Error(c, err)
		assert.Nil(c, co)
		assert.True(c, errors.Is(err, mfspay.ErrUnavailable) || errors.Is(err, mfspay.ErrOutcomeUnknown),
			"want ErrUnavailable or ErrOutcomeUnknown, got %v", err)
		c.clearFaults()
		assert.Zero(c, c.payments(req.InvoiceID))
	})

	ambiguous := []struct {
		name  string
		fault simctl.Fault
		// timeout, when set, is the attempt timeout the fault's delay beats.
		timeout time.Duration
	}{
		{"ServerErrorAfterProcessing", simctl.Fault{AfterProcessing: true, Status: 500}, 0},
		// What proxies and load balancers in front of a provider answer
		// when the provider is slow or restarting: it may have acted.
		{"BadGatewayAfterProcessing", simctl.Fault{AfterProcessing: true, Status: 502,
			ContentType: "text/html", Body: "<html><body><h1>502 Bad Gateway</h1></body></html>"}, 0},
		{"ServiceUnavailableAfterProcessing", simctl.Fault{AfterProcessing: true, Status: 503}, 0},
		{"GatewayTimeoutAfterProcessing", simctl.Fault{AfterProcessing: true, Status: 504,
			ContentType: "text/html", Body: "<html><body><h1>504 Gateway Time-out</h1></body></html>"}, 0},
		{"ConnectionResetAfterProcessing", simctl.Fault{AfterProcessing: true, Reset: true}, 0},
		{"TruncatedAnswerAfterProcessing", simctl.Fault{AfterProcessing: true, ResetMidBody: true}, 0},
		{"TimeoutAfterProcessing", simctl.Fault{AfterProcessing: true, Delay: providerStall}, shortAttempt},
	}
	for _, tc := range ambiguous {
		s.rule(r, "AmbiguousCreateNeverDoublesPayment/"+tc.name, func(c *check) {
			gw := c.unguarded()
			if tc.timeout > 0 {
				gw = c.shortAttempts(tc.timeout)
				// A create that succeeds first, for the reason given in
				// Retries…AfterAttemptTimeout.
				c.create(gw, s.request(mfspay.Taka(181)))
			}
			c.fail(tc.fault)
			req := s.request(mfspay.Taka(180))
			co, err := gw.CreatePayment(c.ctx, req)
			c.clearFaults()
			n := c.payments(req.InvoiceID)
			assert.LessOrEqual(c, n, 1, "payments at the provider for one create: a double charge")
			if err != nil {
				assert.ErrorIs(c, err, mfspay.ErrOutcomeUnknown, "an ambiguous create that fails must say the outcome is unknown")
				assert.Nil(c, co)
				return
			}
			require.NotNil(c, co)
			assert.Equal(c, req.InvoiceID, co.InvoiceID, "Checkout.InvoiceID")
			assert.Equal(c, 1, n, "the create returned a checkout, so the provider holds its payment")
			if co.PaymentID != "" && s.caps.CanVerify() {
				p := c.verify(co)
				assert.Equal(c, co.PaymentID, p.PaymentID, "the checkout names the payment the provider holds")
			}
		})
	}
}
