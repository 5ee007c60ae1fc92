package uddoktapay_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

func TestVerifyReadsThePanel(t *testing.T) {
	s := newStack(t)
	req, co := s.create(t)
	id := s.invoiceID(t, co)

	p, err := s.gw.VerifyPayment(bg, mfspay.PaymentRef{PaymentID: id})
	require.NoError(t, err)
	assert.Equal(t, &mfspay.Payment{Provider: "uddoktapay", PaymentID: id, InvoiceID: req.InvoiceID,
		Status: mfspay.StatusPending, Amount: req.Amount, Method: mfspay.MethodUnknown}, p, "nothing submitted yet")

	require.NoError(t, s.sim.Pay(bg, id, simctl.Payer{Method: mfspay.MethodRocket, Sender: "01911111111", TrxID: "8N2K3TEST1"}))
	p, err = s.gw.VerifyPayment(bg, mfspay.PaymentRef{PaymentID: id})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPaid, p.Status)
	assert.Equal(t, req.Amount, p.Amount)
	assert.Equal(t, req.InvoiceID, p.InvoiceID, "from metadata.order_id")
	assert.Equal(t, "8N2K3TEST1", p.TrxID)
	assert.Equal(t, "01911111111", p.Sender)
	assert.Equal(t, mfspay.MethodRocket, p.Method)
	assert.WithinDuration(t, time.Now(), p.PaidAt, time.Minute, "the date is read in Bangladesh time")

	last, _ := s.sim.LastRequest()
	assert.Equal(t, "/api/verify-payment", last.Path)
	assert.JSONEq(t, fmt.Sprintf(`{"invoice_id":%q}`, id), string(last.Body))
}

func TestVerifyUnknownInvoiceIsNotFound(t *testing.T) {
	s := newStack(t)
	_, err := s.gw.VerifyPayment(bg, mfspay.PaymentRef{PaymentID: "Erm9wzjM0FBwjSYT0QVb"})
	require.ErrorIs(t, err, mfspay.ErrNotFound)
	assert.Contains(t, err.Error(), "Invalid invoice id")
}

// answer is a verify answer for invoice id in the documented shape, with
// the given status and amount JSON.
func answer(id, status, amount string) string {
	return fmt.Sprintf(`{"full_name":"John Doe","email":"john@example.com","amount":%s,"fee":"0.00",
		"charged_amount":%s,"invoice_id":%q,"metadata":{"user_id":"10","order_id":"INV-50"},
		"payment_method":"BKash","sender_number":"01311111111","transaction_id":"TESTTRANS1",
		"date":"2023-01-07 14:00:50","status":%q}`, amount, amount, id, status)
}

func TestVerifyToleratesWhatPanelsSend(t *testing.T) {
	const id = "Erm9wzjM0FBwjSYT0QVb"
	for _, tc := range []struct {
		name, body string
		status     mfspay.Status
		amount     mfspay.Amount
	}{
		{"ERROR is failed", answer(id, "ERROR", `"100.00"`), mfspay.StatusFailed, mfspay.Poisha(10000)},
		{"FAILED is failed", answer(id, "FAILED", `"100.00"`), mfspay.StatusFailed, mfspay.Poisha(10000)},
		{"amount as a string", answer(id, "COMPLETED", `"79.10"`), mfspay.StatusPaid, mfspay.Poisha(7910)},
		{"amount as a number", answer(id, "COMPLETED", `79.10`), mfspay.StatusPaid, mfspay.Poisha(7910)},
		{"the largest amount, as a number", answer(id, "COMPLETED", `99999999.99`), mfspay.StatusPaid, mfspay.Poisha(9999999999)},
		{"another letter case is unknown", answer(id, "completed", `"100.00"`), mfspay.StatusUnknown, mfspay.Poisha(10000)},
		{"order_id as a number, no date", fmt.Sprintf(`{"invoice_id":%q,"status":"COMPLETED","amount":"5","metadata":{"order_id":50}}`, id),
			mfspay.StatusPaid, mfspay.Poisha(500)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			require.NoError(t, s.sim.Fail(bg, simctl.Fault{Status: 200, Body: tc.body}))
			p, err := s.gw.VerifyPayment(bg, mfspay.PaymentRef{PaymentID: id})
			require.NoError(t, err)
			assert.Equal(t, tc.status, p.Status)
			assert.Equal(t, tc.amount, p.Amount)
			assert.Equal(t, id, p.PaymentID)
			if tc.status == mfspay.StatusPaid && p.Method != mfspay.MethodUnknown {
				assert.Equal(t, mfspay.MethodBKash, p.Method, "wallet names in any letter case")
				assert.Equal(t, time.Date(2023, 1, 7, 8, 0, 50, 0, time.UTC), p.PaidAt.UTC())
			}
			if tc.status != mfspay.StatusPaid {
				assert.Empty(t, p.TrxID, "a transaction id only for a paid payment")
			}
		})
	}
}

