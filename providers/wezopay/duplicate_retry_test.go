package wezopay_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// TestCreateRetriedAfter429MeetingItsOwnPaymentIsReconciled: WezoPay made
// the payment and answered 429; the policy's retry of the create then
// meets "invoice_id already exists". That duplicate may be the first
// attempt's own payment, so the invoice is looked up and the merchant gets
// the checkout of the one payment, not ErrDuplicate.
func TestCreateRetriedAfter429MeetingItsOwnPaymentIsReconciled(t *testing.T) {
	e := newEnv(t, nil, nil)
	e.fail(t, simctl.Fault{Status: 429, AfterProcessing: true})
	req := newRequest(mfspay.Taka(320))

	co, err := e.create(req)
	require.NoError(t, err, "the create's own payment is not a duplicate")
	require.NotNil(t, co)
	assert.Equal(t, req.InvoiceID, co.InvoiceID)
	assert.Equal(t, 2, e.creates(), "the 429 and its retry")
	assert.Equal(t, 1, e.paymentCount(t, req.InvoiceID), "payments at WezoPay for one create")
	p, err := e.verify(mfspay.PaymentRef{InvoiceID: req.InvoiceID})
	require.NoError(t, err)
	assert.Equal(t, p.PaymentID, co.PaymentID, "the checkout is the payment WezoPay holds")
	assert.Equal(t, req.Amount, p.Amount)
}

// TestDuplicateOnTheFirstAttemptIsStillADuplicate: an invoice already used
// by an earlier order is refused at the first attempt, which nothing of
// this call can have caused.
func TestDuplicateOnTheFirstAttemptIsStillADuplicate(t *testing.T) {
	e := newEnv(t, nil, nil)
	req := newRequest(mfspay.Taka(321))
	_, err := e.create(req)
	require.NoError(t, err)
	other := req
	other.Amount = mfspay.Taka(999)
	_, err = e.create(other)
	require.ErrorIs(t, err, mfspay.ErrDuplicate)
	assert.Equal(t, 1, e.paymentCount(t, req.InvoiceID))
}
