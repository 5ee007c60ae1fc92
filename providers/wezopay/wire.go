package wezopay

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// envelope is every WezoPay answer: {"success": …, "data": …, "meta": …}
// on success, {"success": false, "error": "…", "errors": {…}} on failure.
// Values stay raw so that nothing is decoded through float64.
type envelope struct {
	Success json.RawMessage `json:"success"`
	Data    json.RawMessage `json:"data"`
	Meta    json.RawMessage `json:"meta"`
	Error   json.RawMessage `json:"error"`
	Message json.RawMessage `json:"message"`
	Errors  json.RawMessage `json:"errors"`
}

// decodeEnvelope reads a JSON answer; ok is false for anything that is not
// a JSON object (a proxy's HTML page, an empty or cut-off body).
//
// It decodes as json.NewDecoder(body).Decode(&env) would (the first JSON
// value, whatever follows it; names matched case-insensitively), without
// reflection when the names are plain ASCII: every answer goes through it.
func decodeEnvelope(body []byte) (env envelope, ok bool) {
	v := validator{raw: body}
	v.space()
	start := v.i
	if !v.value(0) {
		return envelope{}, false
	}
	first := body[start:v.i]
	switch first[0] {
	case 'n':
		return envelope{}, true // null leaves the envelope empty
	case '{':
	default:
		return envelope{}, false // not an object
	}
	var buf [16]member
	if f, ok := splitObject(first, buf[:0]); ok {
		for _, m := range f {
			// encoding/json's case-insensitive match, for ASCII names.
			switch {
			case strings.EqualFold(m.name, "success"):
				env.Success = m.value
			case strings.EqualFold(m.name, "data"):
				env.Data = m.value
			case strings.EqualFold(m.name, "meta"):
				env.Meta = m.value
			case strings.EqualFold(m.name, "error"):
				env.Error = m.value
			case strings.EqualFold(m.name, "message"):
				env.Message = m.value
			case strings.EqualFold(m.name, "errors"):
				env.Errors = m.value
			}
		}
		return env, true
	}
	// Names to unescape or fold beyond ASCII: encoding/json decides.
	var slow envelope // apart from env, which then stays off the heap
	if err := json.Unmarshal(first, &slow); err != nil {
		return envelope{}, false
	}
	return slow, true
}

// succeeded reports an explicit "success": true.
func (e envelope) succeeded() bool { return string(bytes.TrimSpace(e.Success)) == "true" }

// fields is a JSON object whose values are read one by one, each with its
// expected type. A null value counts as absent. It is a short list rather
// than a map: objects here have a handful of members, and it is built for
// every answer and every webhook.
type fields []member

// member is one name and its raw value.
type member struct {
	name  string
	value json.RawMessage
}

// get returns the value of name; of duplicate names, the last, as
// json.Unmarshal would keep.
func (f fields) get(name string) (json.RawMessage, bool) {
	for i := len(f) - 1; i >= 0; i-- {
		if f[i].name == name {
			return f[i].value, true
		}
	}
	return nil, false
}

// decodeFields reads a JSON object. Its values may alias raw.
func decodeFields(raw json.RawMessage) (fields, bool) { return decodeFieldsInto(raw, nil) }

// decodeFieldsInto is decodeFields appending to buf, which a caller can
// keep on its stack.
func decodeFieldsInto(raw json.RawMessage, buf fields) (fields, bool) {
	if !validJSON(raw) {
		return nil, false
	}
	if f, ok := splitObject(raw, buf); ok {
		return f, true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, false
	}
	f := make(fields, 0, len(m))
	for name, value := range m {
		f = append(f, member{name, value})
	}
	return f, true
}

// badField says which field of an answer or notification is wrong and how.
type badField struct{ name, problem string }

func (b *badField) Error() string { return b.name + " " + b.problem }

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// optString returns a string field, "" when absent or null.
func (f fields) optString(name string) (string, error) {
	raw, ok := f.get(name)
	if !ok || isNull(raw) {
		return "", nil
	}
	if s, ok := plainString(raw); ok {
		return s, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", &badField{name, "is not a string"}
	}
	return s, nil
}

