package eazzpay

import (
	"bytes"
	"encoding/json"
	"html"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// apiError is EazzPay's error body: {"code": 4xx, "message": "..."}.
type apiError struct {
	Code    json.RawMessage `json:"code"`
	Message json.RawMessage `json:"message"`
}

// statusError maps a non-2xx answer to an *mfspay.Error, keeping EazzPay's
// code and message as text (scrubbed of secrets by the HTTP client). Bodies
// that are not the documented JSON (a proxy's HTML page) keep a short
// printable excerpt instead. Either is decoded first, JSON escapes and HTML
// character references alike, so that what is kept is the provider's text
// and a secret it echoes is recognised whatever its escaping.
func (d *driver) statusError(op string, resp *kit.HTTPResponse) *mfspay.Error {
	var body apiError
	code, message := "", ""
	if err := json.Unmarshal(resp.Body, &body); err == nil {
		code = jsonText(body.Code)
		message = jsonText(body.Message)
	} else {
		// Scrub before excerpt cuts the text, so a cut cannot split a
		// secret and leave part of it unrecognised.
		message = excerpt([]byte(d.http.Redact(html.UnescapeString(string(resp.Body)))))
	}
	return d.http.StatusError(op, resp, code, message)
}

// jsonText renders a JSON value as text: a string decoded, a number as
// written, an object (EazzPay's field errors) as "name: value" pairs in
// name order joined by "; ", an array's items joined by ", ". Raw JSON is
// never kept: its escapes (\/, \u0026) would hide a secret from Redact and
// read badly besides.
func jsonText(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if len(bytes.TrimSpace(raw)) == 0 || dec.Decode(&v) != nil {
		return ""
	}
	return valueText(v)
}

func valueText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, 0, len(v))
		for _, item := range v {
			parts = append(parts, valueText(item))
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		names := slices.Sorted(maps.Keys(v))
		parts := make([]string, 0, len(names))
		for _, name := range names {
			parts = append(parts, name+": "+valueText(v[name]))
		}
		return strings.Join(parts, "; ")
	}
	return "" // null
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

// explainOutcomeUnknown tells the caller what to do about an ambiguous
// create, since there is no lookup to settle it.
func explainOutcomeUnknown(err error) error {
	return kit.ExplainOutcomeUnknown(err, "the payment may have been created and EazzPay offers no lookup: "+
		"check the dashboard or wait for its IPN before creating it again")
}
