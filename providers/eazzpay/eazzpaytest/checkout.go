package eazzpaytest

import (
	"errors"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/mfspay/mfspay/providers/simkit"
)

// walletLabels are the hosted page's wallet names.
var walletLabels = map[string]string{
	"BKASH": "bKash", "NAGAD": "Nagad", "ROCKET": "Rocket", "UPAY": "Upay",
	"CELLFIN": "Cellfin", "TAP": "Tap", "OK_WALLET": "OK Wallet", "IPAY": "iPay",
	PaymentMethodBank: "Bank transfer",
}

// page is GET /checkout/{id}.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	p, ok := s.store.Get(r.PathValue("id"))
	if !ok {
		notFound(w)
		return
	}
	simkit.RenderPayPage(w, http.StatusOK, s.payPage(p, simkit.PayForm{}, ""))
}

// submit is POST /checkout/{id}: the customer pays or cancels.
func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p, ok := s.store.Get(id)
	if !ok {
		notFound(w)
		return
	}
	form, err := simkit.ReadPayForm(w, r)
	if err != nil {
		simkit.RenderPayPage(w, http.StatusBadRequest, s.payPage(p, form, "The form could not be read."))
		return
	}
	var done simkit.Payment
	switch form.Action {
	case simkit.ActionPay:
		if msg := checkPayer(form.Method, form.Sender, form.TrxID); msg != "" {
			simkit.RenderPayPage(w, http.StatusUnprocessableEntity, s.payPage(p, form, msg))
			return
		}
		done, err = s.complete(id, form.Method, form.Sender, form.TrxID)
	case simkit.ActionCancel:
		done, err = s.finish(id, StatusCanceled)
	default:
		simkit.RenderPayPage(w, http.StatusBadRequest, s.payPage(p, form, "Choose Pay or Cancel."))
		return
	}
	if errors.Is(err, errNotOpen) {
		simkit.RenderPayPage(w, http.StatusConflict, s.payPage(done, form, ""))
		return
	}
	if err != nil {
		notFound(w)
		return
	}
	target := done.SuccessURL
	if done.Status == StatusCanceled {
		target = done.CancelURL
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// payPage describes p for the hosted page.
func (s *Server) payPage(p simkit.Payment, form simkit.PayForm, msg string) simkit.PayPage {
	page := simkit.PayPage{
		Provider:  "EazzPay",
		PaymentID: p.ID,
		InvoiceID: p.InvoiceID,
		Amount:    p.Amount,
		Status:    p.Status,
		Open:      p.Status == StatusInitiated,
		Action:    "/checkout/" + p.ID,
		Error:     msg,
		Method:    form.Method,
		Sender:    form.Sender,
		TrxID:     form.TrxID,
	}
	for _, m := range append(slices.Clone(Wallets), PaymentMethodBank) {
		page.Methods = append(page.Methods, simkit.MethodOption{Value: m, Label: walletLabels[m]})
	}
	return page
}

// checkPayer validates what the customer entered; the transaction id obeys
// the webhook listener's documented 6 to 15 characters.
func checkPayer(method, sender, trxID string) string {
	if method != PaymentMethodBank && !slices.Contains(Wallets, method) {
		return "Choose a wallet."
	}
	if !digits(sender, 5, 20) {
		return "Enter the sending wallet or account number (digits only)."
	}
	if n := utf8.RuneCountInString(trxID); n < 6 || n > 15 || !alnum(trxID) {
		return "The transaction id must be 6 to 15 letters or digits."
	}
	return ""
}

func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func notFound(w http.ResponseWriter) {
	simkit.RenderMessage(w, http.StatusNotFound, simkit.MessagePage{
		Provider: "EazzPay", Title: "Payment not found", Message: "No payment has this id.",
	})
}
