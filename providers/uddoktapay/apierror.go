package uddoktapay

import (
	"encoding/json"
	"html"
	"strings"
	"unicode"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// apiError maps an error answer to an *mfspay.Error: a non-2xx status, or
// a 2xx with one of UddoktaPay's error envelopes (create's {"status":
// false}, verify's {"status": "ERROR"}), which carry a message and no code.
// The kind follows the HTTP status, a 2xx envelope being an invalid request
// for a create and an unknown invoice for a verify; then a message naming
// the key or a refusal makes it unauthorized or forbidden. The message is
// kept, scrubbed of every configured key.
func (g *gateway) apiError(op string, resp *kit.HTTPResponse) *mfspay.Error {
	message := errorText(resp.Body)
	var e *mfspay.Error
	if resp.OK() {
		e = &mfspay.Error{Kind: mfspay.ErrNotFound, Provider: ProviderName, Op: op, HTTPStatus: resp.StatusCode}
		if op == mfspay.OpCreate {
			e.Kind = mfspay.ErrInvalidRequest
		}
		e.Message = g.http.ErrorText(message)
	} else {
		e = g.http.StatusError(op, resp, "", message)
	}
	if e.Kind == mfspay.ErrInvalidRequest || e.Kind == mfspay.ErrNotFound {
		switch lower := strings.ToLower(message); {
		case strings.Contains(lower, "api key") || strings.Contains(lower, "unauthenticated"):
			e.Kind = mfspay.ErrUnauthorized
		case strings.Contains(lower, "not allowed") || strings.Contains(lower, "permission"):
			e.Kind = mfspay.ErrForbidden
		}
	}
	return e
}

// errorText is the provider's message: the "message" of a JSON body (its
// text when a string, its JSON otherwise), or the printable text of
// anything else, such as a web server's HTML error page, with HTML
// character references decoded so that a key they spell out is scrubbed.
func errorText(body []byte) string {
	var env struct {
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(body, &env) == nil {
		var s string
		if json.Unmarshal(env.Message, &s) == nil {
			return s
		}
		return string(env.Message)
	}
	words := strings.FieldsFunc(html.UnescapeString(string(body)), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	})
	if len(words) == 0 {
		return ""
	}
	return "non-JSON body: " + strings.Join(words, " ")
}
