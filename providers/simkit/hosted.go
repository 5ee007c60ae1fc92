package simkit

import (
	"errors"
	"net/http"
	"slices"
)

// page serves GET {PagePath}{id}: the hosted payment page.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	p, ok := s.Refresh(r.PathValue("id"))
	if !ok {
		s.message(w, http.StatusNotFound, "Payment not found", "This payment link is not valid.")
		return
	}
	RenderPayPage(w, http.StatusOK, s.payPage(p, PayForm{}, ""))
}

// submit serves POST {PagePath}{id}: Pay marks the payment paid, Cancel
// cancels it; both announce the change and send the customer back to the
// shop's success or cancel URL.
func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.Refresh(r.PathValue("id"))
	if !ok {
		s.message(w, http.StatusNotFound, "Payment not found", "This payment link is not valid.")
		return
	}
	form, err := ReadPayForm(w, r)
	if err != nil {
		s.message(w, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	var outcome string
	switch form.Action {
	case ActionCancel:
		p, err = s.Move(p.ID, s.spec.Cancelled, nil)
		outcome = OutcomeCancelled
	case ActionPay:
		msg := s.checkPayer(form.Sender, form.TrxID)
		if !slices.ContainsFunc(s.spec.Methods, func(m MethodOption) bool { return m.Value == form.Method }) {
			msg = "Choose how you paid."
		}
		if msg != "" {
			RenderPayPage(w, http.StatusUnprocessableEntity, s.payPage(p, form, msg))
			return
		}
		p, err = s.Move(p.ID, s.spec.Paid, &Payer{Method: form.Method, Sender: form.Sender, TrxID: form.TrxID})
		outcome = OutcomePaid
	default:
		s.message(w, http.StatusBadRequest, "Bad request", "Choose Pay or Cancel.")
		return
	}
	if errors.Is(err, ErrNotOpen) {
		RenderPayPage(w, http.StatusConflict, s.payPage(p, form, ""))
		return
	}
	if err != nil {
		s.message(w, http.StatusNotFound, "Payment not found", "This payment link is not valid.")
		return
	}
	http.Redirect(w, r, s.returnTo(p, outcome), http.StatusSeeOther)
}

// payPage describes p for the hosted page, with a rejected submission's
// values and msg when there was one.
func (s *Server) payPage(p Payment, form PayForm, msg string) PayPage {
	return PayPage{
		Provider: s.spec.Name, PaymentID: p.ID, InvoiceID: p.InvoiceID, Amount: p.Amount, Status: p.Status,
		Open: s.open(&p), Methods: s.spec.Methods, Action: s.spec.PagePath + p.ID,
		Error: msg, Method: form.Method, Sender: form.Sender, TrxID: form.TrxID,
	}
}

func (s *Server) message(w http.ResponseWriter, status int, title, msg string) {
	RenderMessage(w, status, MessagePage{Provider: s.spec.Name, Title: title, Message: msg})
}
