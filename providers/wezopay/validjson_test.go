package wezopay

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// validJSONSeeds cover each grammar rule on both sides of the line, and the
// nesting limit.
var validJSONSeeds = []string{
	``, ` `, `{}`, `[]`, `""`, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`, `+1`,
	`-01`, `0.0e0`, `true`, `false`, `null`, `tru`, `truex`, `nul`, `[1,]`, `[,1]`, `{"a":1,}`, `{"a" 1}`, `{a:1}`,
	`{"a":1}{}`, `{"a":1} `, " \t\r\n{\"a\" : [ 1 , 2 ] }\n", `"\u00e9\n\"\\\/\b\f\r\t"`, `"\u00g9"`, `"\x"`,
	"\"a\x01\"", "\"\xff\xfe\"", `"unterminated`, `{"a":"b"`, `[[[]]]`, `{"a":{"b":{"c":[true,false,null]}}}`,
	`{"event":"payment.completed","token":"pay_1","amount":250.00,"trx_id":null}`, `[1 2]`, `{"a":1 "b":2}`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
	strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
}

func TestValidJSONAgreesWithJSONValid(t *testing.T) {
	for _, in := range validJSONSeeds {
		assert.Equal(t, json.Valid([]byte(in)), validJSON([]byte(in)), "%.60q", in)
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, in := range validJSONSeeds {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := validJSON(raw), json.Valid(raw); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", raw, got, want)
		}
	})
}
