package mfspay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is money in poisha of Bangladeshi taka (1 taka = 100 poisha). BDT is
// the only currency. It is an exact integer: no float64 is ever involved in
// parsing or formatting it.
type Amount int64

// maxAmountTaka bounds the taka part so that taka*100+99 cannot overflow int64.
const maxAmountTaka = (math.MaxInt64 - 99) / 100

// Taka returns n whole taka. It panics if n*100 overflows; use it for
// constants and ParseAmount for untrusted input.
func Taka(n int64) Amount {
	if n > maxAmountTaka || n < -maxAmountTaka {
		panic("mfspay: Taka overflows Amount")
	}
	return Amount(n * 100)
}

// Poisha returns n poisha.
func Poisha(n int64) Amount { return Amount(n) }

// ParseAmount parses a non-negative decimal taka amount with at most two
// decimals: "250", "250.5", "250.50", "0.01". It rejects empty strings, signs,
// spaces, exponents, more than two decimals and values that overflow.
func ParseAmount(s string) (Amount, error) {
	whole, frac, ok := cutDecimal(s)
	if !ok {
		return 0, fmt.Errorf("%w: amount %q is not a decimal with at most two places", ErrInvalidRequest, s)
	}
	taka, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || taka > maxAmountTaka {
		return 0, fmt.Errorf("%w: amount %q is out of range", ErrInvalidRequest, s)
	}
	var poisha int64
	switch len(frac) {
	case 1:
		poisha = int64(frac[0]-'0') * 10
	case 2:
		poisha = int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	}
	return Amount(taka*100 + poisha), nil
}

// cutDecimal splits s into digit runs around one optional '.', accepting only
// [0-9]+ or [0-9]+.[0-9]{1,2}.
func cutDecimal(s string) (whole, frac string, ok bool) {
	whole = s
	if i := strings.IndexByte(s, '.'); i >= 0 {
		whole, frac = s[:i], s[i+1:]
		if len(frac) == 0 || len(frac) > 2 {
			return "", "", false
		}
	}
	if len(whole) == 0 || !allDigits(whole) || !allDigits(frac) {
		return "", "", false
	}
	return whole, frac, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Poisha returns the amount as integer poisha.
func (a Amount) Poisha() int64 { return int64(a) }

// String formats the amount in taka with exactly two decimals: "250.50".
func (a Amount) String() string {
	return string(a.AppendText(nil))
}

// AppendText appends the String form of a to b.
func (a Amount) AppendText(b []byte) []byte {
	// The magnitude is taken in uint64 so that even math.MinInt64, which
	// Poisha can build, formats correctly.
	v := uint64(a)
	if a < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendUint(b, v/100, 10)
	frac := v % 100
	return append(b, '.', byte('0'+frac/10), byte('0'+frac%10))
}

// Number returns the amount as a JSON number literal, for providers whose
// wire format wants a number ("amount": 250.00) rather than a string.
func (a Amount) Number() json.Number { return json.Number(a.String()) }

// MarshalJSON encodes the amount as an exact decimal string: "250.50".
func (a Amount) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b = a.AppendText(b)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts a JSON string or number holding a decimal with at
// most two places, parsed exactly. Following the encoding/json convention,
// null leaves the amount unchanged (zero in a fresh value), exactly as if the
// field were absent; code that needs an amount must check it is positive.
// Anything else (exponents, negatives, booleans, objects) is an error.
func (a *Amount) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	if len(data) >= 2 && data[0] == '"' && data[len(data)-1] == '"' {
		data = data[1 : len(data)-1]
	}
	v, err := ParseAmount(string(data))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
