package simkit

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// BadRedirect is the redirect URL of simctl.TamperBadRedirect.
const BadRedirect = "javascript:alert(1)"

// RewriteJSON returns a TamperFunc for the 2xx JSON answers to requests
// that fits accepts: it hands change the object under key (the whole body
// when key is "") to alter, and answers the result. Numbers stay
// json.Number literals, so amounts never pass through float64.
func RewriteJSON(fits func(*http.Request) bool, key string, change func(obj map[string]any)) TamperFunc {
	return func(r *http.Request, status int, body []byte) ([]byte, bool) {
		if status < 200 || status > 299 || !fits(r) {
			return nil, false
		}
		var root map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&root) != nil {
			return nil, false
		}
		obj := root
		if key != "" {
			if obj, _ = root[key].(map[string]any); obj == nil {
				return nil, false
			}
		}
		change(obj)
		out, err := json.Marshal(root)
		return out, err == nil
	}
}

// Negate turns a JSON number into its negative, for
// simctl.TamperNegativeAmount.
func Negate(n any) json.Number {
	s, _ := n.(json.Number)
	return json.Number("-" + s.String())
}
