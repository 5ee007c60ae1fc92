package uddoktapaytest

import (
	"errors"
	"html/template"
	"net/http"
	"regexp"
	"slices"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/simkit"
)

// The hosted page, on its own listener: the kit serves one generic page,
// and UddoktaPay's differs (the panel matches the transaction id against
// SMS data, may leave the payment PENDING, and a cancel changes nothing).

// byToken finds the payment of a payment_url token.
func (s *Server) byToken(token string) (simkit.Payment, bool) {
	s.mu.Lock()
	id, ok := s.tokens[token]
	s.mu.Unlock()
	if !ok {
		return simkit.Payment{}, false
	}
	return s.Store.Get(id)
}

// page is GET /payment/{token}: the form while nothing is submitted, the
// payment's state afterwards.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	p, ok := s.byToken(r.PathValue("token"))
	if !ok {
		notFound(w)
		return
	}
	simkit.RenderPayPage(w, http.StatusOK, s.payPage(p, simkit.PayForm{}, ""))
}

// submitPage is POST /payment/{token}: Pay submits the transaction, Cancel
// sends the customer to cancel_url.
func (s *Server) submitPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.byToken(r.PathValue("token"))
	form, err := simkit.ReadPayForm(w, r)
	switch {
	case !ok:
		notFound(w)
		return
	case err != nil || form.Action != simkit.ActionPay && form.Action != simkit.ActionCancel:
		simkit.RenderMessage(w, http.StatusBadRequest, simkit.MessagePage{Provider: "UddoktaPay",
			Title: "Bad request", Message: "Choose Pay or Cancel."})
		return
	case p.Status != StatusInitiated:
		simkit.RenderPayPage(w, http.StatusConflict, s.payPage(p, form, ""))
		return
	case form.Action == simkit.ActionCancel:
		http.Redirect(w, r, s.returnTo(p, true).url, http.StatusSeeOther)
		return
	}
	msg := checkPayer(form.Sender, form.TrxID)
	if !slices.ContainsFunc(methods, func(m simkit.MethodOption) bool { return m.Value == form.Method }) {
		msg = "Choose how you paid."
	}
	if msg == "" {
		p, err = s.submit(p.ID, simkit.Payer{Method: form.Method, Sender: form.Sender, TrxID: form.TrxID})
		switch {
		case errors.Is(err, errNotMatched):
			msg = notMatchedText
		case err != nil:
			simkit.RenderPayPage(w, http.StatusConflict, s.payPage(p, form, ""))
			return
		}
	}
	if msg != "" {
		simkit.RenderPayPage(w, http.StatusUnprocessableEntity, s.payPage(p, form, msg))
		return
	}
	ret := s.returnTo(p, false)
	if ret.posted == "" {
		http.Redirect(w, r, ret.url, http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; form-action *")
	postBack.Execute(w, map[string]string{"URL": ret.url, "InvoiceID": ret.posted})
}

// postBack sends the browser to a POST redirect_url with invoice_id.
var postBack = template.Must(template.New("post").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>UddoktaPay · Returning to the shop</title></head>
<body onload="document.forms[0].submit()"><form method="post" action="{{.URL}}">
<input type="hidden" name="invoice_id" value="{{.InvoiceID}}"><button type="submit">Continue</button>
</form></body></html>`))

// payPage describes p for the page: the amount shown is what the customer
// sends, fee included.
func (s *Server) payPage(p simkit.Payment, form simkit.PayForm, msg string) simkit.PayPage {
	fee, _ := mfspay.ParseAmount(p.Extra[extraFee])
	return simkit.PayPage{
		Provider: "UddoktaPay", PaymentID: p.ID, InvoiceID: p.InvoiceID, Amount: p.Amount + fee,
		Status: p.Status, Open: p.Status == StatusInitiated, Methods: methods,
		Action: "/payment/" + p.Extra[extraToken],
		Error:  msg, Method: form.Method, Sender: form.Sender, TrxID: form.TrxID,
	}
}

// checkPayer returns what is wrong with the sending wallet number or the
// transaction id, in the page's words, or "".
func checkPayer(sender, trxID string) string {
	switch {
	case !senderPattern.MatchString(sender):
		return "Enter the 11-digit wallet number you sent from."
	case !trxIDPattern.MatchString(trxID):
		return "The transaction ID must be 6 to 20 letters or digits."
	}
	return ""
}

var (
	senderPattern = regexp.MustCompile(`^01[0-9]{9}$`)
	trxIDPattern  = regexp.MustCompile(`^[A-Za-z0-9]{6,20}$`)
)

func notFound(w http.ResponseWriter) {
	simkit.RenderMessage(w, http.StatusNotFound, simkit.MessagePage{Provider: "UddoktaPay",
		Title: "Payment not found", Message: "This payment link is not valid."})
}
