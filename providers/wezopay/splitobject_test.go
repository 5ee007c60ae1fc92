package wezopay

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// splitObjectSeeds cover every shape of member value, whitespace
// everywhere JSON allows it, duplicates, escapes in keys and values, and
// values that are not objects.
var splitObjectSeeds = []string{
	`{}`, ` { } `, `{"a":1}`, "\t{\n\"a\" :\r\n -1.5e+3 , \"b\":\"x\"}\n",
	`{"event":"payment.completed","token":"pay_1","amount":250.00,"trx_id":null,"paid":true,"x":false}`,
	`{"a":"say \"hi\" \\","b":"\u00e9\n","c":"}]{[,:"}`,
	`{"nested":{"a":[1,{"b":"]}"},[]],"c":{}},"after":[ ]}`,
	`{"a":1,"a":2}`, `{"\u0061":1,"a":2}`, `{"a\"b":1}`, `{"é":1}`, "{\"\xff\":1}",
	`null`, `[]`, `"s"`, `12`, `{"a":1`, `{"a":1}{}`, `{"a" 1}`, ``,
}

// TestSplitObjectMatchesUnmarshal checks splitObject against the decoding it
// replaces: whenever it answers, it gives exactly the members
// json.Unmarshal gives, and it answers for every object with plain keys.
func TestSplitObjectMatchesUnmarshal(t *testing.T) {
	for _, in := range splitObjectSeeds {
		t.Run(in, func(t *testing.T) { checkSplitObject(t, []byte(in)) })
	}
}

func FuzzSplitObject(f *testing.F) {
	for _, in := range splitObjectSeeds {
		f.Add([]byte(in))
	}
	f.Fuzz(checkSplitObject)
}

func checkSplitObject(t *testing.T, raw []byte) {
	var want map[string]json.RawMessage
	wantOK := json.Unmarshal(raw, &want) == nil && want != nil
	got, gotOK := decodeFields(raw)
	require.Equal(t, wantOK, gotOK)
	if !wantOK {
		return
	}
	names := map[string]bool{}
	for _, m := range got {
		names[m.name] = true
	}
	require.Len(t, names, len(want))
	for k, v := range want {
		value, ok := got.get(k)
		require.True(t, ok, "member %q", k)
		assert.Equal(t, string(v), string(value), "member %q", k)
	}
	if plain(raw) {
		_, fast := splitObject(raw, nil)
		assert.True(t, fast, "an object with plain keys takes the fast path")
	}
}

// plain reports input without escapes or non-ASCII bytes, whose keys
// splitObject must handle itself.
func plain(raw []byte) bool {
	for _, c := range raw {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// TestPlainStringMatchesUnmarshal checks the fast string read of optString
// against json.Unmarshal: same result whenever it answers, and it declines
// what json.Unmarshal would have to unescape or repair.
func TestPlainStringMatchesUnmarshal(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		fast bool
	}{
		{`"pay_abc123"`, true}, {`""`, true}, {`"দোকান"`, true}, {`"a b/c"`, true},
		{`"a\"b"`, false}, {`"\u00e9"`, false}, {`"a\\"`, false}, {"\"\xff\"", false},
		{`12`, false}, {`null`, false}, {`"`, false},
	} {
		got, ok := plainString(json.RawMessage(tc.raw))
		require.Equal(t, tc.fast, ok, tc.raw)
		if ok {
			var want string
			require.NoError(t, json.Unmarshal([]byte(tc.raw), &want))
			assert.Equal(t, want, got, tc.raw)
		}
	}
}
