package conformance

import (
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

// exactAmounts are amounts a float64 on the way would bend: the smallest,
// two whose binary fractions are inexact, and the largest a BD wallet
// ledger is likely to see.
var exactAmounts = []string{"0.01", "1.10", "79.10", "99999999.99"}

// amountRules check that amounts survive every path exactly: lookup before
// and after payment, the customer's return, and the provider's
// notifications.
func (s *suite) amountRules(r Reporter) {
	for _, text := range exactAmounts {
		if !s.caps.CanVerify() && len(s.caps.EventTypes) == 0 {
			notApplicable(r, "ExactAt"+text+"Taka", "the gateway can neither verify nor announce a payment, so no amount comes back to check")
			continue
		}
		s.rule(r, "ExactAt"+text+"Taka", func(c *check) {
			req, co := c.newPayment(mustAmount(text))
			switch {
			case len(c.refs(co)) > 0:
				for _, p := range c.verifyEveryWay(co) {
					assert.Equal(c, req.Amount, p.Amount, "Payment.Amount before payment: want %s, got %s", req.Amount, p.Amount)
				}
			case s.caps.CanVerify():
				c.Logf("no lookup before payment: %s", noPaymentIDYet)
			}
			c.pay(co, s.payer())
			if s.caps.Return != mfspay.ReturnNone {
				ev, err := c.returnOutcome(co, req.Amount, "Pay") // checks its amount
				require.NoError(c, err, "completing the customer's return after Pay")
				assert.Equal(c, mfspay.StatusPaid, ev.Payment.Status, "the return of a customer who paid")
			}
			if len(s.caps.EventTypes) > 0 {
				c.awaitPaidEvent(co, req.Amount) // checks every event's amount
			}
			if s.caps.CanVerify() {
				for _, p := range c.verifyEveryWay(co) {
					assert.Equal(c, req.Amount, p.Amount, "Payment.Amount after payment: want %s, got %s", req.Amount, p.Amount)
				}
			}
		})
	}
}

// maxListPages stops a listing that never ends.
const maxListPages = 1000

// listAll walks every page of q and returns the payments in order.
func (c *check) listAll(q mfspay.ListQuery) []mfspay.Payment {
	c.Helper()
	var all []mfspay.Payment
	q.Page = 1
	for ; q.Page <= maxListPages; q.Page++ {
		page, err := c.gateway().ListPayments(c.ctx, q)
		require.NoError(c, err, "listing page %d", q.Page)
		require.NotNil(c, page)
		assert.Equal(c, q.Page, page.Page, "PaymentPage.Page")
		assert.Equal(c, q.PerPage, page.PerPage, "PaymentPage.PerPage")
		assert.LessOrEqual(c, len(page.Payments), q.PerPage, "page %d holds more than PerPage payments", q.Page)
		all = append(all, page.Payments...)
		if !page.HasMore {
			if page.Total > 0 {
				assert.Equal(c, page.Total, len(all), "PaymentPage.Total against the payments listed")
			}
			return all
		}
		require.NotEmpty(c, page.Payments, "page %d is empty but says HasMore", q.Page)
	}
	require.Fail(c, "listing never ends", "more than %d pages", maxListPages)
	return nil
}

// listRules check ListPayments: complete, duplicate-free pagination, the
// status filter, and bounds checked before any traffic.
func (s *suite) listRules(r Reporter) {
	caps := s.caps
	s.rule(r, "PaginatesEveryPaymentExactlyOnce", func(c *check) {
		mine := map[string]mfspay.CreatePaymentRequest{}
		for i := 0; i < 7; i++ {
			req, co := c.newPayment(mfspay.Taka(int64(700 + i)))
			c.needsPaymentID(co, "the listing's payments are matched by payment id")
			mine[co.PaymentID] = req
		}
		seen := map[string]int{}
		for _, p := range c.listAll(mfspay.ListQuery{PerPage: min(3, caps.MaxPerPage)}) {
			seen[p.PaymentID]++
			assert.Equal(c, 1, seen[p.PaymentID], "payment %s listed twice", p.PaymentID)
			if req, ok := mine[p.PaymentID]; ok {
				assert.Equal(c, req.InvoiceID, p.InvoiceID, "listed InvoiceID")
				assert.Equal(c, req.Amount, p.Amount, "listed Amount")
				assert.Equal(c, mfspay.StatusPending, p.Status, "listed Status")
				assert.Equal(c, s.provider, p.Provider, "listed Provider")
			}
		}
		for id := range mine {
			assert.Equal(c, 1, seen[id], "payment %s in the listing", id)
		}
	})
	if caps.ListByStatus {
		s.rule(r, "FiltersByStatus", func(c *check) {
			_, paid := c.newPayment(mfspay.Taka(800))
			c.pay(paid, s.payer())
			_, pending := c.newPayment(mfspay.Taka(802))
			c.needsPaymentID(pending, "the listing's payments are matched by payment id")
			ids := map[string]mfspay.Status{paid.PaymentID: mfspay.StatusPaid, pending.PaymentID: mfspay.StatusPending}
			statuses := []mfspay.Status{mfspay.StatusPaid, mfspay.StatusPending}
			if caps.Reports(mfspay.StatusCancelled) {
				_, cancelled := c.newPayment(mfspay.Taka(801))
				c.cancel(cancelled)
				c.needsPaymentID(cancelled, "the listing's payments are matched by payment id")
				ids[cancelled.PaymentID] = mfspay.StatusCancelled
				statuses = append(statuses, mfspay.StatusCancelled)
			}
			for _, status := range statuses {
				listed := map[string]bool{}
				for _, p := range c.listAll(mfspay.ListQuery{Status: status, PerPage: caps.MaxPerPage}) {
					assert.Equal(c, status, p.Status, "listing status %s returned payment %s", status, p.PaymentID)
					listed[p.PaymentID] = true
				}
				for id, st := range ids {
					assert.Equal(c, st == status, listed[id], "payment %s (%s) in the %s listing", id, st, status)
				}
			}
		})
	} else {
		notApplicable(r, "FiltersByStatus", "the gateway declares no status filter (Capabilities.ListByStatus)")
	}
	for _, tc := range []struct {
		name string
		q    mfspay.ListQuery
	}{
		{"RejectsPerPageOverMaximumWithoutTraffic", mfspay.ListQuery{PerPage: caps.MaxPerPage + 1}},
		{"RejectsNegativePageWithoutTraffic", mfspay.ListQuery{Page: -1}},
		{"RejectsUnknownStatusWithoutTraffic", mfspay.ListQuery{Status: "refunded"}},
	} {
		if tc.q.Status != "" && !caps.ListByStatus {
			notApplicable(r, tc.name, "the gateway declares no status filter (Capabilities.ListByStatus), "+
				"so it may call any status unsupported")
			continue
		}
		s.rule(r, tc.name, func(c *check) {
			gw := c.gateway()
			c.noTraffic("an invalid list", func() {
				_, err := gw.ListPayments(c.ctx, tc.q)
				require.ErrorIs(c, err, mfspay.ErrInvalidRequest)
			})
		})
	}
}
