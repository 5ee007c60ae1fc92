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

func TestJSONFieldNamesTheMemberNotItsValue(t *testing.T) {
	var v struct {
		Data struct {
			TrxID string `json:"trx_id"`
		} `json:"data"`
		Amount *mfspay.Amount `json:"amount"`
	}
	for _, tc := range []struct{ body, field string }{
		{`{"data":{"trx_id":5}}`, "data.trx_id"},
		{`{"data":[1]}`, "data"},
		{`{"amount":"12.345"}`, "amount"},
		{`{"amount":true}`, "amount"},
		{`[1,2]`, ""},
		{`{"data":`, ""},
		{`<html>`, ""},
	} {
		err := json.Unmarshal([]byte(tc.body), &v)
		require.Error(t, err, tc.body)
		assert.Equal(t, tc.field, kit.JSONField(err, "amount"), tc.body)
	}
}
