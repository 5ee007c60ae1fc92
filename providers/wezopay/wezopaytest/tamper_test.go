package wezopaytest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// TestTampersLieInExactlyOneAnswer: each tamper rewrites the next answer
// it fits, once; a request it does not fit passes untouched and leaves it
// pending.
func TestTampersLieInExactlyOneAnswer(t *testing.T) {
	s := NewServer()
	defer s.Close()
	ctx := context.Background()
	a := call(t, s, "POST", "/payments/create", s.APIKey(), createBody("INV-T", "250.00"))
	require.Equal(t, 201, a.status, a.raw)
	token := data(a)["token"].(string)
	verify := func() map[string]any {
		return data(call(t, s, "GET", "/payments/verify?invoice_id=INV-T", s.APIKey(), ""))
	}
	truth := verify()
	require.Equal(t, StatusPending, truth["status"])

	for _, tc := range []struct {
		tamper simctl.Tamper
		want   map[string]any
	}{
		{simctl.TamperPaidZeroAmount, map[string]any{"token": token, "invoice_id": "INV-T", "status": "paid", "amount": json.Number("0.00")}},
		{simctl.TamperNegativeAmount, map[string]any{"token": token, "invoice_id": "INV-T", "status": "paid", "amount": json.Number("-250.00")}},
		{simctl.TamperUnknownStatus, map[string]any{"token": token, "invoice_id": "INV-T", "status": "on_hold", "amount": json.Number("250.00")}},
		{simctl.TamperOtherPayment, map[string]any{"status": "paid", "amount": json.Number("250.00")}},
	} {
		t.Run(string(tc.tamper), func(t *testing.T) {
			require.NoError(t, s.Fail(ctx, simctl.Fault{Tamper: tc.tamper}))
			list := call(t, s, "GET", "/payments/list", s.APIKey(), "")
			assert.Contains(t, list.raw, `"status":"pending"`, "a list is not a payment read")
			got := verify()
			for k, v := range tc.want {
				assert.Equal(t, v, got[k], k)
			}
			if tc.tamper == simctl.TamperOtherPayment {
				assert.NotEqual(t, token, got["token"])
				assert.NotEqual(t, "INV-T", got["invoice_id"])
			}
			assert.Equal(t, truth, verify(), "the next answer tells the truth again")
		})
	}

	t.Run(string(simctl.TamperBadRedirect), func(t *testing.T) {
		require.NoError(t, s.Fail(ctx, simctl.Fault{Tamper: simctl.TamperBadRedirect}))
		assert.Equal(t, truth, verify(), "a verify is not a create")
		bad := call(t, s, "POST", "/payments/create", s.APIKey(), createBody("INV-T2", "1"))
		require.Equal(t, 201, bad.status, bad.raw)
		assert.Equal(t, "javascript:alert(1)", data(bad)["payment_url"])
		good := call(t, s, "POST", "/payments/create", s.APIKey(), createBody("INV-T3", "1"))
		assert.Equal(t, s.PaymentURL(data(good)["token"].(string)), data(good)["payment_url"])
	})
}

func TestFailRefusesATamperWithOtherFailures(t *testing.T) {
	s := NewServer()
	defer s.Close()
	err := s.Fail(context.Background(), simctl.Fault{Tamper: simctl.TamperPaidZeroAmount, Status: 500})
	assert.ErrorIs(t, err, mfspay.ErrInvalidRequest)
	assert.ErrorIs(t, s.Fail(context.Background(), simctl.Fault{Tamper: "made_up"}), mfspay.ErrUnsupported)
}

// TestPendingNotification: a payment the customer submitted but the wallet
// has not confirmed is announced as payment.pending and stays payable.
func TestPendingNotification(t *testing.T) {
	s := NewServer(WithDelivery(1, time.Millisecond))
	defer s.Close()
	ctx := context.Background()
	h, hookURL := newHook(t)
	body := strings.Replace(createBody("INV-P", "5"), `"metadata"`, `"webhook_url": "`+hookURL+`", "metadata"`, 1)
	token := data(call(t, s, "POST", "/payments/create", s.APIKey(), body))["token"].(string)

	require.NoError(t, s.Pay(ctx, token, simctl.Payer{Method: mfspay.MethodNagad, Pending: true}))
	assert.JSONEq(t, `{"event":"payment.pending","token":"`+token+`","invoice_id":"INV-P","status":"pending",`+
		`"amount":5.00,"trx_id":null,"paid_at":null}`, string(h.next(t).Body))
	v := data(call(t, s, "GET", "/payments/verify?token="+token, s.APIKey(), ""))
	assert.Equal(t, "pending", v["status"])
	assert.Nil(t, v["trx_id"])

	require.NoError(t, s.Pay(ctx, token, simctl.Payer{}))
	assert.Contains(t, string(h.next(t).Body), `"event":"payment.completed"`)
	notes, err := s.Notifications(ctx, token)
	require.NoError(t, err)
	assert.Len(t, notes, 2)
}
