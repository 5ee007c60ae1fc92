package nodipaytest

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

var page = template.Must(template.New("checkout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NodiPay checkout</title></head>
<body>
<h1>NodiPay (simulated)</h1>
<p>Invoice <b>{{.Invoice}}</b>: <b>৳{{.Amount}}</b>. Status: <b id="status">{{.Status}}</b>.</p>
{{if .Open}}
<form method="post">
  <label>Wallet <select name="wallet">
    <option value="bkash">bKash</option><option value="nagad">Nagad</option>
    <option value="rocket">Rocket</option><option value="upay">Upay</option>
  </select></label>
  <label>Wallet number <input name="wallet_number" value="01700000000"></label>
  <label>Transaction id <input name="trx_id" placeholder="made up if empty"></label>
  <button name="action" value="pay">Pay</button>
  <button name="action" value="cancel">Cancel</button>
</form>
{{end}}
</body></html>
`))

// checkoutPage serves GET /pay/{id}: what the customer sees.
func (s *Server) checkoutPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p := s.byID[r.PathValue("id")]
	if p == nil {
		s.mu.Unlock()
		http.Error(w, "no such payment", http.StatusNotFound)
		return
	}
	s.settle(p)
	data := struct {
		Invoice, Amount, Status string
		Open                    bool
	}{p.invoiceID, mfspay.Poisha(p.amount).String(), p.status, p.status == statusOpen}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	page.Execute(w, data) //nolint:errcheck // the client may be gone.
}

// checkoutAction serves POST /pay/{id}: the customer pays or cancels and
// is sent back to the shop.
func (s *Server) checkoutAction(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var err error
	switch r.PostFormValue("action") {
	case "pay":
		err = s.Pay(r.Context(), id, simctl.Payer{
			Method: mfspay.ParseMethod(r.PostFormValue("wallet")),
			Sender: r.PostFormValue("wallet_number"),
			TrxID:  r.PostFormValue("trx_id"),
		})
	case "cancel":
		err = s.Cancel(r.Context(), id)
	default:
		http.Error(w, "choose pay or cancel", http.StatusBadRequest)
		return
	}
	if err != nil {
		http.Error(w, "this payment can no longer be changed", http.StatusConflict)
		return
	}
	s.mu.Lock()
	p := s.byID[id]
	back, status := p.successURL, p.status
	if status != statusSucceeded {
		back = p.cancelURL
	}
	s.mu.Unlock()
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	q := url.Values{"payment_id": {id}, "status": {status}}
	http.Redirect(w, r, back+sep+q.Encode(), http.StatusSeeOther)
}
