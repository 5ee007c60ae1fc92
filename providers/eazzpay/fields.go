package eazzpay

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/mfspay/mfspay"
)

// Typed readers over a decoded notification. Each returns an ErrInvalidRequest
// naming the field when the value has the wrong JSON type; a null value
// counts as absent.

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// optString returns a string field, "" when absent or null.
func optString(fields map[string]json.RawMessage, name string) (string, error) {
	raw, ok := fields[name]
	if !ok || isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", invalidWebhook(name, "must be a string")
	}
	return s, nil
}

// reqString returns a non-empty string field.
func reqString(fields map[string]json.RawMessage, name string) (string, error) {
	s, err := optString(fields, name)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", invalidWebhook(name, "is required")
	}
	return s, nil
}

// optAmount parses a money field exactly, whether EazzPay sent it as a JSON
// number (100.5) or a decimal string ("100.50"). ok is false when absent.
func optAmount(fields map[string]json.RawMessage, name string) (a mfspay.Amount, ok bool, err error) {
	raw, present := fields[name]
	if !present || isNull(raw) {
		return 0, false, nil
	}
	raw = bytes.TrimSpace(raw)
	text := string(raw)
	if raw[0] == '"' {
		if json.Unmarshal(raw, &text) != nil {
			return 0, false, invalidWebhook(name, "is not a string or number")
		}
	}
	a, perr := mfspay.ParseAmount(text)
	if perr != nil {
		return 0, false, invalidWebhook(name, "is not an amount with at most two decimals")
	}
	return a, true, nil
}

// reqAmount is optAmount for a required field.
func reqAmount(fields map[string]json.RawMessage, name string) (mfspay.Amount, error) {
	a, ok, err := optAmount(fields, name)
	if err == nil && !ok {
		err = invalidWebhook(name, "is required")
	}
	return a, err
}

// checkLen enforces a documented length range, in characters.
func checkLen(name, s string, min, max int) error {
	if n := utf8.RuneCountInString(s); n < min || n > max {
		return invalidWebhook(name, "must be "+itoa(min)+" to "+itoa(max)+" characters, has "+itoa(n))
	}
	return nil
}

// checkID rejects identifiers that could not have come from EazzPay: too
// long, or holding control characters, spaces or URL delimiters.
func checkID(name, s string) error {
	if (mfspay.PaymentRef{PaymentID: s}).Validate() != nil {
		return invalidWebhook(name, "is not an identifier")
	}
	return nil
}
