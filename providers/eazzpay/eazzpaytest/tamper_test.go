package eazzpaytest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
)

// TestTampersLieInExactlyOneAnswer: EazzPay can lie only in an initiate
// answer (it has no payment reads), and does so once per fault.
func TestTampersLieInExactlyOneAnswer(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		tamper simctl.Tamper
		field  string
		want   any
	}{
		{simctl.TamperUnknownStatus, "transaction_status", "ON_HOLD"},
		{simctl.TamperBadRedirect, "eazzpay_url", "javascript:alert(1)"},
	} {
		t.Run(string(tc.tamper), func(t *testing.T) {
			require.NoError(t, s.Fail(bg, simctl.Fault{Tamper: tc.tamper}))
			lie := initiate(t, s, validBody())
			require.Equal(t, http.StatusCreated, lie.Status)
			data := lie.Body["data"].(map[string]any)
			assert.Equal(t, tc.want, data[tc.field])
			assert.Equal(t, json.Number("250.50"), data["amount"], "the rest is the truth")

			truth := initiate(t, s, validBody()).Body["data"].(map[string]any)
			assert.Equal(t, "INITIATED", truth["transaction_status"])
			assert.Equal(t, s.CheckoutURL(truth["payment_id"].(string)), truth["eazzpay_url"])
		})
	}
	for _, tamper := range []simctl.Tamper{simctl.TamperPaidZeroAmount, simctl.TamperOtherPayment, simctl.TamperNegativeAmount} {
		assert.ErrorIs(t, s.Fail(bg, simctl.Fault{Tamper: tamper}), mfspay.ErrUnsupported, "EazzPay has no payment read to lie in")
	}
}

// TestPendingIPN: a payment the customer submitted but the wallet has not
// confirmed gets a PENDING IPN (no listener notification: no money yet)
// and can still be paid.
func TestPendingIPN(t *testing.T) {
	ipn, listener := newReceiver(t), newReceiver(t)
	s := newServer(t, eazzpaytest.WithWebhookURL(listener.URL))
	id := create(t, s, func(b map[string]any) { b["ipn_url"] = ipn.URL + "/ipn?invoice_id=INV-100001" })

	require.NoError(t, s.Pay(bg, id, simctl.Payer{Method: mfspay.MethodRocket, Pending: true}))
	require.NoError(t, s.WaitNotifications(bg))
	got := ipn.Got()
	require.Len(t, got, 1)
	assert.JSONEq(t, `{"payment_id":"`+id+`","reference":"`+ipnRef(t, got[0].Body)+`","amount":250.50,`+
		`"transaction_fee":4.63,"total":255.13,"metadata":"{\"invoice_id\":\"INV-100001\"}",`+
		`"payment_method":"MOBILE_BANKING","mfs_payment_method":"ROCKET","mfs_payment_account_type":"PERSONAL",`+
		`"status":"PENDING"}`, got[0].Body)
	assert.Empty(t, listener.Got())

	require.NoError(t, s.Pay(bg, id, simctlPayer("rocket")))
	require.NoError(t, s.WaitNotifications(bg))
	assert.Contains(t, ipn.Got()[1].Body, `"status":"COMPLETED"`)
	assert.Len(t, listener.Got(), 1)
}
