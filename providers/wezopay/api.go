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

// envelope is every successful WezoPay answer, {"success": true, "data":
// …, "meta": …} (meta in lists), with what an unsuccessful one says.
type envelope[T any] struct {
	Success bool `json:"success"`
	Data    T    `json:"data"`
	Meta    *struct {
		Page     int `json:"page"`
		PerPage  int `json:"per_page"`
		Total    int `json:"total"`
		LastPage int `json:"last_page"`
	} `json:"meta"`
	failure
}

// failure is what an unsuccessful answer says: {"success": false,
// "error": "…", "errors": {"field": ["…"]}} (or "message", as some
// frameworks write it).
type failure struct {
	Error   string              `json:"error"`
	Message string              `json:"message"`
	Errors  map[string][]string `json:"errors"`
}

// badField says which member of an answer is wrong, never with its value.
type badField struct{ name, problem string }

func (b *badField) Error() string { return b.name + " " + b.problem }

// decode reads a JSON body into v (see kit.DecodeJSON), or names the
// member at fault.
func decode(body []byte, v any) error {
	if bad := (*kit.JSONError)(nil); errors.As(kit.DecodeJSON(body, v), &bad) {
		return &badField{cmp.Or(bad.Member, "body"), "is not the documented JSON"}
	}
	return nil
}

// call sends one request through the payment-safe client and returns its
// successful answer. Any other answer is an error; for a create, whose
// effect it no longer tells, ErrOutcomeUnknown unless it says the invoice
// is taken, so that the invoice is looked up before anything else.
func call[T any](ctx context.Context, d *driver, op, method, path string, body []byte) (*envelope[T], *kit.HTTPResponse, error) {
	header := d.readHeader
	if body != nil {
		header = d.jsonHeader
	}
	resp, err := d.http.Do(ctx, kit.HTTPRequest{Op: op, Method: method, URL: d.base + path, Header: header, Body: body,
		Idempotent: method == http.MethodGet})
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
		e := malformed(op, resp, nil)
		e.Message = "the provider did not report success"
		if text, _ := env.describe(); text != "" {
			e.Message = d.http.ErrorText(e.Message + ": " + text) // scrubbed, then cut
		}
		if op == mfspay.OpCreate && env.duplicateInvoice() {
			e.Kind = resp.DuplicateKind()
		}
		return nil, resp, e
	}
	return &env, resp, nil
}

// malformed is a 2xx answer that cannot be used: ErrOutcomeUnknown for a
// create (the payment may exist), else ErrUnavailable. Values are not kept.
func malformed(op string, resp *kit.HTTPResponse, err error) *mfspay.Error {
	e := &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: ProviderName, Op: op, HTTPStatus: resp.StatusCode,
		Message: "malformed response"}
	if op == mfspay.OpCreate {
		e.Kind = mfspay.ErrOutcomeUnknown
	}
	if bf := (*badField)(nil); errors.As(err, &bf) {
		e.Message += ": " + bf.Error()
	}
	return e
}

// statusError maps a non-2xx answer (see kit.HTTPClient.StatusError) with
// WezoPay's text, scrubbed of secrets; a proxy's non-JSON page is
// described, never copied. A create's reused invoice id is ErrDuplicate,
// or ErrOutcomeUnknown when it answers a retry, whose earlier attempt may
// have made that payment (see kit.HTTPResponse.DuplicateKind).
func (d *driver) statusError(op string, resp *kit.HTTPResponse) *mfspay.Error {
	var f failure
	var typeErr *json.UnmarshalTypeError // a member of another shape only loses its text
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
