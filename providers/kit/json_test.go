package kit_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

func TestEncodeJSONKeepsHTMLCharacters(t *testing.T) {
	v := map[string]any{"url": "https://shop.example/ipn?a=1&b=<2>", "n": json.Number("250.00")}
	got, err := kit.EncodeJSON(v)
	require.NoError(t, err)
	assert.Equal(t, `{"n":250.00,"url":"https://shop.example/ipn?a=1&b=<2>"}`, string(got), "compact, no trailing newline")
	var back map[string]any
	require.NoError(t, json.Unmarshal(got, &back))
	assert.Equal(t, "https://shop.example/ipn?a=1&b=<2>", back["url"])

	_, err = kit.EncodeJSON(func() {})
	assert.Error(t, err, "what encoding/json cannot encode is an error")
}

func TestDecodeJSONNamesTheMemberNotItsValue(t *testing.T) {
	type payment struct {
		TrxID  string         `json:"trx_id"`
		Amount *mfspay.Amount `json:"amount"`
	}
	var v struct {
		Data  payment   `json:"data"`
		Items []payment `json:"items"`
	}
	for _, tc := range []struct{ body, member string }{
		{`{"data":{"trx_id":5}}`, "data.trx_id"},
		{`{"data":[1]}`, "data"},
		{`{"data":{"amount":"12.345"}}`, "data.amount"},
		{`{"data":{"amount":true}}`, "data.amount"},
		{`{"items":[{},{"amount":-1}]}`, "items.1.amount"},
		{`{"data":{"trx_id":"a","trx_id":"b"}}`, ""},
		{"{\"data\":{\"trx_id\":\"\xff\"}}", ""},
		{`{"data":{}} trailing`, ""},
		{`[1,2]`, ""},
		{`{"data":`, ""},
		{`<html>`, ""},
	} {
		err := kit.DecodeJSON([]byte(tc.body), &v)
		var je *kit.JSONError
		require.ErrorAs(t, err, &je, tc.body)
		assert.Equal(t, tc.member, je.Member, tc.body)
		assert.NotContains(t, err.Error(), "12.345", "never the provider's value")
	}

	require.NoError(t, kit.DecodeJSON([]byte(`{"data":{"trx_id":"T1","amount":"250.5","extra":[1]},"DATA":{"trx_id":"X"}}`), &v))
	assert.Equal(t, "T1", v.Data.TrxID, "names match exactly: DATA is another member")
	assert.Equal(t, mfspay.Poisha(25050), *v.Data.Amount, "money through mfspay.Amount, from a string too")
}
