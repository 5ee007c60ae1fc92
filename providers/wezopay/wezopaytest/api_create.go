package wezopaytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/simkit"
)

// maxBodyBytes bounds a create request.
const maxBodyBytes = 64 << 10

// create handles POST /payments/create.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		writeError(w, http.StatusBadRequest, "Content-Type must be application/json.", nil)
		return
	}
	raw, err := readObject(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Malformed JSON body.", nil)
		return
	}
	v := validator{raw: raw, errs: map[string][]string{}}
	amount := v.amount("amount")
	if c := v.str("currency", true, 3); c != "" && c != "BDT" && v.ok("currency") {
		v.add("currency", "The selected currency is invalid.")
	}
	p := simkit.Payment{
		ID:            simkit.NewID("pay_", 10),
		InvoiceID:     v.str("invoice_id", true, 100),
		Status:        StatusPending,
		Amount:        amount,
		CustomerName:  v.str("customer_name", false, 255),
		CustomerEmail: v.email("customer_email"),
		CustomerPhone: v.str("customer_phone", false, 20),
		SuccessURL:    v.url("success_url", true),
		CancelURL:     v.url("cancel_url", true),
		WebhookURL:    v.url("webhook_url", false),
		Metadata:      v.metadata("metadata"),
	}
	if len(v.errs) > 0 {
		writeError(w, http.StatusUnprocessableEntity, v.summary(), v.errs)
		return
	}
	now := s.now()
	p.CreatedAt, p.UpdatedAt, p.ExpiresAt = now, now, now.Add(s.expiry)
	if err := s.store.Insert(p, true); err != nil {
		if errors.Is(err, simkit.ErrInvoiceExists) {
			writeError(w, http.StatusUnprocessableEntity, MsgDuplicateInvoice, nil)
			return
		}
		writeError(w, http.StatusInternalServerError, "Server Error", nil)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"success": true,
		"data":    createdData{Token: p.ID, PaymentURL: s.PaymentURL(p.ID), ExpiresAt: timestamp(p.ExpiresAt)},
	})
}

// readObject decodes exactly one JSON object, keeping every value raw so
// that numbers are never touched by float64.
func readObject(r io.Reader) (map[string]json.RawMessage, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, errors.New("not an object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	return obj, nil
}

// validator checks fields the way the provider's framework does, collecting
// one message list per field.
type validator struct {
	raw  map[string]json.RawMessage
	errs map[string][]string
}

func (v *validator) add(field, msg string) { v.errs[field] = append(v.errs[field], msg) }

func (v *validator) ok(field string) bool { return len(v.errs[field]) == 0 }

// label turns "customer_email" into "customer email", as messages say it.
func label(field string) string { return strings.ReplaceAll(field, "_", " ") }

// present reports a field that is there and not null.
func (v *validator) present(field string) (json.RawMessage, bool) {
	raw, ok := v.raw[field]
	if !ok || string(raw) == "null" {
		return nil, false
	}
	return raw, true
}

func (v *validator) str(field string, required bool, max int) string {
	raw, ok := v.present(field)
	if !ok {
		if required {
			v.add(field, "The "+label(field)+" field is required.")
		}
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		v.add(field, "The "+label(field)+" must be a string.")
		return ""
	}
	if required && strings.TrimSpace(s) == "" {
		v.add(field, "The "+label(field)+" field is required.")
		return ""
	}
	if len([]rune(s)) > max {
		v.add(field, "The "+label(field)+" must not be greater than "+strconv.Itoa(max)+" characters.")
	}
	return s
}

// amount requires a JSON number with at most two decimals, parsed exactly.
func (v *validator) amount(field string) mfspay.Amount {
	raw, ok := v.present(field)
	if !ok {
		v.add(field, "The amount field is required.")
		return 0
	}
	lit := string(raw)
	if lit[0] != '-' && (lit[0] < '0' || lit[0] > '9') {
		v.add(field, "The amount must be a number.")
		return 0
	}
	if lit[0] == '-' {
		v.add(field, "The amount must be at least 0.01.")
		return 0
	}
	a, err := mfspay.ParseAmount(lit)
	if err != nil {
		v.add(field, "The amount must be a number with at most 2 decimal places.")
		return 0
	}
	if a <= 0 {
		v.add(field, "The amount must be at least 0.01.")
	}
	return a
}

func (v *validator) email(field string) string {
	s := v.str(field, false, 255)
	if s == "" || !v.ok(field) {
		return s
	}
	addr, err := mail.ParseAddress(s)
	at := strings.LastIndexByte(s, '@')
	if err != nil || addr.Address != s || at < 1 || !strings.Contains(s[at+1:], ".") {
		v.add(field, "The "+label(field)+" must be a valid email address.")
	}
	return s
}

func (v *validator) url(field string, required bool) string {
	s := v.str(field, required, 2048)
	if s == "" || !v.ok(field) {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.add(field, "The "+label(field)+" must be a valid URL.")
	}
	return s
}

// metadata accepts an object of scalar values, kept as strings.
func (v *validator) metadata(field string) map[string]string {
	raw, ok := v.present(field)
	if !ok {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		v.add(field, "The metadata must be an object.")
		return nil
	}
	out := make(map[string]string, len(obj))
	for k, val := range obj {
		var s string
		switch {
		case json.Unmarshal(val, &s) == nil:
			out[k] = s
		case len(val) > 0 && (val[0] == '{' || val[0] == '['):
			v.add(field, "The metadata values must be scalars.")
			return nil
		default:
			out[k] = string(val)
		}
	}
	return out
}

// summary is the top-level error text: the first message, and how many
// more there are.
func (v *validator) summary() string {
	var first string
	n := 0
	for _, field := range sortedKeys(v.errs) {
		for _, m := range v.errs[field] {
			if first == "" {
				first = m
			}
			n++
		}
	}
	switch n {
	case 1:
		return first
	case 2:
		return first + " (and 1 more error)"
	}
	return first + " (and " + strconv.Itoa(n-1) + " more errors)"
}
