package kit

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
)

// EncodeJSON encodes v as compact JSON, as json.Marshal does but without
// escaping <, > and &: a provider reads a body as written, so a URL's &
// reaches it as itself and counts once against the provider's length
// limits, instead of as the six characters of \u0026.
func EncodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// DecodeJSON decodes a provider's answer or notification into v with
// github.com/go-json-experiment/json, the upstream of encoding/json/v2:
// member names match exactly, a member given twice and invalid UTF-8 are
// refused, and it costs a third of what encoding/json does on every answer
// and notification (see BENCHMARKS.md). Types with an UnmarshalJSON method,
// such as mfspay.Amount, decode through it. An error is a *JSONError.
func DecodeJSON(data []byte, v any) error {
	err := jsonv2.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var semantic *jsonv2.SemanticError
	if errors.As(err, &semantic) {
		// A JSON pointer ("/data/trx_id") to the member the type refused.
		return &JSONError{Member: strings.ReplaceAll(strings.TrimPrefix(string(semantic.JSONPointer), "/"), "/", ".")}
	}
	return &JSONError{}
}

// JSONError is a provider's JSON that DecodeJSON refused. It names the
// member at fault, never its value, which came from the provider and may
// hold anything.
type JSONError struct {
	// Member is the path of the member of the wrong type or value
	// ("data.trx_id"); "" when the text as a whole is not the JSON object
	// expected (not JSON, cut short, a member given twice).
	Member string
}

func (e *JSONError) Error() string {
	if e.Member == "" {
		return "the body is not the documented JSON"
	}
	return e.Member + " is not the documented JSON"
}