// plainString reads a JSON string literal without escapes and in valid
// UTF-8 directly: for such a literal json.Unmarshal would return exactly
// the bytes between the quotes, at several times the cost. raw has already
// passed the JSON syntax check of the object it came from, so it is a
// complete value.
func plainString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') >= 0 || !utf8.Valid(inner) {
		return "", false
	}
	if s, ok := knownValues[string(inner)]; ok { // looked up without a copy
		return s, true
	}
	return string(inner), true
}

// knownValues are the statuses, events and methods WezoPay sends, each
// mapped to itself so that reading one needs no copy.
var knownValues = map[string]string{
	"pending": "pending", "paid": "paid", "failed": "failed", "cancelled": "cancelled", "expired": "expired",
	"payment.pending": "payment.pending", "payment.completed": "payment.completed", "payment.failed": "payment.failed",
	"payment.cancelled": "payment.cancelled", "payment.expired": "payment.expired",
	"bkash": "bkash", "nagad": "nagad", "rocket": "rocket", "upay": "upay",
}

// reqString returns a non-empty string field.
func (f fields) reqString(name string) (string, error) {
	s, err := f.optString(name)
	if err == nil && s == "" {
		err = &badField{name, "is missing"}
	}
	return s, err
}

// amount parses a money field exactly: a JSON number as documented, or a
// decimal string, which a provider might also send.
func (f fields) amount(name string) (mfspay.Amount, error) {
	raw, ok := f.get(name)
	if !ok || isNull(raw) {
		return 0, &badField{name, "is missing"}
	}
	text := string(bytes.TrimSpace(raw))
	if text[0] == '"' {
		if json.Unmarshal(raw, &text) != nil {
			return 0, &badField{name, "is not a number"}
		}
	}
	a, err := mfspay.ParseAmount(text)
	if err != nil {
		return 0, &badField{name, "is not an amount with at most two decimals"}
	}
	return a, nil
}

// optTime parses an RFC 3339 timestamp field; zero when absent or null.
func (f fields) optTime(name string) (time.Time, error) {
	s, err := f.optString(name)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, &badField{name, "is not an RFC 3339 time"}
	}
	return t, nil
}

// statuses is the exact table of WezoPay payment statuses. Anything else,
// other spellings and letter cases included, is StatusUnknown: never paid.
var statuses = map[string]mfspay.Status{
	"pending":   mfspay.StatusPending,
	"paid":      mfspay.StatusPaid,
	"failed":    mfspay.StatusFailed,
	"cancelled": mfspay.StatusCancelled,
	"expired":   mfspay.StatusExpired,
}

// MapStatus maps a WezoPay status string to the neutral status.
func MapStatus(raw string) mfspay.Status { return kit.MapStatus(statuses, raw) }

// providerStatus is the WezoPay spelling of a neutral status, for list
// filters.
func providerStatus(s mfspay.Status) string {
	for raw, st := range statuses {
		if st == s {
			return raw
		}
	}
	return ""
}

// parsePayment reads a verify-shaped object. Identity, status and money
// are required; trx_id, paid_at, method and sender are optional, but a
// value of the wrong type makes the whole answer malformed.
func parsePayment(raw json.RawMessage) (mfspay.Payment, error) {
	var buf [16]member // an answer's members, without an allocation
	f, ok := decodeFieldsInto(raw, buf[:0])
	if !ok {
		return mfspay.Payment{}, &badField{"data", "is not an object"}
	}
	p := mfspay.Payment{Provider: ProviderName}
	var err error
	if p.PaymentID, err = f.reqString("token"); err != nil {
		return p, err
	}
	if p.InvoiceID, err = f.reqString("invoice_id"); err != nil {
		return p, err
	}
	rawStatus, err := f.reqString("status")
	if err != nil {
		return p, err
	}
	p.Status = MapStatus(rawStatus)
	if p.Amount, err = f.amount("amount"); err != nil {
		return p, err
	}
	if p.TrxID, err = f.optString("trx_id"); err != nil {
		return p, err
	}
	if p.PaidAt, err = f.optTime("paid_at"); err != nil {
		return p, err
	}
	method, err := f.optString("method")
	if err != nil {
		return p, err
	}
	p.Method = kit.ParseMethod(method)
	if p.Sender, err = f.optString("sender"); err != nil {
		return p, err
	}
	return p, nil
}
