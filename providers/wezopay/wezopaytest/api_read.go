package wezopaytest

import (
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/mfspay/mfspay/providers/simkit"
)

// verify handles GET /payments/verify?invoice_id=… or ?token=….
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token, invoice := q.Get("token"), q.Get("invoice_id")
	var p simkit.Payment
	var ok bool
	switch {
	case token != "":
		p, ok = s.store.Get(token)
		ok = ok && (invoice == "" || p.InvoiceID == invoice)
	case invoice != "":
		p, ok = s.store.ByInvoice(invoice)
	default:
		writeError(w, http.StatusBadRequest, "The invoice_id or token parameter is required.", nil)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, "Payment not found", nil)
		return
	}
	p = s.refresh(p.ID)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": toData(p)})
}

// Page size limits of the list endpoint.
const (
	defaultPerPage = 20
	maxPerPage     = 100
)

var listableStatuses = []string{StatusPending, StatusPaid, StatusFailed, StatusCancelled, StatusExpired}

// list handles GET /payments/list?status=&page=&per_page=.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	errs := map[string][]string{}
	status := q.Get("status")
	if status != "" && !slices.Contains(listableStatuses, status) {
		errs["status"] = []string{"The selected status is invalid."}
	}
	page := intParam(q.Get("page"), 1, "page", math.MaxInt32, errs)
	perPage := intParam(q.Get("per_page"), defaultPerPage, "per_page", maxPerPage, errs)
	if len(errs) > 0 {
		v := validator{errs: errs}
		writeError(w, http.StatusUnprocessableEntity, v.summary(), errs)
		return
	}
	s.Sweep()
	payments, total := s.store.List(simkit.ListQuery{Status: status, Page: page, PerPage: perPage})
	data := make([]paymentData, 0, len(payments))
	for _, p := range payments {
		data = append(data, toData(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"success": true,
		"data":    data,
		"meta":    listMeta{Page: page, PerPage: perPage, Total: total, LastPage: max(1, (total+perPage-1)/perPage)},
	})
}

// intParam parses a positive integer query parameter no greater than max.
func intParam(raw string, def int, field string, max int, errs map[string][]string) int {
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil && len(raw) > 0 && allDigits(raw):
		errs[field] = []string{"The " + label(field) + " must not be greater than " + strconv.Itoa(max) + "."}
	case err != nil:
		errs[field] = []string{"The " + label(field) + " must be an integer."}
	case n < 1:
		errs[field] = []string{"The " + label(field) + " must be at least 1."}
	case n > max:
		errs[field] = []string{"The " + label(field) + " must not be greater than " + strconv.Itoa(max) + "."}
	default:
		return n
	}
	return def
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
