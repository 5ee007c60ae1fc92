package uddoktapaytest

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

// maxBodyBytes bounds an API request body.
const maxBodyBytes = 64 << 10

// read checks the key and the brand path, then reads the JSON body,
// answering a refusal itself: a missing or unknown key is 401, an unknown
// brand 404, a body that is not one object 400.
func (s *Server) read(w http.ResponseWriter, r *http.Request) (*simkit.Fields, bool) {
	if slug := r.PathValue("slug"); slug != "" && slug != s.slug {
		writeError(w, http.StatusNotFound, "Not Found")
		return nil, false
	}
	if !kit.CheckSharedSecret(r.Header.Get(KeyHeader), []string{s.key}) {
		writeError(w, http.StatusUnauthorized, "Invalid API Key")
		return nil, false
	}
	f, err := simkit.ReadFields(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeError(w, http.StatusBadRequest, "The request body must be a JSON object.")
		return nil, false
	}
	f.Label = func(field string) string { return strings.ReplaceAll(field, "_", " ") }
	return f, true
}

// checkout is POST /api/checkout-v2: it makes a charge and answers only
// its payment_url. There is no idempotency: every call makes a charge.
func (s *Server) checkout(w http.ResponseWriter, r *http.Request) {
	f, ok := s.read(w, r)
	if !ok {
		return
	}
	p := simkit.Payment{
		CustomerName:  f.String("full_name", true, 255),
		CustomerEmail: f.String("email", true, 255),
		Amount:        amountField(f, "amount"),
		SuccessURL:    f.URL("redirect_url", true, 2048),
		CancelURL:     f.URL("cancel_url", true, 2048),
		WebhookURL:    f.URL("webhook_url", false, 2048),
	}
	if p.CustomerEmail != "" && !strings.Contains(p.CustomerEmail, "@") && f.OK("email") {
		f.Fail("email", "The email must be a valid email address.")
	}
	metadata, ok := f.Raw("metadata")
	var md map[string]json.RawMessage
	if !ok || json.Unmarshal(metadata, &md) != nil || md == nil {
		f.Fail("metadata", "The metadata must be a JSON object.")
	}
	returnType := strings.ToUpper(f.String("return_type", false, 0))
	switch returnType {
	case "":
		returnType = http.MethodPost
	case http.MethodGet, http.MethodPost:
	default:
		f.Fail("return_type", "The selected return type is invalid.")
	}
	charge := fee(p.Amount, s.feeBP)
	if p.Amount > math.MaxInt64-charge && f.OK("amount") {
		f.Fail("amount", "The amount is too large.")
	}
	if !f.OK() {
		writeError(w, http.StatusUnprocessableEntity, f.First())
		return
	}
	// The merchant's invoice is what the adapter sends as order_id; the
	// kit indexes it, so PaymentCount can reveal a double charge.
	var order json.Number
	if json.Unmarshal(md["order_id"], &p.InvoiceID) != nil && json.Unmarshal(md["order_id"], &order) == nil {
		p.InvoiceID = order.String()
	}
	p.Extra = map[string]string{extraToken: simkit.NewID("", 20), extraMetadata: string(metadata),
		extraReturnType: returnType, extraFee: charge.String()}
	var err error
	for err = simkit.ErrPaymentExists; errors.Is(err, simkit.ErrPaymentExists); {
		p.ID = newInvoiceID()
		p, err = s.Insert(p, false)
	}
	s.mu.Lock()
	s.tokens[p.Extra[extraToken]] = p.ID
	s.mu.Unlock()
	simkit.WriteJSON(w, http.StatusOK, map[string]any{"status": true, "message": "Payment Url",
		"payment_url": s.PagesURL() + pagePath + p.Extra[extraToken]})
}

// amountField reads a positive amount sent as a string ("250.00") or a
// number (250.5), exactly.
func amountField(f *simkit.Fields, field string) mfspay.Amount {
	raw, ok := f.Raw(field)
	if !ok {
		f.Fail(field, "The "+field+" field is required.")
		return 0
	}
	var a mfspay.Amount
	if (raw[0] != '"' && (raw[0] < '0' || raw[0] > '9')) || a.UnmarshalJSON(raw) != nil || a <= 0 {
		f.Fail(field, "The "+field+" must be a positive number with at most two decimals.")
	}
	return a
}

// verify is POST /api/verify-payment. An unknown invoice_id is answered
// 200 with verify's error envelope, as UddoktaPay documents it.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	f, ok := s.read(w, r)
	if !ok {
		return
	}
	id := f.String("invoice_id", true, 0)
	if !f.OK() {
		writeError(w, http.StatusUnprocessableEntity, f.First())
		return
	}
	p, found := s.Refresh(id)
	if !found {
		simkit.WriteJSON(w, http.StatusOK, map[string]string{"status": StatusError, "message": "Invalid invoice id"})
		return
	}
	simkit.WriteJSON(w, http.StatusOK, bodyOf(p))
}
