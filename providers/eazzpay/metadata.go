package eazzpay

import (
	"bytes"
	"encoding/json"
)

// metadataEnvelope is the JSON object the adapter puts in EazzPay's metadata
// string: the merchant's invoice id beside the merchant's own metadata, so
// that neither can overwrite the other.
type metadataEnvelope struct {
	InvoiceID string            `json:"invoice_id"`
	Metadata  map[string]string `json:"metadata,omitempty"`
}

// encodeMetadata returns the metadata string sent to EazzPay. Map keys are
// sorted by encoding/json, so the string (and its length) is deterministic.
func encodeMetadata(invoiceID string, md map[string]string) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep < > & literal: they count against the limit.
	if err := enc.Encode(metadataEnvelope{InvoiceID: invoiceID, Metadata: md}); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// invoiceFromMetadata returns the invoice id inside a metadata string the
// adapter wrote, or "" when the string holds none (a payment made by other
// software, or no metadata at all).
func invoiceFromMetadata(s string) string {
	var env struct {
		InvoiceID json.RawMessage `json:"invoice_id"`
	}
	if s == "" || json.Unmarshal([]byte(s), &env) != nil {
		return ""
	}
	var id string
	if json.Unmarshal(env.InvoiceID, &id) != nil {
		return ""
	}
	return id
}
