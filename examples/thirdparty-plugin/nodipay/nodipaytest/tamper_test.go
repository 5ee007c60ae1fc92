package nodipaytest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// TestTampersLieInExactlyOneAnswer: each tamper rewrites the payment object
// of the next create or read it fits, once; a list is neither.
func TestTampersLieInExactlyOneAnswer(t *testing.T) {
	s := newServer(t)
	id := create(t, s, "INV-T")
	read := func(path string) map[string]any {
		a := call(t, s, "GET", path, apiKey, "")
		require.Equal(t, 200, a.status, a.body)
		var p map[string]any
		dec := json.NewDecoder(strings.NewReader(a.body))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&p))
		return p
	}
	truth := read("/v1/payments/" + id)

	for _, tc := range []struct {
		tamper simctl.Tamper
		want   map[string]any
	}{
		{simctl.TamperPaidZeroAmount, map[string]any{"id": id, "status": "succeeded", "amount": json.Number("0")}},
		{simctl.TamperNegativeAmount, map[string]any{"id": id, "status": "succeeded", "amount": json.Number("-25050")}},
		{simctl.TamperUnknownStatus, map[string]any{"id": id, "status": "disputed", "amount": json.Number("25050")}},
		{simctl.TamperOtherPayment, map[string]any{"status": "succeeded", "amount": json.Number("25050")}},
	} {
		t.Run(string(tc.tamper), func(t *testing.T) {
			require.NoError(t, s.Fail(context.Background(), simctl.Fault{Tamper: tc.tamper}))
			assert.Contains(t, call(t, s, "GET", "/v1/payments", apiKey, "").body, `"status":"open"`, "a list is not a read")
			got := read("/v1/invoices/INV-T/payment")
			for k, v := range tc.want {
				assert.Equal(t, v, got[k], k)
			}
			if tc.tamper == simctl.TamperOtherPayment {
				assert.NotEqual(t, id, got["id"])
				assert.NotEqual(t, "INV-T", got["invoice_id"])
			}
			assert.Equal(t, truth, read("/v1/payments/"+id), "the next answer tells the truth again")
		})
	}

	require.NoError(t, s.Fail(context.Background(), simctl.Fault{Tamper: simctl.TamperBadRedirect}))
	assert.Equal(t, truth, read("/v1/payments/"+id), "a read is not a create")
	a := call(t, s, "POST", "/v1/payments", apiKey, `{"invoice_id":"INV-T2","amount":1,"currency":"BDT","success_url":"https://s.example/ok","cancel_url":"https://s.example/no"}`)
	assert.Contains(t, a.body, `"checkout_url":"javascript:alert(1)"`)
	assert.NotContains(t, call(t, s, "POST", "/v1/payments", apiKey, `{"invoice_id":"INV-T3","amount":1,"currency":"BDT","success_url":"https://s.example/ok","cancel_url":"https://s.example/no"}`).body, "javascript:")
}

// TestNoPendingNotification: NodiPay announces final statuses only.
func TestNoPendingNotification(t *testing.T) {
	s := newServer(t)
	id := create(t, s, "INV-P")
	assert.ErrorIs(t, s.Pay(context.Background(), id, simctl.Payer{Pending: true}), mfspay.ErrUnsupported)
	notes, err := s.Notifications(context.Background(), id)
	require.NoError(t, err)
	assert.Empty(t, notes)
}
