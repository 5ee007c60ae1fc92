package simkit

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/mfspay/mfspay"
)

//go:embed templates/*.html
var templateFS embed.FS

// templates are parsed once; html/template escapes every value by context.
var templates = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// The hosted page's form fields and actions.
const (
	FieldAction = "action"
	FieldMethod = "method"
	FieldSender = "sender"
	FieldTrxID  = "trx_id"

	ActionPay    = "pay"
	ActionCancel = "cancel"
)

// MethodOption is one wallet the hosted page offers.
type MethodOption struct {
	// Value is the provider's name for it, posted back in the method
	// field; Label is shown; Method is the neutral method simctl's Payer
	// names it by.
	Value  string
	Label  string
	Method mfspay.Method
}

// PayPage is what the hosted payment page shows.
type PayPage struct {
	// Provider names the simulated provider in the title.
	Provider  string
	PaymentID string
	InvoiceID string
	Amount    mfspay.Amount
	// Status is the provider's status string, shown as is.
	Status string
	// Open shows the form; a payment that can no longer be paid shows only
	// its status.
	Open    bool
	Methods []MethodOption
	// Action is where the form posts (usually the page's own path).
	Action string
	// Error is shown above the form after a rejected submission, and the
	// submitted values are filled back in.
	Error  string
	Method string
	Sender string
	TrxID  string
}

// RenderPayPage writes the hosted payment page with status code.
func RenderPayPage(w http.ResponseWriter, status int, p PayPage) {
	render(w, status, "pay.html", p, pagePolicy)
}

// PayForm is what the customer submitted on the hosted page.
type PayForm struct {
	// Action is ActionPay or ActionCancel (or whatever was sent).
	Action string
	Method string
	Sender string
	TrxID  string
}

// maxFormBytes bounds a hosted-page submission.
const maxFormBytes = 64 << 10

// ReadPayForm parses a hosted-page submission.
func ReadPayForm(w http.ResponseWriter, r *http.Request) (PayForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return PayForm{}, err
	}
	return PayForm{
		Action: r.PostForm.Get(FieldAction),
		Method: strings.TrimSpace(r.PostForm.Get(FieldMethod)),
		Sender: strings.TrimSpace(r.PostForm.Get(FieldSender)),
		TrxID:  strings.TrimSpace(r.PostForm.Get(FieldTrxID)),
	}, nil
}

// MessagePage is a plain page with a heading and one line, for errors and
// "payment not found".
type MessagePage struct {
	Provider string
	Title    string
	Message  string
}

// RenderMessage writes a plain message page with status code.
func RenderMessage(w http.ResponseWriter, status int, m MessagePage) {
	render(w, status, "message.html", m, pagePolicy)
}

// DashboardPage is what the /_dashboard page lists.
type DashboardPage struct {
	Provider   string
	Payments   []Payment
	Deliveries []Delivery
}

// RenderDashboard writes the dashboard page.
func RenderDashboard(w http.ResponseWriter, d DashboardPage) {
	render(w, http.StatusOK, "dashboard.html", d, pagePolicy)
}

// pagePolicy lets a page style itself and post its form anywhere, and run
// no script.
const pagePolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action *"

// render executes into a buffer first so that a template error becomes a
// clean 500 rather than half a page; policy is its Content-Security-Policy.
func render(w http.ResponseWriter, status int, name string, data any, policy string) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", policy)
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// postBackPage sends the customer's browser back to the shop with a POST:
// a form of hidden fields that submits itself when the page loads (and a
// button, without script).
type postBackPage struct {
	Provider string
	URL      string
	Form     url.Values
}

// renderPostBack writes a postBackPage. Its one script is the form's
// onload submit, so its policy allows inline script.
func renderPostBack(w http.ResponseWriter, p postBackPage) {
	render(w, http.StatusOK, "postback.html", p, "default-src 'none'; script-src 'unsafe-inline'; form-action *")
}
