// Package secretforms lists secrets with every character that text
// encodings treat specially, and the forms a provider's text may echo
// them in, for the tests proving that no secret reaches an error or a log
// line in any encoding.
package secretforms

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
)

// Secrets holds / + & < > " ' space % backslash, non-ASCII letters and a
// character outside the Basic Multilingual Plane.
var Secrets = []string{
	"ezp_live/Ab+9xQ",
	"wpk_live&Zz<9>\"q'",
	"whsec_a b%2Fc\\d",
	"গোপন_কী_১২৩",
	"tok_😀_sym",
}

// Form is one way of writing a secret.
type Form struct {
	Name string
	Text string
}

// Of returns sec as provider text may carry it: as is, JSON-escaped by Go
// and by PHP (\/ and \uXXXX), URL-encoded as a query value (+ for space)
// and as a path (%20), with lower-case hex too, HTML-escaped (named,
// decimal and hexadecimal references), and two of these layered.
func Of(sec string) []Form {
	php := phpJSON(sec)
	return []Form{
		{"raw", sec},
		{"go json", jsonBody(sec)},
		{"php json", php},
		{"query", url.QueryEscape(sec)},
		{"path", url.PathEscape(sec)},
		{"lower-case query", lowerHex(url.QueryEscape(sec))},
		{"html", html.EscapeString(sec)},
		{"html decimal", references(sec, "&#%d;")},
		{"html hex", references(sec, "&#x%x;")},
		{"query in json", jsonBody(url.QueryEscape(sec))},
		{"json in html", html.EscapeString(php)},
		{"json in query", url.QueryEscape(php)},
		{"query twice", url.QueryEscape(url.QueryEscape(sec))},
	}
}

// All returns every form of every one of secrets, the raw form included.
func All(secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		for _, f := range Of(s) {
			out = append(out, f.Text)
		}
	}
	return out
}

// jsonBody is s as encoding/json writes it inside a string, quotes removed.
func jsonBody(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// phpJSON escapes as PHP's json_encode does by default: \/ for a slash and
// \uXXXX (a surrogate pair beyond the BMP) for every non-ASCII character.
func phpJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '/':
			b.WriteString(`\/`)
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		case r > 0x7E || r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// references writes every character but ASCII letters and digits as an
// HTML character reference in format.
func references(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

// lowerHex writes the hex digits of %XX escapes in lower case.
func lowerHex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			b.WriteString(strings.ToLower(s[i : i+3]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
