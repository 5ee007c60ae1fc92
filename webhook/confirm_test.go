package webhook_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
)

func TestConfirmation(t *testing.T) {
	pending := mfspay.Payment{Provider: "fake", PaymentID: "pay_INV-1", InvoiceID: "INV-1",
		Status: mfspay.StatusPending, Amount: mfspay.Taka(250)}
	paid := pending
	paid.Status, paid.TrxID, paid.Method = mfspay.StatusPaid, "8N2K3TEST12", mfspay.MethodBKash
	failed := pending
	failed.Status = mfspay.StatusFailed
	unknown := pending
	unknown.Status = mfspay.StatusUnknown
	other := paid
	other.InvoiceID = "INV-OTHER"
	otherID := paid
	otherID.PaymentID = "pay_OTHER"

	claimPaid := paidBody("evt_1", "INV-1", mfspay.Taka(250))
	claimPending := claimPaid
	claimPending.Type, claimPending.Status = string(mfspay.EventPaymentPending), string(mfspay.StatusPending)

	tests := []struct {
		name      string
		claim     fakeBody
		provider  *mfspay.Payment // nil: the provider knows no such payment
		verifyErr error
		wantCode  int
		wantType  mfspay.EventType // "" when nothing is delivered
	}{
		{"claim paid, provider paid", claimPaid, &paid, nil, 200, mfspay.EventPaymentCompleted},
		{"forged paid, provider pending", claimPaid, &pending, nil, 503, ""},
		{"stale paid, provider failed", claimPaid, &failed, nil, 200, mfspay.EventPaymentFailed},
		{"claim pending, provider paid", claimPending, &paid, nil, 200, mfspay.EventPaymentCompleted},
		{"claim pending, provider pending", claimPending, &pending, nil, 200, mfspay.EventPaymentPending},
		{"provider status unmapped", claimPaid, &unknown, nil, 503, ""},
		{"provider returns another invoice", claimPaid, &other, nil, 400, ""},
		{"provider returns another payment id", claimPaid, &otherID, nil, 400, ""},
		{"provider does not know it", claimPaid, nil, nil, 503, ""},
		{"provider unavailable", claimPaid, &paid, &mfspay.Error{Kind: mfspay.ErrUnavailable}, 503, ""},
		{"breaker open", claimPaid, &paid, &mfspay.Error{Kind: mfspay.ErrCircuitOpen}, 503, ""},
		{"rate limited", claimPaid, &paid, &mfspay.Error{Kind: mfspay.ErrRateLimited}, 503, ""},
		{"our api key rejected", claimPaid, &paid, &mfspay.Error{Kind: mfspay.ErrUnauthorized}, 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := newFake("fake")
			if tt.provider != nil {
				gw.setPayment(*tt.provider)
			}
			if tt.provider == &otherID {
				// Verified by invoice, the provider answers with another payment id.
				gw.verifyFn = func(mfspay.PaymentRef) (*mfspay.Payment, error) { return &otherID, nil }
			}
			if tt.verifyErr != nil {
				gw.verifyFn = func(mfspay.PaymentRef) (*mfspay.Payment, error) { return nil, tt.verifyErr }
			}
			var rec recorder
			h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm())
			code, _ := do(h, signedRequest("/", tt.claim.bytes(t)))
			assert.Equal(t, tt.wantCode, code)
			got := rec.delivered()
			if tt.wantType == "" {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, tt.wantType, got[0].Type)
			assert.Equal(t, *tt.provider, got[0].Payment, "the provider's view is delivered")
			assert.Equal(t, "evt_1", got[0].ID, "the event keeps the notification's id")
			d := rec.deliveries()[0]
			assert.True(t, d.Confirmed)
			assert.Equal(t, mfspay.EventType(tt.claim.Type), d.Claimed.Type, "the claim is kept for the record")
		})
	}
}

func TestConfirmationRetriedAfterProviderOutageIsDelivered(t *testing.T) {
	gw := newFake("fake")
	paid := mfspay.Payment{Provider: "fake", PaymentID: "pay_INV-9", InvoiceID: "INV-9", Status: mfspay.StatusPaid, Amount: 900}
	gw.verifyFn = func(mfspay.PaymentRef) (*mfspay.Payment, error) {
		return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable}
	}
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm())
	body := paidBody("evt_9", "INV-9", 900).bytes(t)
	code, _ := do(h, signedRequest("/", body))
	require.Equal(t, 503, code)
	gw.mu.Lock()
	gw.verifyFn = nil
	gw.mu.Unlock()
	gw.setPayment(paid)
	code, _ = do(h, signedRequest("/", body))
	assert.Equal(t, 200, code)
	require.Len(t, rec.delivered(), 1)
	assert.Equal(t, mfspay.EventPaymentCompleted, rec.delivered()[0].Type)
}

