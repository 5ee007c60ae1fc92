package simkit

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
)

// page serves GET {PagePath}{id}: the hosted payment page. The id is any
// handle Find takes.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pagePayment(r)
	if !ok {
		s.message(w, http.StatusNotFound, "Payment not found", "This payment link is not valid.")
		return
	}
	RenderPayPage(w, http.StatusOK, s.payPage(r, p, PayForm{}, ""))
}

// pagePayment is the payment a page request names, as it stands now.
func (s *Server) pagePayment(r *http.Request) (Payment, bool) {
	p, err := s.Find(r.PathValue("id"))
	if err != nil {
		return p, false
	}
	return s.Refresh(p.ID)
}

// submit serves POST {PagePath}{id}: Pay marks the payment paid (or does
// what Spec.Submit decides), Cancel cancels it (or, with no Cancelled
// status, leaves it as it is); then the customer goes back to the shop
// (SendBack).
func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pagePayment(r)
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
		p, err = s.cancel(p)
		outcome = OutcomeCancelled
	case ActionPay:
		msg := s.checkPayer(form.Sender, form.TrxID)
		if !slices.ContainsFunc(s.spec.Methods, func(m MethodOption) bool { return m.Value == form.Method }) {
			msg = "Choose how you paid."
		}
		switch {
		case msg != "": // refused before it reaches the provider
		case !s.open(&p): // the page takes submissions only while it shows its form
			err = fmt.Errorf("%w: it is %s", ErrNotOpen, p.Status)
		default:
			p, err = s.pay(p.ID, Payer{Method: form.Method, Sender: form.Sender, TrxID: form.TrxID})
			if refused := (*Refusal)(nil); errors.As(err, &refused) {
				msg = refused.Message
			}
		}
		if msg != "" {
			RenderPayPage(w, http.StatusUnprocessableEntity, s.payPage(r, p, form, msg))
			return
		}
		outcome = OutcomePaid
	default:
		s.message(w, http.StatusBadRequest, "Bad request", "Choose Pay or Cancel.")
		return
	}
	if errors.Is(err, ErrNotOpen) {
		RenderPayPage(w, http.StatusConflict, s.payPage(r, p, form, ""))
		return
	}
	if err != nil {
		s.message(w, http.StatusNotFound, "Payment not found", "This payment link is not valid.")
		return
	}
	s.sendBrowser(w, r, s.SendBack(p, outcome))
}

// payPage describes p for the hosted page, with a rejected submission's
// values and msg when there was one. The form posts back to the page.
func (s *Server) payPage(r *http.Request, p Payment, form PayForm, msg string) PayPage {
	return PayPage{
		Provider: s.spec.Name, PaymentID: p.ID, InvoiceID: p.InvoiceID, Amount: s.charge(p), Status: p.Status,
		Open: s.open(&p), Methods: s.spec.Methods, Action: r.URL.Path,
		Error: msg, Method: form.Method, Sender: form.Sender, TrxID: form.TrxID,
	}
}

func (s *Server) message(w http.ResponseWriter, status int, title, msg string) {
	RenderMessage(w, status, MessagePage{Provider: s.spec.Name, Title: title, Message: msg})
}
