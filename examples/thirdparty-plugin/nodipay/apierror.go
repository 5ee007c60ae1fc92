package nodipay

import (
	"encoding/json"
	"errors"
	"mime"
	"strconv"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// errorBody is NodiPay's error answer.
type errorBody struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// statusError maps a non-2xx answer to an *mfspay.Error through the shared
// HTTPClient.StatusError: the kind from the status code (a 5xx answer to a
// create is ErrOutcomeUnknown), NodiPay's code, message and field, scrubbed
// of secrets, and Retry-After. A body that is not NodiPay's error JSON (a
// proxy's HTML page) is described, never quoted.
func (g *gateway) statusError(op string, resp *kit.HTTPResponse) *mfspay.Error {
	var body errorBody
	if json.Unmarshal(resp.Body, &body) != nil || body.Error == nil {
		return g.http.StatusError(op, resp, "", nonJSON(resp))
	}
	e := g.http.StatusError(op, resp, body.Error.Code, body.Error.Message)
	if e.Kind == mfspay.ErrInvalidRequest && body.Error.Field != "" {
		e.Field = g.http.Redact(body.Error.Field)
	}
	if body.Error.Code == "invoice_taken" {
		e.Kind, e.Field = resp.DuplicateKind(), "invoice_id" // a retry's duplicate may be its own payment
	}
	return e
}

// malformed is the error for a success answer that is not what NodiPay
// promises. For a create the payment may exist, so the outcome is unknown
// and the invoice is looked up; for a read the provider is misbehaving.
func (g *gateway) malformed(op string, resp *kit.HTTPResponse, err error) *mfspay.Error {
	kind := mfspay.ErrUnavailable
	if op == mfspay.OpCreate {
		kind = mfspay.ErrOutcomeUnknown
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
	n := strconv.Itoa(len(resp.Body))
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil && mt != "" {
		return "non-JSON response (" + mt + ", " + n + " bytes)"
	}
	return "non-JSON response (" + n + " bytes)"
}