func TestVerifyRefusesWhatCannotBeTrusted(t *testing.T) {
	const id = "Erm9wzjM0FBwjSYT0QVb"
	for _, tc := range []struct {
		name  string
		fault simctl.Fault
		kind  error
	}{
		{"another payment", simctl.Fault{Status: 200, Body: answer("Other0000000000000Id", "COMPLETED", `"100.00"`)}, mfspay.ErrUnavailable},
		{"amount with three decimals", simctl.Fault{Status: 200, Body: answer(id, "COMPLETED", `100.005`)}, mfspay.ErrUnavailable},
		{"amount in an exponent", simctl.Fault{Status: 200, Body: answer(id, "COMPLETED", `1e2`)}, mfspay.ErrUnavailable},
		{"negative amount", simctl.Fault{Status: 200, Body: answer(id, "COMPLETED", `"-100.00"`)}, mfspay.ErrUnavailable},
		{"paid without amount", simctl.Fault{Status: 200, Body: fmt.Sprintf(`{"invoice_id":%q,"status":"COMPLETED"}`, id)}, mfspay.ErrUnavailable},
		{"status not a string", simctl.Fault{Status: 200, Body: fmt.Sprintf(`{"invoice_id":%q,"status":true}`, id)}, mfspay.ErrUnavailable},
		{"neither payment nor error", simctl.Fault{Status: 200, Body: `{"ok":1}`}, mfspay.ErrUnavailable},
		{"truncated", simctl.Fault{Status: 200, Body: `{"invoice_id":"Erm9`}, mfspay.ErrUnavailable},
		{"error envelope", simctl.Fault{Status: 200, Body: `{"status":"ERROR","message":"Invalid invoice id"}`}, mfspay.ErrNotFound},
		{"key refused in an envelope", simctl.Fault{Status: 200, Body: `{"status":false,"message":"Invalid API Key"}`}, mfspay.ErrUnauthorized},
		{"401", simctl.Fault{Status: 401, Body: `{"status":false,"message":"Invalid API Key"}`}, mfspay.ErrUnauthorized},
		{"tamper: paid for nothing", simctl.Fault{Tamper: simctl.TamperPaidZeroAmount}, mfspay.ErrUnavailable},
		{"tamper: another payment", simctl.Fault{Tamper: simctl.TamperOtherPayment}, mfspay.ErrUnavailable},
		{"tamper: negative amount", simctl.Fault{Tamper: simctl.TamperNegativeAmount}, mfspay.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			ref := id
			if tc.fault.Tamper != "" {
				_, co := s.create(t)
				ref = s.invoiceID(t, co)
			}
			require.NoError(t, s.sim.Fail(bg, tc.fault))
			p, err := s.gw.VerifyPayment(bg, mfspay.PaymentRef{PaymentID: ref})
			require.ErrorIs(t, err, tc.kind)
			assert.Nil(t, p)
		})
	}
}

func TestVerifyUnknownStatusTamperIsNeverPaid(t *testing.T) {
	s := newStack(t)
	_, co := s.create(t)
	require.NoError(t, s.sim.Fail(bg, simctl.Fault{Tamper: simctl.TamperUnknownStatus}))
	p, err := s.gw.VerifyPayment(bg, mfspay.PaymentRef{PaymentID: s.invoiceID(t, co)})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusUnknown, p.Status)
}
