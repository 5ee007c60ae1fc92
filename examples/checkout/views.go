package main

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"

	"github.com/mfspay/mfspay/ledger"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are parsed once; html/template escapes every value for its context,
// so customer-typed names and provider-sent ids cannot inject markup.
var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// homeView is what the product page shows.
type homeView struct {
	Products      []product
	Gateways      []gatewayInfo
	Form          orderForm
	Notifications []hookRecord
	// Sweeps is what the reconciler did last, and the open payments it
	// cannot check, waiting for a human.
	Sweeps sweepView
}

// orderView is what the order page shows.
type orderView struct {
	Order       order
	Gateway     gatewayInfo
	StatusLabel string
	// Returned is "success" or "cancel" when the customer just came back
	// from the hosted page.
	Returned string
	// Refresh reloads the page while the order waits for its notification.
	Refresh bool
	// Gateways are linked from the footer.
	Gateways []gatewayInfo
	// LearntBy says how the order's status was learnt.
	LearntBy string
	// Ledger is the payment's ledger entry; nil when there is none.
	Ledger *ledger.Entry
}

// problemView is an error page.
type problemView struct {
	Title   string
	Message string
	OrderID string
}

// render executes a page into a buffer first, so that a template error is a
// clean 500 rather than half a page.
func render(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}
