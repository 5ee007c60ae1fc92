package conformance

import (
	"regexp"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// authSpot is one header or query parameter carrying a notification's
// authentication.
type authSpot struct {
	header string // canonical header name, or ""
	query  string // query parameter name, or ""
}

// authLocator finds and forges the authentication of a notification.
//
// For the schemes mfspay names it knows exactly what to look for, from
// Capabilities.Webhook and the simulator's Secrets: a header or query value
// holding the hex HMAC-SHA256 of the body under a secret, or holding a
// secret itself. For any other scheme it assumes that the authentication
// travels in headers or query parameters whose names mention a signature,
// secret, token, key or the like, or, when none does, in all of them; a
// scheme that authenticates inside the body is outside what the suite can
// tamper with generically.
type authLocator struct {
	scheme  mfspay.WebhookAuth
	secrets []string
}

// wrongSecret signs forgeries in the HMAC scheme: a well-formed signature
// under a key the gateway does not hold.
const wrongSecret = "conformance-wrong-secret"

var authishName = regexp.MustCompile(`(?i)sign|secret|auth|token|key|hmac|hash|digest|mac`)

// known reports whether the scheme is one the locator understands exactly.
func (l authLocator) known() bool {
	return l.scheme == mfspay.WebhookHMACSHA256 || l.scheme == mfspay.WebhookSharedSecret
}

// bindsBody reports whether the scheme makes a changed body fail
// authentication. A static shared secret proves only who sent the
// notification, not what it says.
func (l authLocator) bindsBody() bool { return l.scheme != mfspay.WebhookSharedSecret }

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

// values returns the values stored at spot in r.
func (s authSpot) values(r mfspay.WebhookRequest) []string {
	if s.header != "" {
		return r.Header[s.header]
	}
	return r.Query[s.query]
}

func (s authSpot) set(r mfspay.WebhookRequest, vs []string) {
	if s.header != "" {
		r.Header[s.header] = vs
	} else {
		r.Query[s.query] = vs
	}
}

func (s authSpot) remove(r mfspay.WebhookRequest) {
	if s.header != "" {
		delete(r.Header, s.header)
	} else {
		delete(r.Query, s.query)
	}
}

// withoutAuth returns a copy of n with every authentication spot removed.
func (l authLocator) withoutAuth(n mfspay.WebhookRequest, spots []authSpot) mfspay.WebhookRequest {
	out := cloneRequest(n)
	for _, s := range spots {
		s.remove(out)
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
		s.set(out, vs)
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
	return mutateID(value)
}

// withTamperedBody returns a copy of n whose body differs in one byte,
// chosen to keep the body well-formed: the last digit (an amount, an id) or
// else the last letter changes.
func withTamperedBody(n mfspay.WebhookRequest) mfspay.WebhookRequest {
	out := cloneRequest(n)
	b := out.Body
	for i := len(b) - 1; i >= 0; i-- {
		if '0' <= b[i] && b[i] <= '9' {
			b[i] = '0' + (b[i]-'0'+1)%10
			return out
		}
	}
	for i := len(b) - 1; i >= 0; i-- {
		if 'a' <= b[i] && b[i] <= 'y' || 'A' <= b[i] && b[i] <= 'Y' {
			b[i]++
			return out
		}
	}
	out.Body = append(b, ' ')
	return out
}
