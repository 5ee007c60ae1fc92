package wezopaytest

import (
	"errors"
	"net/http"
	"regexp"

	"github.com/mfspay/mfspay/providers/simkit"
)

// wallets are the methods the hosted page offers.
var wallets = []simkit.MethodOption{
	{Value: "bkash", Label: "bKash"},
	{Value: "nagad", Label: "Nagad"},
	{Value: "rocket", Label: "Rocket"},
	{Value: "upay", Label: "Upay"},
}

func isWallet(m string) bool {
	for _, w := range wallets {
		if w.Value == m {
			return true
		}
	}
	return false
}

var (
	// senderPattern is a Bangladeshi mobile number: 01, an operator digit
	// 3-9, eight more digits.
	senderPattern = regexp.MustCompile(`^01[3-9][0-9]{8}$`)
	trxIDPattern  = regexp.MustCompile(`^[A-Za-z0-9]{6,32}$`)
)

const providerTitle = "WezoPay"

// page shows the hosted payment page.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	p, ok := s.store.Get(r.PathValue("token"))
	if !ok {
		s.notFoundPage(w)
		return
	}
	p = s.refresh(p.ID)
	simkit.RenderPayPage(w, http.StatusOK, s.payPage(p))
}

func (s *Server) payPage(p simkit.Payment) simkit.PayPage {
	return simkit.PayPage{
		Provider:  providerTitle,
		PaymentID: p.ID,
		InvoiceID: p.InvoiceID,
		Amount:    p.Amount,
		Status:    p.Status,
		Open:      p.Status == StatusPending,
		Methods:   wallets,
		Action:    "/p/" + p.ID,
	}
}

func (s *Server) notFoundPage(w http.ResponseWriter) {
	simkit.RenderMessage(w, http.StatusNotFound, simkit.MessagePage{
		Provider: providerTitle, Title: "Payment not found", Message: "This payment link is not valid.",
	})
}

// submit handles the page's form: Pay marks the payment paid, Cancel
// cancels it; both send the webhook and redirect the customer back.
func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.store.Get(r.PathValue("token"))
	if !ok {
		s.notFoundPage(w)
		return
	}
	form, err := simkit.ReadPayForm(w, r)
	if err != nil {
		simkit.RenderMessage(w, http.StatusBadRequest, simkit.MessagePage{Provider: providerTitle, Title: "Bad request", Message: "The form could not be read."})
		return
	}
	var target string
	switch form.Action {
	case simkit.ActionCancel:
		p, err = s.move(p.ID, StatusCancelled, nil)
		target = p.CancelURL
	case simkit.ActionPay:
		if msg := checkPayer(form.Method, form.Sender, form.TrxID); msg != "" {
			page := s.payPage(p)
			page.Error, page.Method, page.Sender, page.TrxID = msg, form.Method, form.Sender, form.TrxID
			simkit.RenderPayPage(w, http.StatusUnprocessableEntity, page)
			return
		}
		p, err = s.move(p.ID, StatusPaid, &payerInfo{method: form.Method, sender: form.Sender, trxID: form.TrxID})
		target = p.SuccessURL
	default:
		simkit.RenderMessage(w, http.StatusBadRequest, simkit.MessagePage{Provider: providerTitle, Title: "Bad request", Message: "Choose Pay or Cancel."})
		return
	}
	if errors.Is(err, ErrNotPending) {
		simkit.RenderMessage(w, http.StatusConflict, simkit.MessagePage{
			Provider: providerTitle, Title: "Payment closed", Message: "This payment is " + p.Status + " and can no longer change.",
		})
		return
	}
	if err != nil {
		s.notFoundPage(w)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// checkPayer returns what is wrong with the customer's entries, or "".
func checkPayer(method, sender, trxID string) string {
	switch {
	case !isWallet(method):
		return "Choose bKash, Nagad, Rocket or Upay."
	case !senderPattern.MatchString(sender):
		return "Enter the 11-digit wallet number you paid from (01XXXXXXXXX)."
	case !trxIDPattern.MatchString(trxID):
		return "Enter the transaction id from your wallet's confirmation (6-32 letters and digits)."
	}
	return ""
}

// dashboard lists payments and webhook deliveries.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	simkit.RenderDashboard(w, simkit.DashboardPage{
		Provider:   providerTitle,
		Payments:   s.store.All(),
		Deliveries: s.notifier.Deliveries(),
	})
}
