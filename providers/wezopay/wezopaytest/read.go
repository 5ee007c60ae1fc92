package wezopaytest

import (
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/mfspay/mfspay/providers/simkit"
)

// verify handles GET /payments/verify?invoice_id=… or ?token=….
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	token, invoice := r.URL.Query().Get("token"), r.URL.Query().Get("invoice_id")
	var p simkit.Payment
	var ok bool
	switch {
	case token != "":
		p, ok = s.Store.Get(token)
		ok = ok && (invoice == "" || p.InvoiceID == invoice)
	case invoice != "":
		p, ok = s.Store.ByInvoice(invoice)
	default:
		writeError(w, http.StatusBadRequest, "The invoice_id or token parameter is required.", nil)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, "Payment not found", nil)
		return
	}
	p, _ = s.Refresh(p.ID)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": toData(p)})
}

// Page size limits of the list endpoint.
const (
	defaultPerPage = 20
	maxPerPage     = 100
)

// list handles GET /payments/list?status=&page=&per_page=.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := simkit.Fields{Label: laravelLabel}
	status := q.Get("status")
	if _, known := eventFor[status]; status != "" && !known {
		f.Fail("status", "The selected status is invalid.")
	}
	page := intParam(&f, q.Get("page"), 1, "page", math.MaxInt32)
	perPage := intParam(&f, q.Get("per_page"), defaultPerPage, "per_page", maxPerPage)
	if !f.OK() {
		writeError(w, http.StatusUnprocessableEntity, f.Summary(), f.Errors)
		return
	}
	s.Sweep()
	payments, total := s.Store.List(simkit.ListQuery{Status: status, Page: page, PerPage: perPage})
	data := make([]paymentData, 0, len(payments))
	for _, p := range payments {
		data = append(data, toData(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": data, "meta": map[string]int{
		"page": page, "per_page": perPage, "total": total, "last_page": max(1, (total+perPage-1)/perPage),
	}})
}

// intParam parses a positive integer query parameter no greater than max.
func intParam(f *simkit.Fields, raw string, def int, field string, max int) int {
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	switch {
	case errors.Is(err, strconv.ErrRange) || err == nil && n > max:
		f.Fail(field, "The "+laravelLabel(field)+" must not be greater than "+strconv.Itoa(max)+".")
	case err != nil:
		f.Fail(field, "The "+laravelLabel(field)+" must be an integer.")
	case n < 1:
		f.Fail(field, "The "+laravelLabel(field)+" must be at least 1.")
	default:
		return n
	}
	return def
}
