package nodipaytest

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"regexp"
	"strconv"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/simkit"
)

// maxBody bounds an API request body.
const maxBody = 64 << 10

// createRequest is the create body. Amount is kept raw and must be a bare
// integer literal: a string, fraction or exponent is refused, as NodiPay
// does, and no float64 is ever involved.
type createRequest struct {
	InvoiceID string          `json:"invoice_id"`
	Amount    json.RawMessage `json:"amount"`
	Currency  string          `json:"currency"`
	Customer  struct {
		Name, Email, Phone string
	} `json:"customer"`
	SuccessURL string            `json:"success_url"`
	CancelURL  string            `json:"cancel_url"`
	WebhookURL string            `json:"webhook_url"`
	Metadata   map[string]string `json:"metadata"`
}

var (
	// invoicePattern is 1 to 64 letters, digits and - _ . :
	invoicePattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)
	// poishaPattern is a positive integer literal of at most 18 digits.
	poishaPattern = regexp.MustCompile(`^[1-9][0-9]{0,17}$`)
)

// create serves POST /v1/payments.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json", "")
		return
	}
	var in createRequest
	var tooBig *http.MaxBytesError
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&in); errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "the body is too large", "")
		return
	} else if err != nil {
		writeError(w, http.StatusBadRequest, "bad_json", "the body is not a JSON object", "")
		return
	}
	amount, _ := strconv.ParseInt(string(in.Amount), 10, 64)
	validURL := func(u string) bool { return len(u) <= 2048 && simkit.ValidURL(u) }
	field, problem := "", "an absolute http(s) URL"
	switch {
	case !invoicePattern.MatchString(in.InvoiceID):
		field, problem = "invoice_id", "1 to 64 letters, digits and - _ . :"
	case !poishaPattern.Match(in.Amount):
		field, problem = "amount", "a positive integer of poisha"
	case in.Currency != "BDT":
		field, problem = "currency", "only BDT"
	case !validURL(in.SuccessURL):
		field = "success_url"
	case !validURL(in.CancelURL):
		field = "cancel_url"
	case in.WebhookURL != "" && !validURL(in.WebhookURL):
		field = "webhook_url"
	}
	if field != "" {
		writeError(w, http.StatusUnprocessableEntity, "invalid_field", problem, field)
		return
	}
	p, err := s.Insert(simkit.Payment{
		ID: simkit.NewID("pay_", 10), InvoiceID: in.InvoiceID, Amount: mfspay.Poisha(amount),
		CustomerName: in.Customer.Name, CustomerEmail: in.Customer.Email, CustomerPhone: in.Customer.Phone,
		SuccessURL: in.SuccessURL, CancelURL: in.CancelURL, WebhookURL: in.WebhookURL, Metadata: in.Metadata,
	}, true)
	if errors.Is(err, simkit.ErrInvoiceExists) {
		writeError(w, http.StatusConflict, "invoice_taken", "the invoice id already has a payment", "invoice_id")
		return
	}
	writeJSON(w, http.StatusCreated, s.object(p))
}

// get serves GET /v1/payments/{id} and GET /v1/invoices/{invoice}/payment.
func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	p, ok := s.Store.Get(r.PathValue("id"))
	if invoice := r.PathValue("invoice"); invoice != "" {
		p, ok = s.Store.ByInvoice(invoice)
	}
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "no such payment", "")
		return
	}
	p, _ = s.Refresh(p.ID)
	writeJSON(w, http.StatusOK, s.object(p))
}

// list serves GET /v1/payments, newest first.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, perPage := 1, 20
	var err error
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			writeError(w, http.StatusUnprocessableEntity, "invalid_field", "a page number from 1", "page")
			return
		}
	}
	if v := q.Get("per_page"); v != "" {
		if perPage, err = strconv.Atoi(v); err != nil || perPage < 1 || perPage > 100 {
			writeError(w, http.StatusUnprocessableEntity, "invalid_field", "1 to 100", "per_page")
			return
		}
	}
	status := q.Get("status")
	if status != "" && !knownStatuses[status] {
		writeError(w, http.StatusUnprocessableEntity, "invalid_field", "not a payment status", "status")
		return
	}
	s.Sweep()
	items, total := s.Store.List(simkit.ListQuery{Status: status, Page: page, PerPage: perPage})
	out := listPage{Data: []paymentJSON{}, Page: page, PerPage: perPage, Total: total}
	for _, p := range items {
		out.Data = append(out.Data, s.object(p))
	}
	// A page with items starts before total, so this cannot overflow.
	out.HasMore = len(items) > 0 && (page-1)*perPage+len(items) < total
	writeJSON(w, http.StatusOK, out)
}

// listPage is a list answer.
type listPage struct {
	Data    []paymentJSON `json:"data"`
	Page    int           `json:"page"`
	PerPage int           `json:"per_page"`
	Total   int           `json:"total"`
	HasMore bool          `json:"has_more"`
}
