package bkashtest

import (
	"context"
	"crypto/rand"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/simkit"
)

// Pay approves the payment as the customer would on the page (wallet
// p.Sender, OTP and PIN right): it becomes executable, and the return to
// the success URL is recorded. p.TrxID, when set, is the trxID bKash mints
// at execute. bKash never announces a pending payment (Payer.Pending is
// ErrUnsupported).
func (s *Server) Pay(ctx context.Context, paymentID string, p simctl.Payer) error {
	if p.TrxID == "" {
		p.TrxID = rand.Text()[:10]
	}
	return s.Server.Pay(ctx, paymentID, p)
}

// pageView is one step of the hosted page.
type pageView struct {
	ID, Invoice, Amount, Wallet, Step, Error, Done string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>bKash Payment</title></head><body>
<h1>bKash Payment</h1><p>Invoice <span id="invoice">{{.Invoice}}</span> · Amount ৳<span id="amount">{{.Amount}}</span></p>
{{if .Error}}<p id="error" role="alert">{{.Error}}</p>{{end}}
{{if .Done}}<p id="done">{{.Done}}</p>{{else}}<form method="post" action="/">
<input type="hidden" name="paymentId" value="{{.ID}}">
{{if eq .Step "otp"}}<label>Verification code sent to {{.Wallet}} <input name="otp" inputmode="numeric" autofocus></label>
{{else if eq .Step "pin"}}<label>PIN of {{.Wallet}} <input name="pin" type="password" inputmode="numeric" autofocus></label>
{{else}}<label>Your bKash account number <input name="wallet" value="{{.Wallet}}" inputmode="numeric" autofocus></label>{{end}}
<button name="action" value="confirm">Confirm</button> <button name="action" value="close">Close</button>
</form>{{end}}</body></html>`))

// page serves the hosted page at bkashURL: wallet number, then the OTP
// (OTP), then the PIN (PIN). Confirming the PIN approves the payment and
// sends the browser to the success callback; Close sends it to the cancel
// callback; a third wrong OTP or PIN to the failure callback. Page visits
// are not API traffic: they are neither logged nor faulted.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("paymentId")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if r.ParseForm() != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		id = r.PostForm.Get("paymentId")
	}
	p, ok := s.Refresh(id)
	if !ok {
		render(w, http.StatusNotFound, pageView{Done: "This payment link is not valid."})
		return
	}
	v := pageView{ID: p.ID, Invoice: p.InvoiceID, Amount: p.Extra["amount"], Wallet: p.Extra["wallet"], Step: p.Extra["step"]}
	if p.Status != StateInitiated {
		v.Done = "This payment can no longer be paid."
		render(w, http.StatusConflict, v)
		return
	}
	if v.Wallet == "" && wallets.MatchString(p.CustomerPhone) {
		v.Wallet = p.CustomerPhone // payerReference pre-fills the wallet
	}
	if r.Method != http.MethodPost {
		render(w, http.StatusOK, v)
		return
	}
	ctx := r.Context()
	form := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	switch {
	case form("action") == "close":
		s.finish(w, r, p, simkit.OutcomeCancelled, s.Cancel(ctx, p.ID))
		return
	case v.Step == "":
		if !wallets.MatchString(form("wallet")) {
			v.Error = "Enter a valid bKash account number (01XXXXXXXXX)."
			break
		}
		v.Wallet, v.Step = form("wallet"), "otp"
		s.note(p.ID, map[string]string{"wallet": v.Wallet, "step": v.Step})
	case v.Step == "otp" && form("otp") == OTP:
		v.Step = "pin"
		s.note(p.ID, map[string]string{"step": v.Step})
	case v.Step == "pin" && form("pin") == PIN:
		s.finish(w, r, p, simkit.OutcomePaid, s.Pay(ctx, p.ID, simctl.Payer{Method: mfspay.MethodBKash, Sender: v.Wallet}))
		return
	default:
		fails, _ := strconv.Atoi(p.Extra[v.Step+"Fails"])
		if fails+1 >= 3 {
			s.finish(w, r, p, simkit.OutcomeFailed, s.Decline(ctx, p.ID))
			return
		}
		s.note(p.ID, map[string]string{v.Step + "Fails": strconv.Itoa(fails + 1)})
		v.Error = map[string]string{"otp": "Invalid verification code.", "pin": "Wrong PIN."}[v.Step]
	}
	render(w, http.StatusOK, v)
}

// note records the page's progress on the payment.
func (s *Server) note(id string, kv map[string]string) {
	s.Store.Update(id, func(p *simkit.Payment) error {
		for k, v := range kv {
			p.Extra[k] = v
		}
		return nil
	})
}

// finish sends the browser back to the merchant after outcome, unless the
// payment had already left the page's hands.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, p simkit.Payment, outcome string, err error) {
	if err != nil {
		render(w, http.StatusConflict, pageView{ID: p.ID, Invoice: p.InvoiceID, Amount: p.Extra["amount"],
			Done: "This payment can no longer be paid."})
		return
	}
	http.Redirect(w, r, returnURL(p, outcome), http.StatusFound)
}

func render(w http.ResponseWriter, status int, v pageView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	pageTemplate.Execute(w, v)
}
