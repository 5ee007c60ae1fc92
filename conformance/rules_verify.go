package conformance

import (
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
	}
	if caps.VerifyByPaymentID {
		s.rule(r, "ByPaymentIDReturnsThePendingPayment", func(c *check) {
			req, co := c.newPayment(mfspay.Taka(130))
			p, err := c.gateway().VerifyPayment(c.ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
			require.NoError(c, err)
			c.checkPending(p, req, co)
		})
		s.rule(r, "UnknownPaymentIDIsNotFound", func(c *check) {
			_, co := c.newPayment(mfspay.Taka(140))
			// A well-formed id the provider never issued: the real one with
			// its tail changed.
			unknown := mutateID(co.PaymentID)
			_, err := c.gateway().VerifyPayment(c.ctx, mfspay.PaymentRef{PaymentID: unknown})
			require.ErrorIs(c, err, mfspay.ErrNotFound, "verifying made-up payment id %q", unknown)
		})
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
// verify, otherwise through the provider's notifications.
func (s *suite) statusRules(r Reporter) {
	s.rule(r, "PaidAfterPay", func(c *check) {
		req, co := c.newPayment(mfspay.Taka(500))
		payer := s.payer()
		c.pay(co.PaymentID, payer)
		if !s.caps.CanVerify() {
			ev := c.awaitEvent(co, req.Amount, mfspay.EventPaymentCompleted)
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
			assert.Equal(c, payer.Method, p.Method, "Payment.Method is the wallet the payer chose")
			assert.Equal(c, payer.Sender, p.Sender, "Payment.Sender is the wallet number the payer entered")
		}
	})
	s.rule(r, "CancelledAfterCancel", func(c *check) {
		req, co := c.newPayment(mfspay.Taka(510))
		c.cancel(co.PaymentID)
		if !s.caps.CanVerify() {
			ev := c.awaitEvent(co, req.Amount, mfspay.EventPaymentCancelled)
			assert.Equal(c, mfspay.StatusCancelled, ev.Payment.Status)
			return
		}
		for _, p := range c.verifyEveryWay(co) {
			assert.Equal(c, mfspay.StatusCancelled, p.Status, "Payment.Status after the customer cancelled")
			assert.Empty(c, p.TrxID, "a cancelled payment has no transaction id")
		}
	})
	s.rule(r, "ExpiredAfterExpire", func(c *check) {
		req, co := c.newPayment(mfspay.Taka(520))
		c.expire(co.PaymentID)
		if !s.caps.CanVerify() {
			// A provider without an expired notification announces the
			// lapse as a failure; either way never as paid.
			want := mfspay.EventPaymentExpired
			if !s.caps.Supports(want) {
				want = mfspay.EventPaymentFailed
			}
			ev := c.awaitEvent(co, req.Amount, want)
			assert.NotEqual(c, mfspay.StatusPaid, ev.Payment.Status)
			return
		}
		for _, p := range c.verifyEveryWay(co) {
			assert.Equal(c, mfspay.StatusExpired, p.Status, "Payment.Status after the payment expired")
			assert.Empty(c, p.TrxID, "an expired payment has no transaction id")
		}
	})
}

// verifyEveryWay verifies co by each ref form the gateway supports.
func (c *check) verifyEveryWay(co *mfspay.Checkout) []*mfspay.Payment {
	c.Helper()
	var refs []mfspay.PaymentRef
	if c.s.caps.VerifyByPaymentID {
		refs = append(refs, mfspay.PaymentRef{PaymentID: co.PaymentID})
	}
	if c.s.caps.VerifyByInvoice {
		refs = append(refs, mfspay.PaymentRef{InvoiceID: co.InvoiceID})
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
