package conformance

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// authSpot is one place a notification carries its authentication: a
// header, a query parameter, or a field of its JSON body.
type authSpot struct {
	header string // canonical header name, or ""
	query  string // query parameter name, or ""
	field  string // top-level body field, or ""
}

// authLocator finds and forges the authentication of a notification.
//
// For the schemes mfspay names it knows exactly what to look for, from
// Capabilities.Webhook and the simulator's Secrets: a header or query value
// holding the hex HMAC-SHA256 of the body under a secret, one holding a
// secret itself, or an AWS SNS message's Signature field. For any other
// scheme it assumes that the authentication travels in headers or query
// parameters whose names mention a signature, secret, token, key or the
// like, or, when none does, in all of them.
type authLocator struct {
	scheme  mfspay.WebhookAuth
	secrets []string
}

// wrongSecret signs forgeries in the HMAC scheme: a well-formed signature
// under a key the gateway does not hold.
const wrongSecret = "conformance-wrong-secret"

// The fields of an AWS SNS message the suite works with: the signature, and
// the signed message it alters.
const (
	snsSignature = "Signature"
	snsMessage   = "Message"
)

var authishName = regexp.MustCompile(`(?i)sign|secret|auth|token|key|hmac|hash|digest|mac`)

// known reports whether the scheme is one the locator understands exactly.
func (l authLocator) known() bool {
	return l.scheme == mfspay.WebhookHMACSHA256 || l.scheme == mfspay.WebhookSharedSecret || l.scheme == mfspay.WebhookSNS
}

// carriesAuth reports whether value carries the authentication of body.
func (l authLocator) carriesAuth(value string, body []byte) bool {
	for _, sec := range l.secrets {
		switch l.scheme {
		case mfspay.WebhookHMACSHA256:
			if strings.Contains(strings.ToLower(value), kit.SignHMACSHA256(body, sec)) {
				return true
			}
		case mfspay.WebhookSharedSecret:
			if strings.Contains(value, sec) {
				return true
			}
		}
	}
	return false
}

// spots returns where n carries its authentication.
func (l authLocator) spots(n mfspay.WebhookRequest) []authSpot {
	if l.scheme == mfspay.WebhookSNS {
		if _, ok := bodyField(n.Body, snsSignature); ok {
			return []authSpot{{field: snsSignature}}
		}
		return nil
	}
	var out, named, all []authSpot
	for name, vs := range n.Header {
		all = append(all, authSpot{header: name})
		if authishName.MatchString(name) {
			named = append(named, authSpot{header: name})
		}
		for _, v := range vs {
			if l.known() && l.carriesAuth(v, n.Body) {
				out = append(out, authSpot{header: name})
				break
			}
		}
	}
	for name, vs := range n.Query {
		all = append(all, authSpot{query: name})
		if authishName.MatchString(name) {
			named = append(named, authSpot{query: name})
		}
		for _, v := range vs {
			if l.known() && l.carriesAuth(v, n.Body) {
				out = append(out, authSpot{query: name})
				break
			}
		}
	}
	switch {
	case l.known():
		return out
	case len(named) > 0:
		return named
	}
	return all
}

// values returns the values stored at s in r.
func (s authSpot) values(r mfspay.WebhookRequest) []string {
	switch {
	case s.header != "":
		return r.Header[s.header]
	case s.query != "":
		return r.Query[s.query]
	}
	v, _ := bodyField(r.Body, s.field)
	return []string{v}
}

// set stores vs at s in r.
func (s authSpot) set(r *mfspay.WebhookRequest, vs []string) {
	switch {
	case s.header != "":
		r.Header[s.header] = vs
	case s.query != "":
		r.Query[s.query] = vs
	default:
		r.Body = withBodyField(r.Body, s.field, &vs[0])
	}
}

// remove deletes s from r.
func (s authSpot) remove(r *mfspay.WebhookRequest) {
	switch {
	case s.header != "":
		delete(r.Header, s.header)
	case s.query != "":
		delete(r.Query, s.query)
	default:
		r.Body = withBodyField(r.Body, s.field, nil)
	}
}

// withoutAuth returns a copy of n with every authentication spot removed.
func (l authLocator) withoutAuth(n mfspay.WebhookRequest, spots []authSpot) mfspay.WebhookRequest {
	out := cloneRequest(n)
	for _, s := range spots {
		s.remove(&out)
	}
	return out
}

// withWrongAuth returns a copy of n whose authentication is well-formed but
// wrong: a signature under another key, or a secret that is not one.
func (l authLocator) withWrongAuth(n mfspay.WebhookRequest, spots []authSpot) mfspay.WebhookRequest {
	out := cloneRequest(n)
	for _, s := range spots {
		vs := append([]string(nil), s.values(out)...)
		for i, v := range vs {
			vs[i] = l.forge(v, n.Body)
		}
		s.set(&out, vs)
	}
	return out
}

// forge replaces the authentication inside value.
func (l authLocator) forge(value string, body []byte) string {
	for _, sec := range l.secrets {
		switch l.scheme {
		case mfspay.WebhookHMACSHA256:
			mac := kit.SignHMACSHA256(body, sec)
			if i := strings.Index(strings.ToLower(value), mac); i >= 0 {
				return value[:i] + kit.SignHMACSHA256(body, wrongSecret) + value[i+len(mac):]
			}
		case mfspay.WebhookSharedSecret:
			if strings.Contains(value, sec) {
				return strings.ReplaceAll(value, sec, mutateID(sec))
			}
		}
	}
	// An SNS signature, or an unknown scheme's value: the same characters
	// in their classes, so base64 and hex stay well-formed.
	return mutateID(value)
}

// withTamperedBody returns a copy of n whose signed content differs in one
// character, chosen to keep the body well-formed: the last digit (an
// amount, an id) or else the last letter changes. For an AWS SNS message
// that is inside its Message field, which the signature covers (fields
// such as UnsubscribeURL are not signed).
func (l authLocator) withTamperedBody(n mfspay.WebhookRequest) mfspay.WebhookRequest {
	out := cloneRequest(n)
	if l.scheme == mfspay.WebhookSNS {
		if msg, ok := bodyField(out.Body, snsMessage); ok {
			changed := string(tamperText([]byte(msg)))
			out.Body = withBodyField(out.Body, snsMessage, &changed)
			return out
		}
	}
	out.Body = tamperText(out.Body)
	return out
}

// tamperText changes the last digit of b, or else its last letter, or else
// appends a space.
func tamperText(b []byte) []byte {
	for i := len(b) - 1; i >= 0; i-- {
		if '0' <= b[i] && b[i] <= '9' {
			b[i] = '0' + (b[i]-'0'+1)%10
			return b
		}
	}
	for i := len(b) - 1; i >= 0; i-- {
		if 'a' <= b[i] && b[i] <= 'y' || 'A' <= b[i] && b[i] <= 'Y' {
			b[i]++
			return b
		}
	}
	return append(b, ' ')
}

// bodyField reads the string field name of a JSON object body.
func bodyField(body []byte, name string) (string, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return "", false
	}
	var v string
	raw, ok := obj[name]
	return v, ok && json.Unmarshal(raw, &v) == nil
}

// withBodyField returns the JSON object body with the string field name
// set to *v, or removed when v is nil; other fields keep their exact JSON.
// A body that is not a JSON object is returned as it is.
func withBodyField(body []byte, name string, v *string) []byte {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return body
	}
	if v == nil {
		delete(obj, name)
	} else {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(*v) // a string always encodes
		obj[name] = bytes.TrimRight(b.Bytes(), "\n")
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return out
}
