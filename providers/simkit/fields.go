package simkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/mfspay/mfspay"
)

// Fields is a JSON object request body read for validation, the way the
// providers' web frameworks check requests: each getter reads one field,
// records what is wrong with it in Errors ("The amount field is required.")
// and returns its value. A simulator answers Errors in its own format. The
// zero Fields has no body and collects errors found elsewhere (in a query).
type Fields struct {
	// Errors holds the messages for each field found wrong.
	Errors map[string][]string
	// Label names a field in messages; nil uses the field's own name.
	// Laravel, for one, writes customer_email as "customer email".
	Label func(field string) string

	raw   map[string]json.RawMessage
	first string // the first message recorded
}

// ReadFields reads exactly one JSON object from r. Values stay raw, so
// numbers are read exactly, never through float64.
func ReadFields(r io.Reader) (*Fields, error) {
	dec := json.NewDecoder(r)
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("simkit: the body is not a JSON object: %w", err)
	}
	if raw == nil {
		return nil, errors.New("simkit: the body is null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("simkit: data after the JSON object")
	}
	return &Fields{raw: raw}, nil
}

// Fail records msg against field.
func (f *Fields) Fail(field, msg string) {
	if f.first == "" {
		f.first, f.Errors = msg, map[string][]string{}
	}
	f.Errors[field] = append(f.Errors[field], msg)
}

// OK says no field was found wrong (so far, or about field when given).
func (f *Fields) OK(field ...string) bool {
	for _, name := range field {
		if len(f.Errors[name]) > 0 {
			return false
		}
	}
	return len(field) > 0 || len(f.Errors) == 0
}

func (f *Fields) label(field string) string {
	if f.Label == nil {
		return field
	}
	return f.Label(field)
}

// First is the first message recorded, "" when none was.
func (f *Fields) First() string { return f.first }

// Summary is the first message and how many more there are, as Laravel
// writes it: "… (and 2 more errors)".
func (f *Fields) Summary() string {
	n := -1
	for _, msgs := range f.Errors {
		n += len(msgs)
	}
	switch n {
	case 0:
		return f.first
	case 1:
		return f.first + " (and 1 more error)"
	}
	return f.first + " (and " + strconv.Itoa(n) + " more errors)"
}

// Raw returns a field that is present and not null.
func (f *Fields) Raw(field string) (json.RawMessage, bool) {
	raw, ok := f.raw[field]
	return raw, ok && string(raw) != "null"
}

// String reads a string of at most max characters (0: no limit); a
// required one must not be blank.
func (f *Fields) String(field string, required bool, max int) string {
	raw, ok := f.Raw(field)
	var s string
	switch {
	case ok && json.Unmarshal(raw, &s) != nil:
		f.Fail(field, "The "+f.label(field)+" must be a string.")
	case required && len(bytes.TrimSpace([]byte(s))) == 0:
		f.Fail(field, "The "+f.label(field)+" field is required.")
	case max > 0 && utf8.RuneCountInString(s) > max:
		f.Fail(field, "The "+f.label(field)+" must not be greater than "+strconv.Itoa(max)+" characters.")
	}
	return s
}

// URL reads an absolute http(s) URL of at most max characters.
func (f *Fields) URL(field string, required bool, max int) string {
	s := f.String(field, required, max)
	if s == "" || !f.OK(field) {
		return s
	}
	if !ValidURL(s) {
		f.Fail(field, "The "+f.label(field)+" must be a valid URL.")
	}
	return s
}

// ValidURL accepts an absolute http or https URL with a host.
func ValidURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Amount reads a positive JSON number of taka with at most two decimals,
// exactly.
func (f *Fields) Amount(field string) mfspay.Amount {
	raw, ok := f.Raw(field)
	if !ok {
		f.Fail(field, "The "+f.label(field)+" field is required.")
		return 0
	}
	if c := raw[0]; c != '-' && (c < '0' || c > '9') { // valid JSON, so not a number
		f.Fail(field, "The "+f.label(field)+" must be a number.")
		return 0
	}
	a, err := mfspay.ParseAmount(string(raw))
	if err != nil || a <= 0 {
		f.Fail(field, "The "+f.label(field)+" must be a positive number with at most two decimals.")
	}
	return a
}

// Scalars reads an object of scalar values, kept as strings (a string's
// text, another scalar's JSON literal).
func (f *Fields) Scalars(field string) map[string]string {
	raw, ok := f.Raw(field)
	var obj map[string]json.RawMessage
	if !ok {
		return nil
	}
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		f.Fail(field, "The "+f.label(field)+" must be an object.")
		return nil
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		var s string
		switch {
		case v[0] == '{' || v[0] == '[':
			f.Fail(field, "The "+f.label(field)+" values must be scalars.")
			return nil
		case json.Unmarshal(v, &s) != nil:
			s = string(v)
		}
		out[k] = s
	}
	return out
}
