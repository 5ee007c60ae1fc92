package wezopaytest

import (
	"errors"
	"mime"
	"net/http"
	"net/mail"
	"strings"

	"github.com/mfspay/mfspay/providers/simkit"
)

// maxBodyBytes bounds a create request.
const maxBodyBytes = 64 << 10

// create handles POST /payments/create: 400 for a body that is not one JSON
// object, 422 with an "errors" field map for invalid fields, 422
// MsgDuplicateInvoice for an invoice id already used, else 201.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusBadRequest, "Content-Type must be application/json.", nil)
		return
	}
	f, err := simkit.ReadFields(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Malformed JSON body.", nil)
		return
	}
	f.Label = laravelLabel
	p := simkit.Payment{
		ID:            simkit.NewID("pay_", 10),
		Amount:        f.Amount("amount"),
		InvoiceID:     f.String("invoice_id", true, 100),
		CustomerName:  f.String("customer_name", false, 255),
		CustomerEmail: f.String("customer_email", false, 255),
		CustomerPhone: f.String("customer_phone", false, 20),
		SuccessURL:    f.URL("success_url", true, 2048),
		CancelURL:     f.URL("cancel_url", true, 2048),
		WebhookURL:    f.URL("webhook_url", false, 2048),
		Metadata:      f.Scalars("metadata"),
	}
	if c := f.String("currency", true, 3); c != "" && c != "BDT" && f.OK("currency") {
		f.Fail("currency", "The selected currency is invalid.")
	}
	if e := p.CustomerEmail; e != "" && f.OK("customer_email") && !validEmail(e) {
		f.Fail("customer_email", "The customer email must be a valid email address.")
	}
	if !f.OK() {
		writeError(w, http.StatusUnprocessableEntity, f.Summary(), f.Errors)
		return
	}
	p, err = s.Insert(p, true)
	switch {
	case errors.Is(err, simkit.ErrInvoiceExists):
		writeError(w, http.StatusUnprocessableEntity, MsgDuplicateInvoice, nil)
	case err != nil:
		writeError(w, http.StatusInternalServerError, "Server Error", nil)
	default:
		writeJSON(w, http.StatusCreated, map[string]any{"success": true, "data": map[string]string{
			"token": p.ID, "payment_url": s.PaymentURL(p.ID), "expires_at": timestamp(p.ExpiresAt),
		}})
	}
}

// laravelLabel names a field as WezoPay's framework does: customer_email is
// "customer email".
func laravelLabel(field string) string { return strings.ReplaceAll(field, "_", " ") }

// validEmail accepts a bare address with a dot in its domain.
func validEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	at := strings.LastIndexByte(s, '@')
	return err == nil && addr.Address == s && at > 0 && strings.Contains(s[at+1:], ".")
}
