package webhook_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
)

// orders is the merchant's view of what each invoice should be paid.
type orders struct {
	mu         sync.Mutex
	expected   map[string]mfspay.Amount
	err        error
	mismatches []webhook.AmountMismatch
	hookErr    error
}

func (o *orders) expect(_ context.Context, provider, invoiceID string) (mfspay.Amount, bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return 0, false, o.err
	}
	a, ok := o.expected[invoiceID]
	return a, ok, nil
}

func (o *orders) onMismatch(_ context.Context, m webhook.AmountMismatch) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.mismatches = append(o.mismatches, m)
	return o.hookErr
}

func (o *orders) told() []webhook.AmountMismatch {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]webhook.AmountMismatch(nil), o.mismatches...)
}

func TestAmountIntegrity(t *testing.T) {
	want := mfspay.Taka(250)
	tests := []struct {
		name      string
		claim     fakeBody
		lookupErr error
		hookErr   error
		wantCode  int
		wantCalls int64
		wantTold  bool
		wantKnown bool
	}{
		{"exact amount delivered", paidBody("e1", "INV-A", want), nil, nil, 200, 1, false, false},
		{"one poisha short refused", paidBody("e2", "INV-A", want-1), nil, nil, 200, 0, true, true},
		{"one poisha over refused", paidBody("e3", "INV-A", want+1), nil, nil, 200, 0, true, true},
		{"unknown invoice refused", paidBody("e4", "INV-NOPE", want), nil, nil, 200, 0, true, false},
		{"pending is not checked", fakeBody{ID: "e5", Type: "payment.pending", InvoiceID: "INV-NOPE", Status: "pending", Amount: 1},
			nil, nil, 200, 1, false, false},
		{"merchant lookup down", paidBody("e6", "INV-A", want), errors.New("db down"), nil, 503, 0, false, false},
		{"hook fails", paidBody("e7", "INV-A", want-1), nil, errors.New("pager down"), 500, 0, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &orders{expected: map[string]mfspay.Amount{"INV-A": want}, err: tt.lookupErr, hookErr: tt.hookErr}
			var rec recorder
			h := webhook.New(rec.callback, webhook.Route(newFake("fake")),
				webhook.ExpectAmount(o.expect), webhook.OnAmountMismatch(o.onMismatch))
			code, text := do(h, signedRequest("/", tt.claim.bytes(t)))
			assert.Equal(t, tt.wantCode, code, text)
			assert.Equal(t, tt.wantCalls, rec.calls.Load())
			told := o.told()
			if !tt.wantTold {
				assert.Empty(t, told)
				return
			}
			require.Len(t, told, 1)
			assert.Equal(t, tt.claim.ID, told[0].Event.ID)
			assert.Equal(t, tt.claim.Amount, told[0].Event.Payment.Amount)
			assert.Equal(t, tt.wantKnown, told[0].Known)
			if tt.wantKnown {
				assert.Equal(t, want, told[0].Expected)
			}
		})
	}
}

func TestAmountMismatchIsToldOnce(t *testing.T) {
	o := &orders{expected: map[string]mfspay.Amount{"INV-A": 1000}}
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")),
		webhook.ExpectAmount(o.expect), webhook.OnAmountMismatch(o.onMismatch))
	body := paidBody("e_short", "INV-A", 999).bytes(t)
	for range 3 {
		code, _ := do(h, signedRequest("/", body))
		assert.Equal(t, 200, code)
	}
	assert.Len(t, o.told(), 1, "re-deliveries of a refused notification are duplicates")
	assert.Zero(t, rec.calls.Load())
}

func TestAmountMismatchHookFailureIsRetried(t *testing.T) {
	o := &orders{expected: map[string]mfspay.Amount{"INV-A": 1000}, hookErr: errors.New("pager down")}
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")),
		webhook.ExpectAmount(o.expect), webhook.OnAmountMismatch(o.onMismatch))
	body := paidBody("e_short", "INV-A", 999).bytes(t)
	code, _ := do(h, signedRequest("/", body))
	assert.Equal(t, 500, code)
	o.mu.Lock()
	o.hookErr = nil
	o.mu.Unlock()
	code, _ = do(h, signedRequest("/", body))
	assert.Equal(t, 200, code)
	assert.Len(t, o.told(), 2)
	assert.Zero(t, rec.calls.Load())
}

func TestAmountCheckedOnTheConfirmedPayment(t *testing.T) {
	gw := newFake("fake")
	// The notification claims the full amount; the provider says one poisha short.
	gw.setPayment(mfspay.Payment{PaymentID: "pay_INV-A", InvoiceID: "INV-A", Status: mfspay.StatusPaid, Amount: 999})
	o := &orders{expected: map[string]mfspay.Amount{"INV-A": 1000}}
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm(),
		webhook.ExpectAmount(o.expect), webhook.OnAmountMismatch(o.onMismatch))
	code, _ := do(h, signedRequest("/", paidBody("e_c", "INV-A", 1000).bytes(t)))
	assert.Equal(t, 200, code)
	assert.Zero(t, rec.calls.Load())
	require.Len(t, o.told(), 1)
	assert.Equal(t, mfspay.Amount(999), o.told()[0].Event.Payment.Amount)
}

func TestAmountMismatchWithoutHookIsStillRefused(t *testing.T) {
	o := &orders{expected: map[string]mfspay.Amount{"INV-A": 1000}}
	var rec recorder
	var logs logBuffer
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")), webhook.ExpectAmount(o.expect),
		webhook.WithLogger(logs.logger()))
	code, _ := do(h, signedRequest("/", paidBody("e_nohook", "INV-A", 1).bytes(t)))
	assert.Equal(t, 200, code)
	assert.Zero(t, rec.calls.Load())
	assert.Contains(t, logs.String(), `"outcome":"amount-mismatch"`)
}
