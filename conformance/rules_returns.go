package conformance

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

// concurrentReturns is how many times the concurrency rule completes one
// return at once: a customer's browser reloading, or several tabs.
const concurrentReturns = 5

// returnRules check the customer's return from the hosted page, for
// gateways that declare one (Capabilities.Return): the outcome comes from
// the provider, never from the return's query, which anyone can forge; a
// return repeated at once reports one outcome. A gateway without returns
// must refuse them.
func (s *suite) returnRules(r Reporter) {
	names := []string{"PaidAfterPay", "NeverPaidAfterCancel", "ForgedReturnNeverPaysTheRealInvoice", "ConcurrentRepeatsReportOneOutcome"}
	if s.caps.Return == mfspay.ReturnNone {
		s.rule(r, "UnsupportedWithoutTraffic", func(c *check) {
			_, co := c.newPayment(mfspay.Taka(70))
			ret := mfspay.ReturnRequest{Method: http.MethodGet, Query: url.Values{
				"payment_id": {co.PaymentID}, "invoice_id": {co.InvoiceID}, "status": {"success"},
			}}
			c.noTraffic("CompleteReturn", func() {
				ev, err := c.gateway().CompleteReturn(c.ctx, ret)
				assert.ErrorIs(c, err, mfspay.ErrUnsupported, "CompleteReturn on a gateway that declares no return")
				assert.Nil(c, ev)
			})
		})
		for _, name := range names {
			notApplicable(r, name, "the gateway declares no customer's return (Capabilities.Return is ReturnNone)")
		}
		return
	}
	notApplicable(r, "UnsupportedWithoutTraffic", "the gateway declares the customer's return ("+string(s.caps.Return)+")")

	s.rule(r, "PaidAfterPay", func(c *check) {
		req, co := c.newPayment(mfspay.Taka(710))
		require.NoError(c, s.sim.Pay(c.ctx, handle(co), s.payer()), "simulator Pay")
		rets := c.returns(co)
		require.NotEmpty(c, rets, "the simulator recorded no customer's return after Pay")
		for _, ret := range rets {
			ev, err := c.gateway().CompleteReturn(c.ctx, cloneReturn(ret))
			require.NoError(c, err, "completing the customer's return %v", ret.Query)
			require.NotNil(c, ev)
			c.checkReturnEvent(ev, co, req.Amount)
			c.adoptPaymentID(co, ev, "the customer's return")
			assert.Equal(c, mfspay.EventPaymentCompleted, ev.Type, "the return of a customer who paid")
			assert.Equal(c, mfspay.StatusPaid, ev.Payment.Status, "the return of a customer who paid")
		}
		c.checkVerified(co, mfspay.StatusPaid)
	})
	s.rule(r, "NeverPaidAfterCancel", func(c *check) {
		req, co := c.newPayment(mfspay.Taka(720))
		c.cancel(co)
		rets := c.returns(co)
		require.NotEmpty(c, rets, "the simulator recorded no customer's return after Cancel")
		for _, ret := range rets {
			ev, err := c.gateway().CompleteReturn(c.ctx, cloneReturn(ret))
			if err != nil {
				continue // refusing is fine; Hygiene/EveryErrorHasAKind checks the error
			}
			require.NotNil(c, ev)
			c.checkReturnEvent(ev, co, req.Amount)
			assert.NotEqual(c, mfspay.StatusPaid, ev.Payment.Status, "the return of a customer who cancelled")
			assert.NotEqual(c, mfspay.EventPaymentCompleted, ev.Type, "the return of a customer who cancelled")
		}
		c.checkVerified(co, "")
	})
	s.rule(r, "ForgedReturnNeverPaysTheRealInvoice", func(c *check) {
		// The real invoice is A, unpaid; the forger paid a cheaper B and
		// edits B's genuine return to name A.
		_, a := c.newPayment(mfspay.Taka(730))
		reqB, b := c.newPayment(mfspay.Taka(1))
		require.NoError(c, s.sim.Pay(c.ctx, handle(b), s.payer()), "simulator Pay")
		rets := c.returns(b)
		require.NotEmpty(c, rets, "the simulator recorded no customer's return after Pay")
		genuine := rets[len(rets)-1]
		if b.PaymentID == "" {
			// The forger learns B's payment id as the shop does: from
			// B's genuine return.
			ev, err := c.gateway().CompleteReturn(c.ctx, cloneReturn(genuine))
			require.NoError(c, err, "completing B's genuine return %v", genuine.Query)
			c.checkReturnEvent(ev, b, reqB.Amount)
			c.adoptPaymentID(b, ev, "B's genuine return")
		}
		if a.PaymentID == "" {
			// A must stay unpaid and yet be named: its customer submits
			// and the wallet never confirms.
			if err := s.sim.Pay(c.ctx, handle(a), s.pendingPayer()); errors.Is(err, mfspay.ErrUnsupported) {
				c.Logf("A keeps no payment id to forge (the simulator cannot leave a payment pending: %v)", err)
			} else {
				require.NoError(c, err, "simulator Pay with Payer.Pending")
				c.learnPaymentID(a)
			}
		}
		if !returnMentions(genuine, b.PaymentID) && !returnMentions(genuine, b.InvoiceID) {
			c.Skipf("not applicable: the provider's return names its payment by neither the payment id nor the invoice id, so the suite cannot forge it")
		}
		if a.PaymentID == "" && !returnMentions(genuine, b.InvoiceID) {
			c.Skipf("not applicable: %s, the simulator cannot leave a payment pending, and the provider's return "+
				"does not name the invoice, so the suite has nothing of A's to forge B's return with", noPaymentIDYet)
		}
		for _, f := range []struct {
			what string
			swap map[string]string
		}{
			{"A's payment id", map[string]string{b.PaymentID: a.PaymentID}},
			{"A's invoice id", map[string]string{b.InvoiceID: a.InvoiceID}},
			{"A's payment and invoice ids", map[string]string{b.PaymentID: a.PaymentID, b.InvoiceID: a.InvoiceID}},
		} {
			if _, naming := f.swap[b.PaymentID]; naming && a.PaymentID == "" {
				continue // A has no payment id to forge with
			}
			ev, err := c.gateway().CompleteReturn(c.ctx, replaceInReturn(genuine, f.swap))
			if err != nil {
				continue // refusing is fine; Hygiene/EveryErrorHasAKind checks the error
			}
			require.NotNil(c, ev)
			if ev.Payment.Status != mfspay.StatusPaid && ev.Type != mfspay.EventPaymentCompleted {
				continue
			}
			// Paid may only ever be the truth about B.
			assert.NotEqual(c, a.InvoiceID, ev.Payment.InvoiceID, "a return forged with %s reported the real invoice paid", f.what)
			assert.NotEqual(c, a.PaymentID, ev.Payment.PaymentID, "a return forged with %s reported the real payment paid", f.what)
			assert.Equal(c, b.PaymentID, ev.Payment.PaymentID, "a return forged with %s reported paid", f.what)
			assert.Equal(c, reqB.Amount, ev.Payment.Amount, "a return forged with %s reported paid", f.what)
		}
		c.checkVerified(a, "")
		// The forgeries spoiled nothing: B's genuine return completes.
		ev, err := c.gateway().CompleteReturn(c.ctx, cloneReturn(genuine))
		require.NoError(c, err, "the genuine return after the forgeries")
		c.checkReturnEvent(ev, b, reqB.Amount)
		assert.Equal(c, mfspay.StatusPaid, ev.Payment.Status, "the genuine return after the forgeries")
	})
	s.rule(r, "ConcurrentRepeatsReportOneOutcome", func(c *check) {
		req, co := c.newPayment(mfspay.Taka(740))
		require.NoError(c, s.sim.Pay(c.ctx, handle(co), s.payer()), "simulator Pay")
		rets := c.returns(co)
		require.NotEmpty(c, rets, "the simulator recorded no customer's return after Pay")
		ret := rets[len(rets)-1]
		gw := c.gateway()
		events := make([]*mfspay.Event, concurrentReturns)
		errs := make([]error, concurrentReturns)
		var wg sync.WaitGroup
		for i := range events {
			wg.Go(func() { events[i], errs[i] = gw.CompleteReturn(c.ctx, cloneReturn(ret)) })
		}
		wg.Wait()
		for i := range events {
			if !assert.NoError(c, errs[i], "completion %d of the same return", i+1) || !assert.NotNil(c, events[i]) {
				continue
			}
			// Where the create named no payment, the first outcome names
			// it and the others must agree.
			c.adoptPaymentID(co, events[i], fmt.Sprintf("completion %d of the same return", i+1))
			c.checkReturnEvent(events[i], co, req.Amount)
			assert.Equal(c, mfspay.EventPaymentCompleted, events[i].Type, "completion %d of the return of a customer who paid", i+1)
			assert.Equal(c, mfspay.StatusPaid, events[i].Payment.Status, "completion %d of the return of a customer who paid", i+1)
		}
		assert.Equal(c, 1, c.payments(req.InvoiceID), "payments at the provider for the invoice")
		c.checkVerified(co, mfspay.StatusPaid)
	})
}

