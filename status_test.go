package mfspay_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

var allStatuses = []mfspay.Status{
	mfspay.StatusUnknown, mfspay.StatusPending, mfspay.StatusPaid,
	mfspay.StatusFailed, mfspay.StatusCancelled, mfspay.StatusExpired,
}

func TestMapStatus(t *testing.T) {
	table := map[string]mfspay.Status{
		"pending":   mfspay.StatusPending,
		"paid":      mfspay.StatusPaid,
		"failed":    mfspay.StatusFailed,
		"cancelled": mfspay.StatusCancelled,
		"expired":   mfspay.StatusExpired,
	}
	tests := []struct {
		raw  string
		want mfspay.Status
	}{
		{"pending", mfspay.StatusPending},
		{"paid", mfspay.StatusPaid},
		{"failed", mfspay.StatusFailed},
		{"cancelled", mfspay.StatusCancelled},
		{"expired", mfspay.StatusExpired},
		// Exact: no case folding, trimming or guessing.
		{"PAID", mfspay.StatusUnknown},
		{"Paid", mfspay.StatusUnknown},
		{" paid", mfspay.StatusUnknown},
		{"paid ", mfspay.StatusUnknown},
		{"completed", mfspay.StatusUnknown},
		{"success", mfspay.StatusUnknown},
		{"canceled", mfspay.StatusUnknown},
		{"refunded", mfspay.StatusUnknown},
		{"", mfspay.StatusUnknown},
		{"unknown", mfspay.StatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got := kit.MapStatus(table, tt.raw)
			assert.Equal(t, tt.want, got)
			if tt.want != mfspay.StatusPaid {
				assert.NotEqual(t, mfspay.StatusPaid, got, "only the exact paid string may map to paid")
			}
		})
	}
	assert.Equal(t, mfspay.StatusUnknown, kit.MapStatus(nil, "paid"), "a nil table knows nothing")
}

func TestStatusValidFinal(t *testing.T) {
	tests := []struct {
		s            mfspay.Status
		valid, final bool
	}{
		{mfspay.StatusUnknown, true, false},
		{mfspay.StatusPending, true, false},
		{mfspay.StatusPaid, true, true},
		{mfspay.StatusFailed, true, true},
		{mfspay.StatusCancelled, true, true},
		{mfspay.StatusExpired, true, true},
		{"", false, false},
		{"PAID", false, false},
		{"completed", false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			assert.Equal(t, tt.valid, tt.s.Valid())
			assert.Equal(t, tt.final, tt.s.Final())
		})
	}
}

func TestParseMethod(t *testing.T) {
	tests := []struct {
		raw  string
		want mfspay.Method
	}{
		{"bkash", mfspay.MethodBKash},
		{"bKash", mfspay.MethodBKash},
		{"BKASH", mfspay.MethodBKash},
		{"nagad", mfspay.MethodNagad},
		{"Nagad", mfspay.MethodNagad},
		{"rocket", mfspay.MethodRocket},
		{"upay", mfspay.MethodUpay},
		{"upai", mfspay.MethodUpay},
		{"cellfin", mfspay.MethodCellfin},
		{"tap", mfspay.MethodTap},
		{"okwallet", mfspay.MethodOKWallet},
		{"ok_wallet", mfspay.MethodOKWallet},
		{"ipay", mfspay.MethodIPay},
		{"bank", mfspay.MethodBank},
		{"", mfspay.MethodUnknown},
		{"unknown", mfspay.MethodUnknown},
		{"paypal", mfspay.MethodUnknown},
		{" bkash", mfspay.MethodUnknown},
		{"bkash ", mfspay.MethodUnknown},
		{"b-kash", mfspay.MethodUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			assert.Equal(t, tt.want, kit.ParseMethod(tt.raw))
		})
	}
}

func TestEventTypeFor(t *testing.T) {
	want := map[mfspay.Status]mfspay.EventType{
		mfspay.StatusPending:   mfspay.EventPaymentPending,
		mfspay.StatusPaid:      mfspay.EventPaymentCompleted,
		mfspay.StatusFailed:    mfspay.EventPaymentFailed,
		mfspay.StatusCancelled: mfspay.EventPaymentCancelled,
		mfspay.StatusExpired:   mfspay.EventPaymentExpired,
	}
	for _, s := range append(allStatuses, "", "PAID") {
		t.Run(string(s), func(t *testing.T) {
			got, ok := mfspay.EventTypeFor(s)
			w, known := want[s]
			assert.Equal(t, known, ok)
			assert.Equal(t, w, got)
		})
	}
}

func TestCapabilities(t *testing.T) {
	assert.False(t, mfspay.Capabilities{}.CanVerify())
	assert.True(t, mfspay.Capabilities{VerifyByInvoice: true}.CanVerify())
	assert.True(t, mfspay.Capabilities{VerifyByPaymentID: true}.CanVerify())

	c := mfspay.Capabilities{EventTypes: []mfspay.EventType{mfspay.EventPaymentCompleted}}
	assert.True(t, c.Supports(mfspay.EventPaymentCompleted))
	assert.False(t, c.Supports(mfspay.EventTransactionReceived))
}
