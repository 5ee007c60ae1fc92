package eazzpaytest_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

// largestAmount is the largest amount whose total (amount plus its 1.85%
// fee) still fits an mfspay.Amount: 9055839015075872172 poisha plus a fee of
// 167533021778903635 is math.MaxInt64.
const largestAmount = "90558390150758721.72"

func mustAmount(t *testing.T, lit string) mfspay.Amount {
	a, err := mfspay.ParseAmount(lit)
	require.NoError(t, err)
	return a
}

// TestFeeIsExactForTheLargestAmounts pays the largest amounts and checks the
// IPN's transaction_fee (1.85%, rounded down to the poisha) and total against
// math/big: an amount*185 that overflows int64 once made them negative.
func TestFeeIsExactForTheLargestAmounts(t *testing.T) {
	s := newServer(t)
	for _, lit := range []string{"250.50", "0.01", "99.99", "90000000000000000.00", largestAmount} {
		t.Run(lit, func(t *testing.T) {
			a, err := mfspay.ParseAmount(lit)
			require.NoError(t, err)
			id := create(t, s, func(b map[string]any) { b["amount"] = json.Number(lit) })
			require.NoError(t, s.Pay(bg, id, simctlPayer("bkash")))
			notes, err := s.Notifications(bg, id)
			require.NoError(t, err)
			require.NotEmpty(t, notes)
			var ipn struct {
				Amount         json.Number `json:"amount"`
				TransactionFee json.Number `json:"transaction_fee"`
				Total          json.Number `json:"total"`
			}
			dec := json.NewDecoder(bytes.NewReader(notes[0].Body))
			dec.UseNumber()
			require.NoError(t, dec.Decode(&ipn))

			fee := new(big.Int).Mul(big.NewInt(a.Poisha()), big.NewInt(185))
			fee.Quo(fee, big.NewInt(10000))
			total := new(big.Int).Add(fee, big.NewInt(a.Poisha()))
			assert.Equal(t, lit, ipn.Amount.String())
			assert.Equal(t, poishaText(fee), ipn.TransactionFee.String())
			assert.Equal(t, poishaText(total), ipn.Total.String())
		})
	}
}

// TestAmountsWhoseTotalOverflowsAreRefused: the amount plus its fee must
// still be an amount, so the largest amounts are refused at initiate.
func TestAmountsWhoseTotalOverflowsAreRefused(t *testing.T) {
	s := newServer(t)
	for _, a := range []mfspay.Amount{math.MaxInt64, mustAmount(t, largestAmount) + 1} {
		body := validBody()
		body["amount"] = a.Number()
		got := initiate(t, s, body)
		assert.Equal(t, http.StatusUnprocessableEntity, got.Status, a.String())
		assert.Contains(t, got.Body["message"], "amount")
	}
}

// poishaText writes n poisha as taka with two decimals.
func poishaText(n *big.Int) string {
	q, r := new(big.Int).QuoRem(n, big.NewInt(100), new(big.Int))
	return q.String() + "." + string(rune('0'+r.Int64()/10)) + string(rune('0'+r.Int64()%10))
}
