package conformance

import (
	"net/url"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// answerRules check that a gateway believes nothing its provider (or a
// plugin) answers without checking it against the request and the
// vocabulary: the simulator lies once (simctl.Fault.Tamper) in an
// otherwise normal answer, and the lie must never reach the caller as a
// paid payment or an unsafe redirect. They provoke refusals, so they use a
// gateway without a breaker.
func (s *suite) answerRules(r Reporter) {
	reads := []struct {
		name   string
		tamper simctl.Tamper
	}{
		{"RefusesPaidReadWithZeroAmount", simctl.TamperPaidZeroAmount},
		{"RefusesPaidReadWithNegativeAmount", simctl.TamperNegativeAmount},
		{"RefusesReadAboutAnotherPayment", simctl.TamperOtherPayment},
		{"NeverReadsUnknownStatusAsKnown", simctl.TamperUnknownStatus},
	}
	for _, tc := range reads {
		if !s.caps.CanVerify() {
			notApplicable(r, tc.name, "the gateway declares VerifyPayment unsupported: no payment read can carry the lie")
			continue
		}
		s.rule(r, tc.name, func(c *check) {
			gw := c.unguarded()
			req := s.request(mfspay.Taka(190))
			co := c.create(gw, req)
			// Where the create named no payment, the customer pays so that
			// the provider names it: the truth after the lie is then paid.
			paid := co.PaymentID == "" && s.caps.VerifyByPaymentID
			c.identify(co)
			c.tamper(tc.tamper)
			p, err := gw.VerifyPayment(c.ctx, c.ref(co))
			c.clearFaults()
			if tc.tamper == simctl.TamperUnknownStatus && err == nil {
				// A status outside the adapter's table is StatusUnknown,
				// never one it guessed.
				require.NotNil(c, p)
				assert.Equal(c, mfspay.StatusUnknown, p.Status,
					"the provider answered a status it never documented; the gateway read it as %s", p.Status)
			} else {
				assert.ErrorIs(c, err, mfspay.ErrUnavailable, "a payment read that breaks the contract (%s)", tc.tamper)
				if !assert.Nil(c, p, "a payment next to the refusal") {
					assert.NotEqual(c, mfspay.StatusPaid, p.Status, "the lie reached the caller as a paid payment")
				}
			}
			// The next answer is the truth, and the gateway reads it.
			truth, err := gw.VerifyPayment(c.ctx, c.ref(co))
			require.NoError(c, err, "the read after the lie")
			if paid {
				c.checkPaid(truth, req, co)
			} else {
				c.checkPending(truth, req, co)
			}
		})
	}
	s.rule(r, "RefusesCreateWithNonHTTPRedirect", func(c *check) {
		gw := c.unguarded()
		req := s.request(mfspay.Taka(191))
		c.tamper(simctl.TamperBadRedirect)
		co, err := gw.CreatePayment(c.ctx, req)
		c.clearFaults()
		n := c.payments(req.InvoiceID)
		assert.LessOrEqual(c, n, 1, "payments at the provider for one create")
		if err != nil {
			// The provider made the payment but answered a redirect no
			// browser should follow.
			assert.ErrorIs(c, err, mfspay.ErrOutcomeUnknown, "a create answered with an unusable redirect")
			assert.Nil(c, co, "a checkout next to the error")
			return
		}
		// An adapter may settle the outcome with the provider, as after
		// any ambiguous create, and answer the payment it holds: never
		// with the redirect it was told.
		require.NotNil(c, co)
		u, perr := url.Parse(co.RedirectURL)
		assert.True(c, perr == nil && u.IsAbs() && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "",
			"the caller was handed the redirect %q", co.RedirectURL)
		assert.Equal(c, 1, n, "the create returned a checkout, so the provider holds its payment")
		if co.PaymentID != "" && s.caps.CanVerify() {
			assert.Equal(c, co.PaymentID, c.verify(co).PaymentID, "the checkout names the payment the provider holds")
		}
	})
}
