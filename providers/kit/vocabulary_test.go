package kit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

func TestEventForNamesTheStatusOrStaysPending(t *testing.T) {
	for status, want := range map[mfspay.Status]mfspay.EventType{
		mfspay.StatusPaid: mfspay.EventPaymentCompleted, mfspay.StatusFailed: mfspay.EventPaymentFailed,
		mfspay.StatusPending: mfspay.EventPaymentPending, mfspay.StatusUnknown: mfspay.EventPaymentPending,
	} {
		p := mfspay.Payment{Provider: "evpay", PaymentID: "P1", Status: status}
		ev := kit.EventFor("evpay", "P1:"+string(status), p)
		assert.Equal(t, &mfspay.Event{ID: "P1:" + string(status), Provider: "evpay", Type: want, Payment: p}, ev)
	}
}

func TestBangladeshTimeIsUTCPlusSix(t *testing.T) {
	at := time.Date(2025, 11, 2, 14, 29, 2, 0, kit.BangladeshTime)
	assert.Equal(t, time.Date(2025, 11, 2, 8, 29, 2, 0, time.UTC), at.UTC())
	assert.Equal(t, at, time.Date(2025, 6, 2, 14, 29, 2, 0, kit.BangladeshTime).AddDate(0, 5, 0), "no daylight saving")
}
