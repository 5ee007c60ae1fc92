package wezopay_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// TestAmbiguousCreateIsSettledByInvoice: a create whose outcome is unknown
// is never sent again blindly; WezoPay's lookup by invoice finds the
// payment it made, which becomes the checkout, its page URL derived from
// the token. (That one create makes at most one payment is a conformance
// rule; this is how WezoPay's driver keeps it.)
func TestAmbiguousCreateIsSettledByInvoice(t *testing.T) {
	for name, tc := range map[string]struct {
		fault simctl.Fault
		tweak func(*mfspay.Resilience)
	}{
		"500 after processing":   {simctl.Fault{Status: 500, AfterProcessing: true}, nil},
		"reset after processing": {simctl.Fault{Reset: true, AfterProcessing: true}, nil},
		"timeout after processing": {simctl.Fault{Delay: time.Minute, AfterProcessing: true},
			func(r *mfspay.Resilience) { r.Retry.AttemptTimeout = 500 * time.Millisecond }},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil, tc.tweak)
			req := newRequest(mfspay.Poisha(4999))
			e.fail(t, tc.fault)
			co, err := e.create(req)
			require.NoError(t, err, "the lookup by invoice finds the payment the create made")
			assert.Equal(t, 1, e.creates(), "the create was never re-sent")
			stored, _ := e.sim.PaymentByInvoice(req.InvoiceID)
			assert.Equal(t, &mfspay.Checkout{Provider: "wezopay", PaymentID: stored.ID, InvoiceID: req.InvoiceID,
				RedirectURL: e.sim.PaymentURL(stored.ID), Status: mfspay.StatusPending}, co, "ExpiresAt is unknown")
		})
	}
}

func TestCreateReconcileFindsAnotherAmount(t *testing.T) {
	e := newEnv(t, nil, nil)
	req := newRequest(mfspay.Taka(10))
	_, err := e.create(req)
	require.NoError(t, err)

	req.Amount = mfspay.Taka(20)
	e.fail(t, simctl.Fault{Status: 500})
	_, err = e.create(req)
	require.ErrorIs(t, err, mfspay.ErrDuplicate, "the invoice belongs to another payment")
	var me *mfspay.Error
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "invoice_id", me.Field)
	assert.Equal(t, 1, e.paymentCount(t, req.InvoiceID))
}

// TestLookupAnswering409SettlesNothing: only a payment found with another
// amount makes the invoice a duplicate; a lookup that itself answers 409
// says nothing about which payment holds it.
func TestLookupAnswering409SettlesNothing(t *testing.T) {
	e := newEnv(t, nil, func(r *mfspay.Resilience) { r.Retry.MaxAttempts = 1 })
	e.fail(t, simctl.Fault{Status: 500, AfterProcessing: true})
	e.fail(t, simctl.Fault{Status: 409, Body: `{"success":false,"error":"conflict"}`})
	_, err := e.create(newRequest(mfspay.Taka(10)))
	require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	assert.Equal(t, 1, e.creates())
}
