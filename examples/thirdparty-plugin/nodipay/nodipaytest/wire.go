package nodipaytest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/simkit"
)

// NodiPay's payment statuses: open, then one final status for good.
const (
	statusOpen                                                     = "open"
	statusSucceeded, statusDeclined, statusAbandoned, statusLapsed = "succeeded", "declined", "abandoned", "lapsed"
)

var knownStatuses = map[string]bool{
	statusOpen: true, statusSucceeded: true, statusDeclined: true, statusAbandoned: true, statusLapsed: true,
}

// paymentJSON is the payment object of the API and of webhooks. Amount is
// an integer count of poisha.
type paymentJSON struct {
	ID           string     `json:"id"`
	InvoiceID    string     `json:"invoice_id"`
	Amount       int64      `json:"amount"`
	Currency     string     `json:"currency"`
	Status       string     `json:"status"`
	CheckoutURL  string     `json:"checkout_url"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	PaidAt       *time.Time `json:"paid_at"`
	Wallet       string     `json:"wallet"`
	WalletNumber string     `json:"wallet_number"`
	TrxID        string     `json:"trx_id"`
}

func (s *Server) object(p simkit.Payment) paymentJSON {
	out := paymentJSON{
		ID: p.ID, InvoiceID: p.InvoiceID, Amount: p.Amount.Poisha(), Currency: "BDT", Status: p.Status,
		CheckoutURL: s.PageURL(p.ID), CreatedAt: p.CreatedAt.UTC(), ExpiresAt: p.ExpiresAt.UTC(),
		Wallet: p.Method, WalletNumber: p.Sender, TrxID: p.TrxID,
	}
	if !p.PaidAt.IsZero() {
		paid := p.PaidAt.UTC()
		out.PaidAt = &paid
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client may be gone.
}

// writeError answers in NodiPay's error format.
func writeError(w http.ResponseWriter, status int, code, message, field string) {
	type detail struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	}
	writeJSON(w, status, map[string]detail{"error": {Code: code, Message: message, Field: field}})
}

// SignatureHeader carries a webhook's timestamp and signatures.
const SignatureHeader = "Nodi-Signature"

// announce sends the event for p's final status to its webhook_url. Each
// delivery is signed at its own time, retries included.
func (s *Server) announce(k *simkit.Server, p simkit.Payment) {
	body, _ := json.Marshal(struct { // nothing in it can fail to encode
		ID        string      `json:"id"`
		Type      string      `json:"type"`
		CreatedAt time.Time   `json:"created_at"`
		Payment   paymentJSON `json:"payment"`
	}{simkit.NewID("evt_", 10), "payment." + p.Status, k.Now().UTC(), s.object(p)})
	sign := func(at time.Time) http.Header { return s.signedHeader(body, at) }
	k.Notifier.Send(simkit.Notification{PaymentID: p.ID, URL: p.WebhookURL, Body: body, Header: sign(k.Now()), Resign: sign})
}

// signedHeader returns the headers of a delivery at time t: one v1 per
// secret, over "<t>.<body>".
func (s *Server) signedHeader(body []byte, t time.Time) http.Header {
	ts := strconv.FormatInt(t.Unix(), 10)
	parts := []string{"t=" + ts}
	for _, secret := range s.secrets {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(ts + "."))
		m.Write(body)
		parts = append(parts, "v1="+hex.EncodeToString(m.Sum(nil)))
	}
	return http.Header{
		"Content-Type":  {"application/json"},
		"User-Agent":    {"NodiPay-Webhooks/1"},
		SignatureHeader: {strings.Join(parts, ",")},
	}
}

// tampers are the lies NodiPay's wire format can tell, in a payment object
// answered to a create or a read.
var tampers = map[simctl.Tamper]simkit.TamperFunc{
	simctl.TamperPaidZeroAmount: simkit.RewriteJSON(isRead, "", func(p map[string]any) { p["status"], p["amount"] = statusSucceeded, 0 }),
	simctl.TamperNegativeAmount: simkit.RewriteJSON(isRead, "", func(p map[string]any) { p["status"], p["amount"] = statusSucceeded, simkit.Negate(p["amount"]) }),
	simctl.TamperOtherPayment: simkit.RewriteJSON(isRead, "", func(p map[string]any) {
		p["id"], p["invoice_id"], p["status"] = simkit.NewID("pay_", 10), simkit.NewID("INV-", 4), statusSucceeded
	}),
	simctl.TamperUnknownStatus: simkit.RewriteJSON(func(r *http.Request) bool { return isRead(r) || isCreate(r) }, "",
		func(p map[string]any) { p["status"] = "disputed" }),
	simctl.TamperBadRedirect: simkit.RewriteJSON(isCreate, "", func(p map[string]any) { p["checkout_url"] = simkit.BadRedirect }),
}

// isRead says r reads one payment; isCreate that it creates one.
func isRead(r *http.Request) bool   { return r.Method == http.MethodGet && r.URL.Path != "/v1/payments" }
func isCreate(r *http.Request) bool { return r.Method == http.MethodPost }
