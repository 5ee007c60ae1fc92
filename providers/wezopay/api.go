package wezopay

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// call sends one API request through the payment-safe client and returns
// its successful answer. A non-2xx answer, a body that is not the
// documented JSON, and one that does not say "success": true are errors;
// for a create, whose effect such an answer no longer tells, they are
// ErrOutcomeUnknown (unless they say the invoice is taken), so that the
// invoice is looked up before anything else.
func call[T any](ctx context.Context, d *driver, op, method, path string, body []byte) (*envelope[T], *kit.HTTPResponse, error) {
	header := d.readHeaders
	if body != nil {
		header = d.jsonHeaders
	}
	resp, err := d.http.Do(ctx, kit.HTTPRequest{
		Op: op, Method: method, URL: d.base + path, Header: header, Body: body,
		Idempotent: method == http.MethodGet,
	})
	if err != nil {
		return nil, nil, err
	}
	if !resp.OK() {
		return nil, resp, d.statusError(op, resp)
	}
	var env envelope[T]
	if err := decode(resp.Body, &env); err != nil {
		return nil, resp, malformed(op, resp, err)
	}
	if !env.Success {
		return nil, resp, d.unsuccessful(op, resp, env.failure)
	}
	return &env, resp, nil
}

// failure is what an unsuccessful answer says: {"success": false,
// "error": "…", "errors": {"field": ["…"]}} ("message" for "error", or
// one string for a field's list, from frameworks that answer so).
type failure struct {
	Error   string              `json:"error"`
	Message string              `json:"message"`
	Errors  map[string]messages `json:"errors"`
}

// messages is a field's error messages: a list, or one string.
type messages []string

func (m *messages) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*m = messages{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(m))
}

// statusError maps a non-2xx answer to an *mfspay.Error: the kind from the
// status code (a 5xx answer to a create is ErrOutcomeUnknown), WezoPay's
// text with its field errors, and Retry-After, all scrubbed of secrets by
// the client. A proxy's non-JSON page is described, never copied. A
// create's reused invoice id is ErrDuplicate, or ErrOutcomeUnknown when it
// answers a retry (see kit.HTTPResponse.DuplicateKind): the earlier
// attempt may have made that payment.
func (d *driver) statusError(op string, resp *kit.HTTPResponse) *mfspay.Error {
	var f failure
	// A member of an unexpected type only loses its text.
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(resp.Body, &f); err != nil && !(errors.As(err, &typeErr) && typeErr.Field != "") {
		what := strconv.Itoa(len(resp.Body)) + " bytes"
		if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
			what = mt + ", " + what
		}
		return d.http.StatusError(op, resp, "", "non-JSON response ("+what+")")
	}
	msg, field := f.describe()
	e := d.http.StatusError(op, resp, "", msg)
	if e.Kind == mfspay.ErrInvalidRequest {
		e.Field = d.http.Redact(field) // the provider's field names are its text too
	}
	// Only a create can find its invoice id taken; a read saying so is not
	// about this payment.
	if op == mfspay.OpCreate && (resp.StatusCode == http.StatusUnprocessableEntity || resp.StatusCode == http.StatusConflict) &&
		f.duplicateInvoice() {
		e.Kind, e.Field = resp.DuplicateKind(), "invoice_id"
	}
	return e
}

// unsuccessful maps a 2xx answer that does not say "success": true.
func (d *driver) unsuccessful(op string, resp *kit.HTTPResponse, f failure) *mfspay.Error {
	kind := mfspay.ErrUnavailable
	switch {
	case op == mfspay.OpCreate && f.duplicateInvoice():
		kind = resp.DuplicateKind()
	case op == mfspay.OpCreate:
		kind = mfspay.ErrOutcomeUnknown
	}
	msg := "the provider did not report success"
	if text, _ := f.describe(); text != "" {
		msg += ": " + text
	}
	// Scrubbed before it is cut, so that a cut cannot hide part of a secret.
	if msg = d.http.Redact(msg); len(msg) > 512 {
		msg = strings.ToValidUTF8(msg[:512], "") + "…"
	}
	return &mfspay.Error{Kind: kind, Provider: ProviderName, Op: op, HTTPStatus: resp.StatusCode, Message: msg}
}

// malformed is the error for a success answer that lacks what it must
// carry: for a create ErrOutcomeUnknown (the payment may exist: look it
// up), for a read ErrUnavailable. Only the member's name is kept.
func malformed(op string, resp *kit.HTTPResponse, err error) *mfspay.Error {
	kind := mfspay.ErrUnavailable
	if op == mfspay.OpCreate {
		kind = mfspay.ErrOutcomeUnknown
	}
	msg := "malformed response"
	if bf := (*badField)(nil); errors.As(err, &bf) {
		msg += ": " + bf.Error()
	}
	return &mfspay.Error{Kind: kind, Provider: ProviderName, Op: op, HTTPStatus: resp.StatusCode, Message: msg}
}

// describe renders the error text and the field errors as one message,
// and names the first offending field.
func (f failure) describe() (msg, field string) {
	msg = cmp.Or(f.Error, f.Message)
	if len(f.Errors) == 0 {
		return msg, ""
	}
	names := slices.Sorted(maps.Keys(f.Errors))
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, name+": "+strings.Join(f.Errors[name], " "))
	}
	if summary := strings.Join(parts, "; "); msg == "" {
		msg = summary
	} else {
		msg += " [" + summary + "]"
	}
	return msg, names[0]
}

// duplicateInvoice recognises WezoPay's "invoice_id already exists" (and a
// framework's "has already been taken" on invoice_id).
func (f failure) duplicateInvoice() bool {
	taken := strings.Contains(strings.ToLower(f.Error), "already exists")
	for _, m := range f.Errors["invoice_id"] {
		taken = taken || strings.Contains(strings.ToLower(m), "already")
	}
	return taken
}
