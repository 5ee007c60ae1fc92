package eazzpaytest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/simkit"
)

// The documented field limits, in characters.
const (
	maxNameLen     = 100
	maxURLLen      = 100
	maxMetadataLen = 1000
	maxBodyBytes   = 64 << 10
)

// Keys of simkit.Payment.Extra.
const (
	extraReference = "reference"
	extraMetadata  = "metadata"
	extraIPNMethod = "ipn_method"
	extraAccount   = "account_type"
	extraBank      = "bank"
)

// initiate is POST /payments/initiate.
func (s *Server) initiate(w http.ResponseWriter, r *http.Request) {
	if !s.authentic(r) {
		writeError(w, http.StatusUnauthorized, "Unauthorized: invalid client secret")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "Request body too large")
		return
	}
	fields, ok := decodeObject(raw)
	if !ok {
		writeError(w, http.StatusBadRequest, "Malformed JSON body")
		return
	}
	p, msg := s.validate(fields)
	if msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	for {
		p.ID = simkit.NewID("", 12) // 24 hex digits, like EazzPay's ids.
		if s.store.Insert(p, false) == nil {
			break
		}
	}
	writeJSON(w, http.StatusCreated, initiated{
		Code:    http.StatusCreated,
		Message: "Payment initiated successfully",
		Data: initiatedData{
			PaymentID:         p.ID,
			Reference:         p.Extra[extraReference],
			TransactionStatus: p.Status,
			Amount:            p.Amount.Number(),
			EazzpayURL:        s.CheckoutURL(p.ID),
		},
	})
}

// decodeObject reads one JSON object, keeping values raw so that numbers
// are parsed exactly.
func decodeObject(raw []byte) (map[string]json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var fields map[string]json.RawMessage
	if dec.Decode(&fields) != nil || fields == nil || dec.More() {
		return nil, false
	}
	return fields, true
}

// validate applies the documented field rules and builds the payment. It
// returns a message naming the first offending field.
func (s *Server) validate(fields map[string]json.RawMessage) (simkit.Payment, string) {
	var p simkit.Payment
	name, msg := stringField(fields, "cus_name", true, maxNameLen)
	if msg != "" {
		return p, msg
	}
	amount, msg := amountField(fields, "amount")
	if msg != "" {
		return p, msg
	}
	metadata, msg := stringField(fields, "metadata", false, maxMetadataLen)
	if msg != "" {
		return p, msg
	}
	urls := map[string]string{}
	for _, f := range []string{"success_url", "cancel_url", "ipn_url"} {
		v, msg := stringField(fields, f, true, maxURLLen)
		if msg != "" {
			return p, msg
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return p, "The " + f + " must be a valid URL."
		}
		urls[f] = v
	}
	ipnMethod, msg := stringField(fields, "ipn_method", false, 0)
	if msg != "" {
		return p, msg
	}
	if ipnMethod == "" {
		ipnMethod = http.MethodPost
	}
	if !slices.Contains(IPNMethods, ipnMethod) {
		return p, "The selected ipn_method is invalid."
	}
	now := s.now()
	return simkit.Payment{
		InvoiceID:    invoiceOf(metadata, urls["ipn_url"]),
		Status:       StatusInitiated,
		Amount:       amount,
		CustomerName: name,
		SuccessURL:   urls["success_url"],
		CancelURL:    urls["cancel_url"],
		WebhookURL:   urls["ipn_url"],
		Extra: map[string]string{
			extraReference: simkit.NewID("EZP", 6),
			extraMetadata:  metadata,
			extraIPNMethod: ipnMethod,
		},
		CreatedAt: now,
		UpdatedAt: now,
	}, ""
}

// stringField reads a string field. max 0 means no length limit.
func stringField(fields map[string]json.RawMessage, name string, required bool, max int) (string, string) {
	raw, ok := fields[name]
	if !ok || string(raw) == "null" {
		if required {
			return "", "The " + name + " field is required."
		}
		return "", ""
	}
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return "", "The " + name + " must be a string."
	}
	if required && v == "" {
		return "", "The " + name + " field is required."
	}
	if max > 0 && utf8.RuneCountInString(v) > max {
		return "", "The " + name + " may not be greater than " + strconv.Itoa(max) + " characters."
	}
	return v, ""
}

// amountField reads a positive JSON number with at most two decimals,
// exactly.
func amountField(fields map[string]json.RawMessage, name string) (mfspay.Amount, string) {
	raw, ok := fields[name]
	if !ok || string(raw) == "null" {
		return 0, "The " + name + " field is required."
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if raw[0] == '"' || dec.Decode(&n) != nil {
		return 0, "The " + name + " must be a number."
	}
	a, err := mfspay.ParseAmount(n.String())
	if err != nil || a <= 0 {
		return 0, "The " + name + " must be a positive number with at most two decimals."
	}
	if _, ok := total(a); !ok {
		return 0, "The " + name + " is too large."
	}
	return a, ""
}

// invoiceOf finds the merchant's invoice id: in the metadata string (a JSON
// object's "invoice_id"), else in the ipn_url's invoice_id parameter.
func invoiceOf(metadata, ipnURL string) string {
	var env struct {
		InvoiceID string `json:"invoice_id"`
	}
	if json.Unmarshal([]byte(metadata), &env) == nil && env.InvoiceID != "" {
		return env.InvoiceID
	}
	if u, err := url.Parse(ipnURL); err == nil {
		return u.Query().Get("invoice_id")
	}
	return ""
}
