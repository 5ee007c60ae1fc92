package eazzpay

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"

	"github.com/mfspay/mfspay"
)

// apiError is EazzPay's error body: {"code": 4xx, "message": "..."}.
type apiError struct {
	Code    json.RawMessage `json:"code"`
	Message json.RawMessage `json:"message"`
}

// statusError maps a non-2xx answer to an *mfspay.Error, keeping EazzPay's
// code and message (scrubbed of secrets by the HTTP client). Bodies that are
// not the documented JSON (a proxy's HTML page) keep a short printable
// excerpt instead.
func (g *gateway) statusError(op string, resp *mfspay.HTTPResponse) *mfspay.Error {
	var body apiError
	code, message := "", ""
	if err := json.Unmarshal(resp.Body, &body); err == nil {
		code = rawText(body.Code)
		message = rawText(body.Message)
	} else {
		// Scrub before excerpt cuts the text, so a cut cannot split a
		// secret and leave part of it unrecognised.
		message = excerpt([]byte(g.http.Redact(string(resp.Body))))
	}
	return g.http.StatusError(op, resp, code, message)
}

// rawText renders a JSON string as its text and anything else (a number,
// an object of field errors) compactly as JSON.
func rawText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String()
	}
	return ""
}

// excerpt returns the start of a non-JSON body with control characters and
// runs of space collapsed, enough to recognise a proxy's error page.
func excerpt(b []byte) string {
	const max = 120
	s := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, string(b))
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	if s == "" {
		return ""
	}
	return "non-JSON body: " + s
}

func itoa(n int) string { return strconv.Itoa(n) }
