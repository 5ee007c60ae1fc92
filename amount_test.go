package mfspay_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

func TestParseAmountAccepts(t *testing.T) {
	tests := []struct {
		in   string
		want mfspay.Amount
	}{
		{"250", 25000},
		{"250.5", 25050},
		{"250.50", 25050},
		{"250.05", 25005},
		{"0.01", 1},
		{"0.1", 10},
		{"0", 0},
		{"0.00", 0},
		{"99999999.99", 9999999999},
		// The largest taka part that still leaves room for .99.
		{"92233720368547757.99", 9223372036854775799},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := mfspay.ParseAmount(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseAmountRejects(t *testing.T) {
	for _, in := range []string{
		"", "abc", "-1", "-0", "+1", "1e3", "1E3", "250.505", "250.500", " 250", "250 ", "\t250", ".5", "5.", ".",
		"1,000", "1_000", "0x10", "١٢٣", "250..5", "25.0.5", "NaN", "Inf", "250৳",
		"92233720368547758.08", "92233720368547758", "9223372036854775807", "99999999999999999999",
		"184467440737095516150000",
	} {
		t.Run(strconv.Quote(in), func(t *testing.T) {
			got, err := mfspay.ParseAmount(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, mfspay.ErrInvalidRequest)
			assert.Zero(t, got)
		})
	}
}

func TestAmountString(t *testing.T) {
	tests := []struct {
		in   mfspay.Amount
		want string
	}{
		{mfspay.Poisha(25050), "250.50"},
		{mfspay.Taka(250), "250.00"},
		{mfspay.Poisha(1), "0.01"},
		{mfspay.Poisha(10), "0.10"},
		{0, "0.00"},
		{mfspay.Poisha(-5), "-0.05"},
		{mfspay.Poisha(math.MaxInt64), "92233720368547758.07"},
		{mfspay.Poisha(math.MinInt64), "-92233720368547758.08"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.String())
			assert.Equal(t, tt.want, string(tt.in.AppendText(nil)))
			assert.Equal(t, json.Number(tt.want), tt.in.Number())
			b, err := json.Marshal(tt.in)
			require.NoError(t, err)
			assert.Equal(t, `"`+tt.want+`"`, string(b))
		})
	}
}

func TestAmountMarshalJSONInStruct(t *testing.T) {
	b, err := json.Marshal(struct {
		Amount mfspay.Amount `json:"amount"`
	}{mfspay.Poisha(7910)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"amount":"79.10"}`, string(b))
}

func TestAmountUnmarshalJSON(t *testing.T) {
	tests := []struct {
		in   string
		want mfspay.Amount
	}{
		{`"250.50"`, 25050},
		{`"0.01"`, 1},
		{`250.00`, 25000},
		{`79.10`, 7910},
		{`0.1`, 10},
		{`1.10`, 110},
		{`250`, 25000},
		{`0`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var v struct {
				Amount mfspay.Amount `json:"amount"`
			}
			require.NoError(t, json.Unmarshal([]byte(`{"amount":`+tt.in+`}`), &v))
			assert.Equal(t, tt.want, v.Amount)
		})
	}
}

func TestAmountUnmarshalJSONRejects(t *testing.T) {
	for _, in := range []string{
		`1e3`, `1E3`, `2.5e2`, `-1`, `250.505`, `true`, `false`, `{}`, `{"amount":1}`, `[]`, `[1]`,
		`""`, `"abc"`, `" 250"`, `"1e3"`, `"-1"`, `"92233720368547758.08"`, `92233720368547758.08`,
	} {
		t.Run(in, func(t *testing.T) {
			var v struct {
				Amount mfspay.Amount `json:"amount"`
			}
			v.Amount = 42
			err := json.Unmarshal([]byte(`{"amount":`+in+`}`), &v)
			require.Error(t, err)
			assert.Equal(t, mfspay.Amount(42), v.Amount, "a rejected amount must not change the value")
		})
	}
}

// TestAmountUnmarshalJSONNull pins the decision on null: like encoding/json
// for every other type, null leaves the value as it was (so a fresh field
// stays zero, exactly as when it is absent). Zero is never a payable amount:
// CreatePaymentRequest.Validate rejects it, and a confirmed amount of zero
// never matches what a merchant expects.
func TestAmountUnmarshalJSONNull(t *testing.T) {
	var fresh struct {
		Amount mfspay.Amount `json:"amount"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"amount":null}`), &fresh))
	assert.Zero(t, fresh.Amount)

	set := mfspay.Amount(500)
	require.NoError(t, set.UnmarshalJSON([]byte("null")))
	assert.Equal(t, mfspay.Amount(500), set)

	var ptr struct {
		Amount *mfspay.Amount `json:"amount"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"amount":null}`), &ptr))
	assert.Nil(t, ptr.Amount, "a pointer field tells null apart from zero")
}

// TestAmountUnmarshalJSONUseNumber covers a decoder configured the way the
// simulators decode: numbers as json.Number, never float64.
func TestAmountUnmarshalJSONUseNumber(t *testing.T) {
	var raw map[string]json.Number
	require.NoError(t, json.Unmarshal([]byte(`{"amount": 79.10}`), &raw))
	got, err := mfspay.ParseAmount(raw["amount"].String())
	require.NoError(t, err)
	assert.Equal(t, mfspay.Poisha(7910), got)
}

func TestAmountRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	values := []int64{0, 1, 9, 10, 99, 100, 101, 25050, 9999999999, 9223372036854775799}
	for range 5000 {
		values = append(values, r.Int64N(1_000_000_000_00)) // up to 1e9 taka
	}
	for range 1000 {
		values = append(values, r.Int64N(9223372036854775799+1))
	}
	for _, p := range values {
		a := mfspay.Poisha(p)
		back, err := mfspay.ParseAmount(a.String())
		require.NoError(t, err, a.String())
		require.Equal(t, a, back, a.String())

		b, err := json.Marshal(a)
		require.NoError(t, err)
		var fromJSON mfspay.Amount
		require.NoError(t, json.Unmarshal(b, &fromJSON))
		require.Equal(t, a, fromJSON)

		var fromNumber mfspay.Amount
		require.NoError(t, json.Unmarshal([]byte(a.Number()), &fromNumber))
		require.Equal(t, a, fromNumber)
	}
}

func TestTakaAndPoisha(t *testing.T) {
	assert.Equal(t, mfspay.Amount(25000), mfspay.Taka(250))
	assert.Equal(t, int64(25000), mfspay.Taka(250).Poisha())
	assert.Equal(t, mfspay.Amount(1), mfspay.Poisha(1))
	assert.Equal(t, mfspay.Amount(0), mfspay.Taka(0))
	assert.Equal(t, mfspay.Amount(-100), mfspay.Taka(-1))
	assert.Panics(t, func() { mfspay.Taka(math.MaxInt64 / 10) })
	assert.Panics(t, func() { mfspay.Taka(-math.MaxInt64 / 10) })
	assert.NotPanics(t, func() { mfspay.Taka(92233720368547757) })
}

func TestParseAmountErrorIsNotAnErrorType(t *testing.T) {
	// ParseAmount's error wraps the kind, so adapters can branch on it.
	_, err := mfspay.ParseAmount("1e3")
	assert.True(t, errors.Is(err, mfspay.ErrInvalidRequest))
	assert.Equal(t, mfspay.ErrInvalidRequest, mfspay.KindOf(err))
}
