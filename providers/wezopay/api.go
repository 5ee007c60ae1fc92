package wezopay

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// statusError maps a non-2xx answer to an *mfspay.Error: the kind from the
// status code (a 5xx answer to a create is ErrOutcomeUnknown), WezoPay's
// "error" text with its "errors" field map summarised, and Retry-After. A
// create's reused invoice id is ErrDuplicate. A body that is not JSON (a
// proxy's HTML error page) is described, never copied. A retried create
// meeting its invoice id taken is ErrOutcomeUnknown instead: the earlier
// attempt may have made that payment (see kit.HTTPResponse.DuplicateKind).
func (g *gateway) statusError(op string, resp *kit.HTTPResponse) *mfspay.Error {
	env, ok := decodeEnvelope(resp.Body)
	if !ok {
		return g.http.StatusError(op, resp, "", nonJSON(resp))
	}
	msg, field := describe(env)
	e := g.http.StatusError(op, resp, "", msg)
	if e.Kind == mfspay.ErrInvalidRequest {
		e.Field = g.http.Redact(field) // the provider's field names are its text too
	}
	// Only a create can find its invoice id taken; a read saying so is not
	// about this payment.
	if op == mfspay.OpCreate && (resp.StatusCode == http.StatusUnprocessableEntity || resp.StatusCode == http.StatusConflict) &&
		duplicateInvoice(env) {
		e.Kind = resp.DuplicateKind() // a retry's duplicate may be the first attempt's payment
		e.Field = "invoice_id"
	}
	return e
}

// unsuccessful maps a 2xx answer whose body says "success": false (or does
// not say true) to an error. For a create, whose effect the answer no
// longer tells, it is ErrOutcomeUnknown, so that the invoice is looked up
// before anything else; for reads it is ErrUnavailable.
func (g *gateway) unsuccessful(op string, resp *kit.HTTPResponse, env envelope) *mfspay.Error {
	msg, _ := describe(env)
	kind := mfspay.ErrUnavailable
	switch {
	case op == mfspay.OpCreate && duplicateInvoice(env):
		kind = resp.DuplicateKind()
	case op == mfspay.OpCreate:
		kind = mfspay.ErrOutcomeUnknown
	}
	if msg == "" {
		msg = "the provider did not report success"
	} else {
		msg = "the provider did not report success: " + msg
	}
	return &mfspay.Error{Kind: kind, Provider: ProviderName, Op: op, HTTPStatus: resp.StatusCode, Message: truncate(g.http.Redact(msg))}
}

// malformed is the error for a success answer that lacks what it must
// carry. Only the field's name is kept, never its value.
func (g *gateway) malformed(op string, resp *kit.HTTPResponse, err error) *mfspay.Error {
	kind := mfspay.ErrUnavailable
	if op == mfspay.OpCreate {
		kind = mfspay.ErrOutcomeUnknown // the payment may exist: look it up.
	}
	msg := "malformed response"
	var bf *badField
	if errors.As(err, &bf) {
		msg += ": " + bf.Error()
	}
	return &mfspay.Error{Kind: kind, Provider: ProviderName, Op: op, HTTPStatus: resp.StatusCode, Message: msg}
}

// nonJSON describes a body that is not JSON without quoting it.
func nonJSON(resp *kit.HTTPResponse) string {
	ct := resp.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err == nil && mt != "" {
		return "non-JSON response (" + mt + ", " + strconv.Itoa(len(resp.Body)) + " bytes)"
	}
	return "non-JSON response (" + strconv.Itoa(len(resp.Body)) + " bytes)"
}

// describe renders WezoPay's error text and field errors as one message,
// and names the first offending field.
func describe(env envelope) (msg, field string) {
	msg = text(env.Error)
	if msg == "" {
		msg = text(env.Message)
	}
	fieldErrs := fieldErrors(env.Errors)
	if len(fieldErrs) == 0 {
		return msg, ""
	}
	names := make([]string, 0, len(fieldErrs))
	for name := range fieldErrs {
		names = append(names, name)
	}
	slices.Sort(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, name+": "+strings.Join(fieldErrs[name], " "))
	}
	summary := strings.Join(parts, "; ")
	if msg == "" {
		return summary, names[0]
	}
	return msg + " [" + summary + "]", names[0]
}

// fieldErrors reads {"field": ["msg", …]} or {"field": "msg"}.
func fieldErrors(raw json.RawMessage) map[string][]string {
	if isNull(raw) {
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	out := make(map[string][]string, len(obj))
	for name, v := range obj {
		var list []string
		if json.Unmarshal(v, &list) == nil {
			out[name] = list
			continue
		}
		if s := text(v); s != "" {
			out[name] = []string{s}
		}
	}
	return out
}

// text renders a JSON string as its text, and nothing else.
func text(raw json.RawMessage) string {
	var s string
	if isNull(raw) || json.Unmarshal(bytes.TrimSpace(raw), &s) != nil {
		return ""
	}
	return s
}

// duplicateInvoice recognises WezoPay's "invoice_id already exists" (and a
// framework's "has already been taken" on invoice_id).
func duplicateInvoice(env envelope) bool {
	if strings.Contains(strings.ToLower(text(env.Error)), "already exists") {
		return true
	}
	for _, m := range fieldErrors(env.Errors)["invoice_id"] {
		if m = strings.ToLower(m); strings.Contains(m, "already") {
			return true
		}
	}
	return false
}

// truncate bounds provider text kept in an error, cutting on a rune
// boundary.
func truncate(s string) string {
	n := 512
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
