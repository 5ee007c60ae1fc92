package mfspay_test

import (
	"encoding/json"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/mfspay/mfspay"
)

// amountGrammar is ParseAmount's documented grammar: digits, optionally a
// point and one or two more digits. Nothing else: no sign, space, exponent.
var amountGrammar = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)

// maxTaka is the largest taka part an Amount can hold with any poisha:
// (MaxInt64-99)/100.
var maxTaka = big.NewInt(92233720368547757)

// amountOracle decides, apart from ParseAmount, whether s is an acceptable
// amount and what it is worth in poisha.
func amountOracle(s string) (mfspay.Amount, bool) {
	if !amountGrammar.MatchString(s) {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	taka, _ := new(big.Int).SetString(whole, 10)
	if taka.Cmp(maxTaka) > 0 {
		return 0, false
	}
	frac = (frac + "00")[:2]
	poisha, _ := new(big.Int).SetString(frac, 10)
	v := new(big.Int).Mul(taka, big.NewInt(100))
	v.Add(v, poisha)
	return mfspay.Amount(v.Int64()), true
}

// FuzzParseAmount checks that ParseAmount never panics, accepts exactly the
// documented grammar within range (judged by a big.Int oracle), formats
// what it accepts into a string that parses back to the same value, and
// that UnmarshalJSON agrees with it on the same text as a JSON string or a
// bare JSON value.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{
		"0", "1", "250", "250.5", "250.50", "0.01", "007.10", "1.", ".5", "1.234", "-1", "+1", " 1", "1 ",
		"1e2", "1E2", "0x10", "1_000", "１", "NaN", "Inf", "", ".", "1..2", "1.2.3",
		"92233720368547757.99", "92233720368547758", "92233720368547757.999", "9223372036854775807",
		"99999999999999999999999", "00000000000000000000000000001.00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := mfspay.ParseAmount(s)
		want, ok := amountOracle(s)
		if ok != (err == nil) {
			t.Fatalf("ParseAmount(%q): err=%v, but the grammar and range say accepted=%v", s, err, ok)
		}
		if err != nil {
			if mfspay.KindOf(err) != mfspay.ErrInvalidRequest {
				t.Fatalf("ParseAmount(%q): error %v is not ErrInvalidRequest", s, err)
			}
			checkUnmarshalRejects(t, s)
			return
		}
		if got != want || got < 0 {
			t.Fatalf("ParseAmount(%q) = %d poisha, want %d", s, got.Poisha(), want.Poisha())
		}
		str := got.String()
		if !amountGrammar.MatchString(str) || !strings.Contains(str, ".") || len(str)-strings.IndexByte(str, '.') != 3 {
			t.Fatalf("String() of %q is %q, not a two-decimal amount", s, str)
		}
		again, err := mfspay.ParseAmount(str)
		if err != nil || again != got {
			t.Fatalf("ParseAmount(String()=%q) = %v, %v; want %v", str, again, err, got)
		}
		checkUnmarshalAccepts(t, s, got)
	})
}

// checkUnmarshalAccepts: the text as a JSON string, as a bare number, and
// inside a struct decoded by encoding/json all yield want.
func checkUnmarshalAccepts(t *testing.T, s string, want mfspay.Amount) {
	t.Helper()
	quoted, _ := json.Marshal(s)
	for _, data := range [][]byte{quoted, []byte(s)} {
		var a mfspay.Amount
		if err := a.UnmarshalJSON(data); err != nil || a != want {
			t.Fatalf("UnmarshalJSON(%s) = %v, %v; ParseAmount gave %v", data, a, err, want)
		}
	}
	var v struct{ A mfspay.Amount }
	if err := json.Unmarshal([]byte(`{"A":`+string(quoted)+`}`), &v); err != nil || v.A != want {
		t.Fatalf("json.Unmarshal of %s = %v, %v; want %v", quoted, v.A, err, want)
	}
	out, err := json.Marshal(want)
	if err != nil || string(out) != `"`+want.String()+`"` {
		t.Fatalf("MarshalJSON(%v) = %s, %v", want, out, err)
	}
}

// checkUnmarshalRejects: text ParseAmount refuses is refused as a JSON
// string too, and leaves the amount untouched.
func checkUnmarshalRejects(t *testing.T, s string) {
	t.Helper()
	quoted, _ := json.Marshal(s)
	a := mfspay.Poisha(4242)
	if err := a.UnmarshalJSON(quoted); err == nil || a != mfspay.Poisha(4242) {
		t.Fatalf("UnmarshalJSON(%s) = %v, %v; ParseAmount refused %q", quoted, a, err, s)
	}
}