func TestConfirmationPicksTheReferenceTheGatewayAccepts(t *testing.T) {
	tests := []struct {
		name         string
		byID, byInv  bool
		claim        fakeBody
		wantRef      mfspay.PaymentRef
		wantCode     int
		wantVerifies int64
	}{
		{"payment id preferred", true, true, paidBody("e", "INV-R", 100), mfspay.PaymentRef{PaymentID: "pay_INV-R"}, 200, 1},
		{"invoice when id is not accepted", false, true, paidBody("e", "INV-R", 100), mfspay.PaymentRef{InvoiceID: "INV-R"}, 200, 1},
		{"invoice when the event has no id", true, true,
			fakeBody{ID: "e", Type: "payment.completed", InvoiceID: "INV-R", Status: "paid", Amount: 100},
			mfspay.PaymentRef{InvoiceID: "INV-R"}, 200, 1},
		{"no usable reference: refused, not delivered unconfirmed", true, false,
			fakeBody{ID: "e", Type: "payment.completed", InvoiceID: "INV-R", Status: "paid", Amount: 100},
			mfspay.PaymentRef{}, 400, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := newFake("fake")
			gw.caps.VerifyByPaymentID, gw.caps.VerifyByInvoice = tt.byID, tt.byInv
			var got mfspay.PaymentRef
			gw.verifyFn = func(ref mfspay.PaymentRef) (*mfspay.Payment, error) {
				got = ref
				return &mfspay.Payment{PaymentID: "pay_INV-R", InvoiceID: "INV-R", Status: mfspay.StatusPaid, Amount: 100}, nil
			}
			var rec recorder
			h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm())
			code, _ := do(h, signedRequest("/", tt.claim.bytes(t)))
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantRef, got)
			assert.Equal(t, tt.wantVerifies, gw.verifies.Load())
			if code == 200 {
				require.Len(t, rec.delivered(), 1)
				assert.Equal(t, "fake", rec.delivered()[0].Payment.Provider, "the provider is filled in")
			}
		})
	}
}

func TestGatewayThatCannotVerifyDeliversUnconfirmed(t *testing.T) {
	gw := newFake("fake")
	gw.caps.VerifyByInvoice, gw.caps.VerifyByPaymentID = false, false
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm())
	code, _ := do(h, signedRequest("/", paidBody("evt_u", "INV-U", 100).bytes(t)))
	assert.Equal(t, 200, code)
	assert.Zero(t, gw.verifies.Load())
	require.Len(t, rec.deliveries(), 1)
	d := rec.deliveries()[0]
	assert.False(t, d.Confirmed, "the callback can tell it is only the notification's claim")
	assert.Equal(t, "fake", d.Provider)
	assert.Equal(t, mfspay.EventPaymentCompleted, rec.delivered()[0].Type)
}

func TestTransactionReceivedIsNotConfirmed(t *testing.T) {
	gw := newFake("fake")
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm())
	body := fakeBody{ID: "trx_1", Type: string(mfspay.EventTransactionReceived), Amount: 100}
	code, _ := do(h, signedRequest("/", body.bytes(t)))
	assert.Equal(t, 200, code)
	assert.Zero(t, gw.verifies.Load())
	require.Len(t, rec.deliveries(), 1)
	assert.False(t, rec.deliveries()[0].Confirmed)
}

func TestWithoutConfirmNothingIsVerified(t *testing.T) {
	gw := newFake("fake")
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(gw))
	code, _ := do(h, signedRequest("/", paidBody("evt_n", "INV-N", 100).bytes(t)))
	assert.Equal(t, 200, code)
	assert.Zero(t, gw.verifies.Load())
	d := rec.deliveries()[0]
	assert.False(t, d.Confirmed)
	assert.Equal(t, rec.delivered()[0], d.Claimed)
}

func TestStormVerifiesOnce(t *testing.T) {
	gw := newFake("fake")
	gw.setPayment(mfspay.Payment{PaymentID: "pay_INV-V", InvoiceID: "INV-V", Status: mfspay.StatusPaid, Amount: 100})
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm())
	storm(t, h, paidBody("evt_v", "INV-V", 100).bytes(t), 50)
	assert.EqualValues(t, 1, gw.verifies.Load(), "concurrent duplicates do not each ask the provider")
	assert.EqualValues(t, 1, rec.calls.Load())
}