// checkReturnEvent checks what every event from a return about co says:
// the payment it names and its exact amount.
func (c *check) checkReturnEvent(ev *mfspay.Event, co *mfspay.Checkout, amount mfspay.Amount) {
	c.Helper()
	assert.Equal(c, c.s.provider, ev.Provider, "Event.Provider")
	assert.NotEmpty(c, ev.ID, "Event.ID")
	c.checkNamedPayment(co, ev.Payment.PaymentID, "Event.Payment.PaymentID")
	assert.Equal(c, co.InvoiceID, ev.Payment.InvoiceID, "Event.Payment.InvoiceID")
	assert.Equal(c, amount, ev.Payment.Amount, "Event.Payment.Amount")
}

// checkVerified checks, where the gateway can look co up, that co stands
// at want, or at anything but paid when want is empty.
func (c *check) checkVerified(co *mfspay.Checkout, want mfspay.Status) {
	c.Helper()
	if len(c.refs(co)) == 0 {
		if c.s.caps.CanVerify() {
			c.Logf("the payment for invoice %s cannot be looked up: %s", co.InvoiceID, noPaymentIDYet)
		}
		return
	}
	p := c.verify(co)
	if want == "" {
		assert.NotEqual(c, mfspay.StatusPaid, p.Status, "payment %s as the provider has it", co.PaymentID)
		return
	}
	assert.Equal(c, want, p.Status, "payment %s as the provider has it", co.PaymentID)
}

// cloneReturn deep-copies a return so that a gateway cannot alter the one
// the suite keeps.
func cloneReturn(r mfspay.ReturnRequest) mfspay.ReturnRequest {
	return mfspay.ReturnRequest{Method: r.Method, Query: cloneValues(r.Query), Form: cloneValues(r.Form)}
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := maps.Clone(v)
	for k, vs := range out {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// replaceInReturn returns a copy of r with every occurrence of each key of
// swap, in every query and form value, replaced by its value.
func replaceInReturn(r mfspay.ReturnRequest, swap map[string]string) mfspay.ReturnRequest {
	out := cloneReturn(r)
	for _, vals := range []url.Values{out.Query, out.Form} {
		for _, vs := range vals {
			for i := range vs {
				for from, to := range swap {
					vs[i] = strings.ReplaceAll(vs[i], from, to)
				}
			}
		}
	}
	return out
}

// returnMentions reports whether any query or form value of r holds s.
func returnMentions(r mfspay.ReturnRequest, s string) bool {
	for _, vals := range []url.Values{r.Query, r.Form} {
		for _, vs := range vals {
			for _, v := range vs {
				if strings.Contains(v, s) {
					return true
				}
			}
		}
	}
	return false
}
