package uddoktapaytest

import (
	"math"
	"math/big"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mfspay/mfspay"
)

// TestFeeIsExactAndCannotOverflow compares the fee with big-integer
// arithmetic for the extremes and for random amounts.
func TestFeeIsExactAndCannotOverflow(t *testing.T) {
	amounts := []int64{0, 1, 9999, 10000, 10001, 123456789, math.MaxInt64 - 1, math.MaxInt64}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		amounts = append(amounts, rng.Int64())
	}
	for _, bp := range []int64{0, 1, 150, 185, 9999, 10000} {
		for _, a := range amounts {
			want := new(big.Int).Mul(big.NewInt(a), big.NewInt(bp))
			want.Quo(want, big.NewInt(10000))
			got := fee(mfspay.Amount(a), bp)
			assert.Equal(t, want.Int64(), int64(got), "fee of %d at %d bp", a, bp)
			assert.GreaterOrEqual(t, int64(got), int64(0))
		}
	}
}

func TestChargeWhoseTotalOverflowsIsRefused(t *testing.T) {
	s := NewServer(WithFeeBasisPoints(20000)) // clamped to 100%
	defer s.Close()
	assert.EqualValues(t, 10000, s.feeBP)
	body := `{"full_name":"A","email":"a@b.c","amount":"92233720368547757.99","metadata":{},
		"redirect_url":"https://s.example/r","cancel_url":"https://s.example/c"}`
	req := httptest.NewRequest(http.MethodPost, "/api/checkout-v2", strings.NewReader(body))
	req.Header.Set(KeyHeader, s.key)
	w := httptest.NewRecorder()
	s.checkout(w, req)
	assert.Equal(t, http.StatusUnprocessableEntity, w.Code)
	assert.JSONEq(t, `{"status":false,"message":"The amount is too large."}`, w.Body.String())
}