// A provider's look-up by payment id may answer without the invoice id (or,
// by invoice, without the payment id): the confirmed payment keeps the ids
// the notification named, so the amount check finds the merchant's invoice
// and the order is marked paid once; a later sweep of the same state is a
// duplicate of a delivered payment, not of a refused one.
func TestConfirmedPaymentKeepsTheIDsTheProviderOmits(t *testing.T) {
	for _, tt := range []struct {
		name     string
		byID     bool
		verified mfspay.Payment
	}{
		{"verified by payment id, no invoice id", true,
			mfspay.Payment{PaymentID: "pay_INV1", Status: mfspay.StatusPaid, Amount: 100}},
		{"verified by invoice, no payment id", false,
			mfspay.Payment{InvoiceID: "INV1", Status: mfspay.StatusPaid, Amount: 100}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gw := newFake("fake")
			gw.caps.VerifyByPaymentID = tt.byID
			gw.verifyFn = func(mfspay.PaymentRef) (*mfspay.Payment, error) { p := tt.verified; return &p, nil }
			var rec recorder
			var mismatches []webhook.AmountMismatch
			h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm(),
				webhook.ExpectAmount(func(_ context.Context, _, inv string) (mfspay.Amount, bool, error) {
					return 100, inv == "INV1", nil
				}),
				webhook.OnAmountMismatch(func(_ context.Context, m webhook.AmountMismatch) error {
					mismatches = append(mismatches, m)
					return nil
				}))
			code, _ := do(h, signedRequest("/", paidBody("n1", "INV1", 100).bytes(t)))
			assert.Equal(t, http.StatusOK, code)
			assert.Empty(t, mismatches, "a correct payment is not refused as an unknown invoice")
			require.Len(t, rec.delivered(), 1)
			got := rec.delivered()[0].Payment
			assert.Equal(t, "INV1", got.InvoiceID)
			assert.Equal(t, "pay_INV1", got.PaymentID)
			assert.Equal(t, mfspay.StatusPaid, got.Status)

			// The reconciler's event for the same state is a duplicate.
			err := h.Deliver(context.Background(), &mfspay.Event{ID: "sweep:fake:pay_INV1:paid", Provider: "fake",
				Type: mfspay.EventPaymentCompleted, Payment: mfspay.Payment{Provider: "fake", PaymentID: "pay_INV1",
					InvoiceID: "INV1", Status: mfspay.StatusPaid, Amount: 100}})
			require.NoError(t, err)
			assert.EqualValues(t, 1, rec.calls.Load(), "the order is marked paid exactly once")
		})
	}
}

// A notification whose claim maps to a state already delivered but not
// final (pending) is confirmed anyway: the provider may have moved on to
// paid, and answering "duplicate" would end its retries with the payment
// never delivered. When the provider still says pending, it is a duplicate.
func TestRepeatedPendingClaimIsConfirmedBeforeDuplicate(t *testing.T) {
	gw := newFake("fake")
	var paid atomic.Bool
	gw.verifyFn = func(ref mfspay.PaymentRef) (*mfspay.Payment, error) {
		st := mfspay.StatusPending
		if paid.Load() {
			st = mfspay.StatusPaid
		}
		return &mfspay.Payment{PaymentID: ref.PaymentID, InvoiceID: "INV2", Status: st, Amount: 100}, nil
	}
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm())
	pending := fakeBody{ID: "n1", Type: string(mfspay.EventPaymentPending), PaymentID: "pay_INV2",
		InvoiceID: "INV2", Status: string(mfspay.StatusPending)}

	code, body := do(h, signedRequest("/", pending.bytes(t)))
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "delivered\n", body)

	pending.ID = "n2" // still pending at the provider: a duplicate
	code, body = do(h, signedRequest("/", pending.bytes(t)))
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "duplicate\n", body)
	assert.EqualValues(t, 2, gw.verifies.Load(), "the repeated pending claim was confirmed")

	paid.Store(true)
	pending.ID = "n3" // the provider has moved on to paid
	code, body = do(h, signedRequest("/", pending.bytes(t)))
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "delivered\n", body)
	var types []mfspay.EventType
	for _, ev := range rec.delivered() {
		types = append(types, ev.Type)
	}
	assert.Equal(t, []mfspay.EventType{mfspay.EventPaymentPending, mfspay.EventPaymentCompleted}, types)

	// A repeated final claim is still answered from the mark alone.
	code, body = do(h, signedRequest("/", paidBody("n4", "INV2", 100).bytes(t)))
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "duplicate\n", body)
	assert.EqualValues(t, 3, gw.verifies.Load(), "a duplicate of a delivered final state does not ask the provider")
}
