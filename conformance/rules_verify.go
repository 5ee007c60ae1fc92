package conformance

import (
	"errors"
	"fmt"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// verifyRules check VerifyPayment on pending and unknown payments and on
// malformed refs.
func (s *suite) verifyRules(r Reporter) {
	caps := s.caps
	if caps.VerifyByInvoice {
		s.rule(r, "ByInvoiceReturnsThePendingPayment", func(c *check) {
			req, co := c.newPayment(mfspay.Taka(120))
			p, err := c.gateway().VerifyPayment(c.ctx, mfspay.PaymentRef{InvoiceID: req.InvoiceID})
			require.NoError(c, err)
			c.checkPending(p, req, co)
		})
		s.rule(r, "UnknownInvoiceIsNotFound", func(c *check) {
			_, err := c.gateway().VerifyPayment(c.ctx, mfspay.PaymentRef{InvoiceID: s.nextID("-NONE-")})
			require.ErrorIs(c, err, mfspay.ErrNotFound)
		})
	} else {
		why := "the gateway declares no lookup by invoice id (Capabilities.VerifyByInvoice); " +
			"Capabilities/UnsupportedOperationsReturnErrUnsupported checks it answers ErrUnsupported"
		notApplicable(r, "ByInvoiceReturnsThePendingPayment", why)
		notApplicable(r, "UnknownInvoiceIsNotFound", why)
	}
	if caps.VerifyByPaymentID {
		s.rule(r, "ByPaymentIDReturnsThePendingPayment", func(c *check) {
			req, co := c.newPayment(mfspay.Taka(130))
			c.needsPaymentID(co, "a payment nobody has paid yet has no id to look it up by; "+
				"Status/PendingWhileTheWalletHasNotConfirmed reads a pending payment by the id its return or notification named")
			p, err := c.gateway().VerifyPayment(c.ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
			require.NoError(c, err)
			c.checkPending(p, req, co)
		})
		s.rule(r, "UnknownPaymentIDIsNotFound", func(c *check) {
			_, co := c.newPayment(mfspay.Taka(140))
			c.identify(co)
			// A well-formed id the provider never issued: the real one with
			// its tail changed.
			unknown := mutateID(co.PaymentID)
			_, err := c.gateway().VerifyPayment(c.ctx, mfspay.PaymentRef{PaymentID: unknown})
			require.ErrorIs(c, err, mfspay.ErrNotFound, "verifying made-up payment id %q", unknown)
		})
	} else {
		why := "the gateway declares no lookup by payment id (Capabilities.VerifyByPaymentID); " +
			"Capabilities/UnsupportedOperationsReturnErrUnsupported checks it answers ErrUnsupported"
		notApplicable(r, "ByPaymentIDReturnsThePendingPayment", why)
		notApplicable(r, "UnknownPaymentIDIsNotFound", why)
	}
	for _, tc := range []struct {
		name string
		ref  mfspay.PaymentRef
	}{
		{"RejectsEmptyRefWithoutTraffic", mfspay.PaymentRef{}},
		{"RejectsRefWithBothIDsWithoutTraffic", mfspay.PaymentRef{InvoiceID: "INV-1", PaymentID: "pay_1"}},
	} {
		s.rule(r, tc.name, func(c *check) {
			gw := c.gateway()
			c.noTraffic("an invalid verify", func() {
				p, err := gw.VerifyPayment(c.ctx, tc.ref)
				require.ErrorIs(c, err, mfspay.ErrInvalidRequest)
				assert.Nil(c, p)
			})
		})
	}
}

// checkPending checks a freshly created payment as VerifyPayment sees it.
func (c *check) checkPending(p *mfspay.Payment, req mfspay.CreatePaymentRequest, co *mfspay.Checkout) {
	c.Helper()
	require.NotNil(c, p)
	assert.Equal(c, c.s.provider, p.Provider, "Payment.Provider")
	assert.Equal(c, co.PaymentID, p.PaymentID, "Payment.PaymentID")
	assert.Equal(c, req.InvoiceID, p.InvoiceID, "Payment.InvoiceID")
	assert.Equal(c, mfspay.StatusPending, p.Status, "Payment.Status before the customer paid")
	assert.Equal(c, req.Amount, p.Amount, "Payment.Amount")
	assert.Empty(c, p.TrxID, "Payment.TrxID before the customer paid")
	assert.True(c, p.PaidAt.IsZero(), "Payment.PaidAt before the customer paid")
}

// checkPaid checks a payment, paid through the simulator, as VerifyPayment
// sees it.
func (c *check) checkPaid(p *mfspay.Payment, req mfspay.CreatePaymentRequest, co *mfspay.Checkout) {
	c.Helper()
	require.NotNil(c, p)
	assert.Equal(c, c.s.provider, p.Provider, "Payment.Provider")
	assert.Equal(c, co.PaymentID, p.PaymentID, "Payment.PaymentID")
	assert.Equal(c, req.InvoiceID, p.InvoiceID, "Payment.InvoiceID")
	assert.Equal(c, mfspay.StatusPaid, p.Status, "Payment.Status after the customer paid")
	assert.Equal(c, req.Amount, p.Amount, "Payment.Amount")
}

// mutateID changes the last characters of id within their class (digit,
// hex letter, other letter, in either case), so the result looks like an id
// but names nothing.
func mutateID(id string) string {
	b := []byte(id)
	changed := 0
	for i := len(b) - 1; i >= 0 && changed < 4; i-- {
		switch c := b[i]; {
		case '0' <= c && c <= '9':
			b[i] = '0' + (c-'0'+5)%10
		case 'a' <= c && c <= 'f': // stay hex for hex ids
			b[i] = 'a' + (c-'a'+3)%6
		case 'A' <= c && c <= 'F':
			b[i] = 'A' + (c-'A'+3)%6
		case 'a' <= c && c <= 'z':
			b[i] = 'g' + (c-'g'+10)%20
		case 'A' <= c && c <= 'Z':
			b[i] = 'G' + (c-'G'+10)%20
		default:
			continue
		}
		changed++
	}
	return string(b)
}

// statusRules check the status a payment reaches after the customer pays
// or cancels, or it expires: through VerifyPayment where the gateway can
// verify, otherwise through the customer's return where the gateway
// declares one, or else the provider's notifications. A status the gateway
// does not declare (Capabilities.Statuses) is not asked for; what it
// reports instead is checked never to be paid.
func (s *suite) statusRules(r Reporter) {
	s.rule(r, "PaidAfterPay", func(c *check) {
		req, co := c.newPayment(mfspay.Taka(500))
		payer := s.payer()
		c.pay(co, payer)
		if !s.caps.CanVerify() {
			ev := c.paidOutcome(co, req.Amount)
			assert.Equal(c, mfspay.StatusPaid, ev.Payment.Status)
			c.checkPaidClaims(&ev.Payment, payer)
			return
		}
		for _, p := range c.verifyEveryWay(co) {
			assert.Equal(c, mfspay.StatusPaid, p.Status, "Payment.Status after the customer paid")
			assert.Equal(c, req.Amount, p.Amount, "Payment.Amount")
			assert.Equal(c, co.PaymentID, p.PaymentID, "Payment.PaymentID")
			assert.Equal(c, req.InvoiceID, p.InvoiceID, "Payment.InvoiceID")
			assert.Equal(c, payer.TrxID, p.TrxID, "Payment.TrxID is the transaction id the payer entered")
			// A provider's read may leave out the payer's wallet or number
			// (bKash's query names no customerMsisdn); what it gives must
			// be what the payer entered.
			c.checkPaidClaims(p, payer)
		}
	})
	if s.caps.CanVerify() {
		s.rule(r, "PendingWhileTheWalletHasNotConfirmed", func(c *check) {
			req, co := c.newPayment(mfspay.Taka(505))
			c.payPending(co)
			for _, p := range c.verifyEveryWay(co) {
				assert.Equal(c, mfspay.StatusPending, p.Status, "Payment.Status while the wallet has not confirmed")
				assert.Equal(c, req.Amount, p.Amount, "Payment.Amount")
				assert.True(c, p.PaidAt.IsZero(), "Payment.PaidAt of a payment not yet paid")
			}
			// It stays payable.
			c.pay(co, s.payer())
			for _, p := range c.verifyEveryWay(co) {
				assert.Equal(c, mfspay.StatusPaid, p.Status, "Payment.Status once the wallet confirmed")
			}
		})
	} else {
		notApplicable(r, "PendingWhileTheWalletHasNotConfirmed", "the gateway cannot verify; "+
			"Webhooks/PendingNotificationIsNotCompleted checks a pending payment through its notifications")
	}
	if why := s.cannotObserve(mfspay.StatusCancelled, mfspay.EventPaymentCancelled); why != "" {
		notApplicable(r, "CancelledAfterCancel", why+"; Status/NotPaidAfterCancelOrExpire checks what a cancel leaves")
	} else {
		s.rule(r, "CancelledAfterCancel", func(c *check) {
			req, co := c.newPayment(mfspay.Taka(510))
			c.cancel(co)
			// Where the customer's return has something to act on, the
			// merchant learns the cancel as it learns a payment: by
			// completing the return. A provider whose reads know nothing of
			// a cancel on its page (bKash's query answers Initiated for
			// ever) may then still read pending, never paid.
			toldByReturn := false
			if s.caps.Return != mfspay.ReturnNone {
				ev, err := c.returnOutcome(co, req.Amount, "Cancel")
				if err != nil {
					c.Logf("the customer's return after Cancel was refused (%v): the cancel must show elsewhere", err)
				} else {
					assert.Equal(c, mfspay.EventPaymentCancelled, ev.Type, "the return of a customer who cancelled")
					assert.Equal(c, mfspay.StatusCancelled, ev.Payment.Status, "the return of a customer who cancelled")
					assert.Empty(c, ev.Payment.TrxID, "a cancelled payment has no transaction id")
					toldByReturn = true
				}
			}
			if !s.caps.CanVerify() {
				if !toldByReturn {
					ev := c.awaitEvent(co, req.Amount, mfspay.EventPaymentCancelled)
					assert.Equal(c, mfspay.StatusCancelled, ev.Payment.Status)
				}
				return
			}
			for _, p := range c.verifyEveryWay(co) {
				assert.Empty(c, p.TrxID, "a cancelled payment has no transaction id")
				if toldByReturn {
					assert.Contains(c, []mfspay.Status{mfspay.StatusCancelled, mfspay.StatusPending}, p.Status,
						"Payment.Status after the return reported the cancel")
					continue
				}
				assert.Equal(c, mfspay.StatusCancelled, p.Status, "Payment.Status after the customer cancelled")
			}
		})
	}
	// A provider without an expired notification announces the lapse as a
	// failure, so a gateway that cannot verify is judged by payment.failed.
	expiredEvent := mfspay.EventPaymentExpired
	if !s.caps.CanVerify() && !s.caps.Supports(expiredEvent) {
		expiredEvent = mfspay.EventPaymentFailed
	}
	if why := s.cannotObserve(mfspay.StatusExpired, expiredEvent); why != "" {
		notApplicable(r, "ExpiredAfterExpire", why+"; Status/NotPaidAfterCancelOrExpire checks what an expiry leaves")
	} else {
		s.rule(r, "ExpiredAfterExpire", func(c *check) {
			req, co := c.newPayment(mfspay.Taka(520))
			c.expire(co)
			if !s.caps.CanVerify() {
				ev := c.awaitEvent(co, req.Amount, expiredEvent)
				assert.NotEqual(c, mfspay.StatusPaid, ev.Payment.Status)
				return
			}
			for _, p := range c.verifyEveryWay(co) {
				assert.Equal(c, mfspay.StatusExpired, p.Status, "Payment.Status after the payment expired")
				assert.Empty(c, p.TrxID, "an expired payment has no transaction id")
			}
		})
	}
	s.rule(r, "NotPaidAfterCancelOrExpire", func(c *check) {
		req, cancelled := c.newPayment(mfspay.Taka(530))
		c.cancel(cancelled)
		_, expired := c.newPayment(mfspay.Taka(530))
		canExpire := true
		if err := s.sim.Expire(c.ctx, handle(expired)); errors.Is(err, mfspay.ErrUnsupported) {
			canExpire = false
			c.Logf("the simulator cannot expire a payment: %v", err)
		} else {
			require.NoError(c, err, "simulator Expire")
		}
		for _, co := range []*mfspay.Checkout{cancelled, expired} {
			if co == expired && !canExpire {
				continue
			}
			switch {
			case len(c.refs(co)) > 0:
				for _, p := range c.verifyEveryWay(co) {
					assert.NotEqual(c, mfspay.StatusPaid, p.Status, "payment %s was never paid", co.PaymentID)
					assert.Empty(c, p.TrxID, "payment %s was never paid, yet has a transaction id", co.PaymentID)
				}
			case s.caps.CanVerify():
				c.Logf("the payment for invoice %s cannot be looked up: %s, and its customer never paid", co.InvoiceID, noPaymentIDYet)
			}
			if len(s.caps.EventTypes) > 0 {
				// Whatever the provider announced by now, and whichever
				// status it chose, nothing says paid.
				for i, n := range c.notifications(co) {
					ev, err := c.gateway().ParseWebhook(c.ctx, cloneRequest(n))
					require.NoError(c, err, "parsing genuine notification %d about %s: %s", i, handle(co), n.Body)
					c.checkEvent(ev, co, req.Amount, n.Body)
					assert.NotEqual(c, mfspay.EventPaymentCompleted, ev.Type, "a payment never paid announced as completed: %s", n.Body)
				}
			}
		}
	})
}

// cannotObserve says why the suite cannot ask for status (through a verify,
// or else through event), or "" when it can.
func (s *suite) cannotObserve(status mfspay.Status, event mfspay.EventType) string {
	switch {
	case !s.caps.Reports(status):
		return fmt.Sprintf("the gateway declares no %s status (Capabilities.Statuses)", status)
	case !s.caps.CanVerify() && !s.caps.Supports(event):
		return fmt.Sprintf("the gateway can neither verify nor announce %s", event)
	}
	return ""
}

// verifyEveryWay verifies co by each ref form the gateway supports. A
// payment the provider has not named, where the gateway looks up by
// payment id only, makes the rule not applicable.
func (c *check) verifyEveryWay(co *mfspay.Checkout) []*mfspay.Payment {
	c.Helper()
	refs := c.refs(co)
	if len(refs) == 0 && c.s.caps.CanVerify() {
		c.Skipf("not applicable: %s, so a payment whose customer cancelled or never came back has no id to look it up by",
			noPaymentIDYet)
	}
	var out []*mfspay.Payment
	for _, ref := range refs {
		p, err := c.gateway().VerifyPayment(c.ctx, ref)
		require.NoError(c, err, "verifying %+v", ref)
		require.NotNil(c, p)
		out = append(out, p)
	}
	return out
}

// checkPaidClaims checks what a notification or lookup says about the
// payer: each detail it gives must be what the payer entered.
func (c *check) checkPaidClaims(p *mfspay.Payment, payer simctl.Payer) {
	c.Helper()
	if p.TrxID != "" {
		assert.Equal(c, payer.TrxID, p.TrxID, "TrxID")
	}
	if p.Method != "" && p.Method != mfspay.MethodUnknown {
		assert.Equal(c, payer.Method, p.Method, "Method")
	}
	if p.Sender != "" {
		assert.Equal(c, payer.Sender, p.Sender, "Sender")
	}
}
