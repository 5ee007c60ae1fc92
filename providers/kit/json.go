package kit

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/mfspay/mfspay"
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

// JSONField names the member of a provider's JSON that json.Unmarshal
// refused, so that an adapter can report it without quoting the provider:
// the path encoding/json gives a member of the wrong type ("data.trx_id"),
// or money for a value mfspay.Amount refused (money names the one Amount
// member of the type decoded). It returns "" when the text is not the JSON
// object expected at all.
func JSONField(err error, money string) string {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		return typeErr.Field
	case errors.Is(err, mfspay.ErrInvalidRequest): // what mfspay.Amount returns
		return money
	}
	return ""
}
