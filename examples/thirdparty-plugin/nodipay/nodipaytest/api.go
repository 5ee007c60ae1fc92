package nodipaytest

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
)

// createRequest is the create body. Amount is kept raw and must be a bare
// integer literal: a string, fraction or exponent is refused, as NodiPay
// does, and no float64 is ever involved.
type createRequest struct {
	InvoiceID  string            `json:"invoice_id"`
	Amount     json.RawMessage   `json:"amount"`
	Currency   string            `json:"currency"`
	Customer   customer          `json:"customer"`
	SuccessURL string            `json:"success_url"`
	CancelURL  string            `json:"cancel_url"`
	WebhookURL string            `json:"webhook_url"`
	Metadata   map[string]string `json:"metadata"`
}

// createPayment serves POST /v1/payments.
func (s *Server) createPayment(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json", "")
		return
	}
	var in createRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", "the body is too large", "")
			return
		}
		writeError(w, http.StatusBadRequest, "bad_json", "the body is not a JSON object", "")
		return
	}
	amount, amountOK := poisha(in.Amount)
	switch {
	case !validInvoiceID(in.InvoiceID):
		writeError(w, http.StatusUnprocessableEntity, "invalid_field", "1 to 64 letters, digits and - _ . :", "invoice_id")
		return
	case !amountOK:
		writeError(w, http.StatusUnprocessableEntity, "invalid_field", "a positive integer of poisha", "amount")
		return
	case in.Currency != "BDT":
		writeError(w, http.StatusUnprocessableEntity, "invalid_field", "only BDT", "currency")
		return
	case !validURL(in.SuccessURL):
		writeError(w, http.StatusUnprocessableEntity, "invalid_field", "an absolute http(s) URL", "success_url")
		return
	case !validURL(in.CancelURL):
		writeError(w, http.StatusUnprocessableEntity, "invalid_field", "an absolute http(s) URL", "cancel_url")
		return
	case in.WebhookURL != "" && !validURL(in.WebhookURL):
		writeError(w, http.StatusUnprocessableEntity, "invalid_field", "an absolute http(s) URL", "webhook_url")
		return
	}

	s.mu.Lock()
	if _, taken := s.byInv[in.InvoiceID]; taken {
		s.mu.Unlock()
		writeError(w, http.StatusConflict, "invoice_taken", "the invoice id already has a payment", "invoice_id")
		return
	}
	now := s.now().UTC()
	p := &payment{
		seq:        len(s.payments),
		id:         "pay_" + randomHex(10),
		invoiceID:  in.InvoiceID,
		amount:     amount,
		status:     statusOpen,
		createdAt:  now,
		expiresAt:  now.Add(s.ttl),
		customer:   in.Customer,
		successURL: in.SuccessURL,
		cancelURL:  in.CancelURL,
		webhookURL: in.WebhookURL,
		metadata:   in.Metadata,
	}
	s.payments = append(s.payments, p)
	s.byID[p.id] = p
	s.byInv[p.invoiceID] = p
	obj := s.object(p)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, obj)
}

// getPayment serves GET /v1/payments/{id}.
func (s *Server) getPayment(w http.ResponseWriter, r *http.Request) {
	s.answerOne(w, func() *payment { return s.byID[r.PathValue("id")] })
}

// getByInvoice serves GET /v1/invoices/{invoice}/payment.
func (s *Server) getByInvoice(w http.ResponseWriter, r *http.Request) {
	s.answerOne(w, func() *payment { return s.byInv[r.PathValue("invoice")] })
}

func (s *Server) answerOne(w http.ResponseWriter, find func() *payment) {
	s.mu.Lock()
	p := find()
	if p == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "not_found", "no such payment", "")
		return
	}
	s.settle(p)
	obj := s.object(p)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, obj)
}

// listPage is a list answer.
type listPage struct {
	Data    []paymentJSON `json:"data"`
	Page    int           `json:"page"`
	PerPage int           `json:"per_page"`
	Total   int           `json:"total"`
	HasMore bool          `json:"has_more"`
}

// listPayments serves GET /v1/payments, newest first.
func (s *Server) listPayments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, perPage := 1, 20
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusUnprocessableEntity, "invalid_field", "a page number from 1", "page")
			return
		}
		page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeError(w, http.StatusUnprocessableEntity, "invalid_field", "1 to 100", "per_page")
			return
		}
		perPage = n
	}
	status := q.Get("status")
	if status != "" && !knownStatuses[status] {
		writeError(w, http.StatusUnprocessableEntity, "invalid_field", "not a payment status", "status")
		return
	}

	s.mu.Lock()
	var match []*payment
	for i := len(s.payments) - 1; i >= 0; i-- {
		p := s.payments[i]
		s.settle(p)
		if status == "" || p.status == status {
			match = append(match, p)
		}
	}
	out := listPage{Data: []paymentJSON{}, Page: page, PerPage: perPage, Total: len(match)}
	// The first test keeps (page-1)*perPage from overflowing.
	if start := (page - 1) * perPage; page <= len(match)/perPage+1 && start < len(match) {
		end := min(start+perPage, len(match))
		for _, p := range match[start:end] {
			out.Data = append(out.Data, s.object(p))
		}
		out.HasMore = end < len(match)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// poisha reads a positive integer literal of at most 18 digits.
func poisha(raw json.RawMessage) (int64, bool) {
	if len(raw) == 0 || len(raw) > 18 || raw[0] == '0' {
		return 0, false
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil
}
