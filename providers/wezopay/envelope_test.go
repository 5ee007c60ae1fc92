package wezopay

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceEnvelope is how envelopes were decoded before the fast path,
// and what decodeEnvelope must agree with.
func referenceEnvelope(body []byte) (env envelope, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		return envelope{}, false
	}
	return env, true
}

var envelopeSeeds = []string{
	`{"success":true,"data":{"token":"pay_1","amount":250.00},"meta":{"page":1}}`,
	`{"success":false,"error":"Payment not found"}`, `{"success":false,"message":"x","errors":{"amount":["bad"]}}`,
	`{"suCCess":true,"DATA":{"a":1},"Meta":null}`, `{"success":true,"success":false}`, `{"ſuccess":true}`,
	`{"succ\u0065ss":true}`, `{"Kata":1,"data":2,"DATA":3}`, `{"data":1} trailing junk`, `{"data":1}{"data":2}`,
	`null`, `nullx`, `  null  `, `[]`, `"s"`, `12`, `true`, ``, `   `, `<html>502</html>`, `{"data":`, `{"data":1,}`,
	`{"success":true,"data":[1,2],"errors":"e","error":null}`, "{\"\xff\":1,\"data\":2}", `{"unknown":{"data":1}}`,
}

func TestDecodeEnvelopeMatchesJSONDecoder(t *testing.T) {
	for _, in := range envelopeSeeds {
		t.Run(in, func(t *testing.T) { checkEnvelope(t, []byte(in)) })
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	for _, in := range envelopeSeeds {
		f.Add([]byte(in))
	}
	f.Fuzz(checkEnvelope)
}

func checkEnvelope(t *testing.T, body []byte) {
	want, wantOK := referenceEnvelope(body)
	got, gotOK := decodeEnvelope(body)
	require.Equal(t, wantOK, gotOK, "%q", body)
	for name, pair := range map[string][2]json.RawMessage{
		"success": {want.Success, got.Success}, "data": {want.Data, got.Data}, "meta": {want.Meta, got.Meta},
		"error": {want.Error, got.Error}, "message": {want.Message, got.Message}, "errors": {want.Errors, got.Errors},
	} {
		assert.Equal(t, string(pair[0]), string(pair[1]), "%s of %q", name, body)
	}
}
