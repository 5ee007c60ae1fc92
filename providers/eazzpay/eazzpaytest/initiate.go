package eazzpaytest

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"

	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

// The documented field limits, in characters, and the body's.
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
)

// initiate is POST /payments/initiate. EazzPay has no invoice field and no
// duplicate check: every initiate creates a payment.
func (s *Server) initiate(w http.ResponseWriter, r *http.Request) {
	if !kit.CheckSharedSecret(r.Header.Get(SecretHeader), []string{s.secret}) {
		writeError(w, http.StatusUnauthorized, "Unauthorized: invalid client secret")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return
	}
	f, err := simkit.ReadFields(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "Request body too large")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "Malformed JSON body")
		return
	}
	p := simkit.Payment{
		CustomerName: f.String("cus_name", true, maxNameLen),
		Amount:       f.Amount("amount"),
		Extra:        map[string]string{extraReference: simkit.NewID("EZP", 6), extraMetadata: f.String("metadata", false, maxMetadataLen)},
		SuccessURL:   f.URL("success_url", true, maxURLLen),
		CancelURL:    f.URL("cancel_url", true, maxURLLen),
		WebhookURL:   f.URL("ipn_url", true, maxURLLen),
	}
	method := f.String("ipn_method", false, 0)
	if method == "" {
		method = http.MethodPost
	}
	if !slices.Contains(IPNMethods, method) && f.OK("ipn_method") {
		f.Fail("ipn_method", "The selected ipn_method is invalid.")
	}
	if _, ok := total(p.Amount); !ok && f.OK("amount") {
		f.Fail("amount", "The amount is too large.")
	}
	if !f.OK() {
		writeError(w, http.StatusUnprocessableEntity, f.First())
		return
	}
	p.Extra[extraIPNMethod] = method
	p.InvoiceID = invoiceOf(p.Extra[extraMetadata], p.WebhookURL)
	for err = simkit.ErrPaymentExists; errors.Is(err, simkit.ErrPaymentExists); {
		p.ID = simkit.NewID("", 12) // 24 hex digits, like EazzPay's ids.
		p, err = s.Insert(p, false)
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

// invoiceOf finds the merchant's invoice id: in the metadata string (a JSON
// object's "invoice_id"), else in the ipn_url's invoice_id parameter, so
// that PaymentCount can reveal a double charge.
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
