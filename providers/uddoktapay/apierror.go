package uddoktapay

import (
	"encoding/json"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// maxMessageLen bounds the provider text kept in an error.
const maxMessageLen = 512

// apiError maps an error answer to an *mfspay.Error: a non-2xx status, or
// a 2xx carrying one of UddoktaPay's error envelopes (create's
// {"status": false, …}, verify's {"status": "ERROR", …}), which have
// messages and no codes. The kind follows the HTTP status, then the
// message where it names the key or a refusal; a 2xx envelope with any
// other message is an invalid request for a create and an unknown invoice
// for a verify. The message is kept scrubbed of every configured key.
func (g *gateway) apiError(op string, resp *kit.HTTPResponse) *mfspay.Error {
	message := errorText(resp.Body)
	var e *mfspay.Error
	if resp.OK() {
		kind := mfspay.ErrNotFound
		if op == mfspay.OpCreate {
			kind = mfspay.ErrInvalidRequest
		}
		e = &mfspay.Error{Kind: kind, Provider: ProviderName, Op: op, HTTPStatus: resp.StatusCode,
			Message: truncate(g.http.Redact(message))}
	} else {
		e = g.http.StatusError(op, resp, "", message)
	}
	if e.Kind == mfspay.ErrInvalidRequest || e.Kind == mfspay.ErrNotFound {
		lower := strings.ToLower(message)
		switch {
		case strings.Contains(lower, "api key") || strings.Contains(lower, "unauthenticated"):
			e.Kind = mfspay.ErrUnauthorized
		case strings.Contains(lower, "not allowed") || strings.Contains(lower, "permission"):
			e.Kind = mfspay.ErrForbidden
		}
	}
	return e
}

// errorText is the provider's message: the "message" of a JSON body (its
// text when a string, its JSON otherwise), or a short printable excerpt of
// anything else, such as a web server's HTML error page. HTML character
// references are decoded first, so that a key they spell out is
// recognised by the redaction that follows.
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
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, html.UnescapeString(string(body)))
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return ""
	}
	return "non-JSON body: " + s
}

// truncate shortens s to maxMessageLen bytes on a rune boundary. It runs
// after redaction, so that a cut cannot split a key and leave part of it
// unrecognised.
func truncate(s string) string {
	if len(s) <= maxMessageLen {
		return s
	}
	n := maxMessageLen
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
