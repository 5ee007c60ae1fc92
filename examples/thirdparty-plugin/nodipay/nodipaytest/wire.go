package nodipaytest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// NodiPay's payment statuses.
const (
	statusOpen      = "open"
	statusSucceeded = "succeeded"
	statusDeclined  = "declined"
	statusAbandoned = "abandoned"
	statusLapsed    = "lapsed"
)

var knownStatuses = map[string]bool{
	statusOpen: true, statusSucceeded: true, statusDeclined: true, statusAbandoned: true, statusLapsed: true,
}

// payment is one payment as NodiPay holds it.
type payment struct {
	seq          int
	id           string
	invoiceID    string
	amount       int64 // poisha
	status       string
	createdAt    time.Time
	expiresAt    time.Time
	paidAt       time.Time
	wallet       string
	walletNumber string
	trxID        string
	customer     customer
	successURL   string
	cancelURL    string
	webhookURL   string
	metadata     map[string]string
}

type customer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// paymentJSON is the payment object of the API and of webhooks.
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

func (s *Server) object(p *payment) paymentJSON {
	out := paymentJSON{
		ID:           p.id,
		InvoiceID:    p.invoiceID,
		Amount:       p.amount,
		Currency:     "BDT",
		Status:       p.status,
		CheckoutURL:  s.URL + "/pay/" + p.id,
		CreatedAt:    p.createdAt,
		ExpiresAt:    p.expiresAt,
		Wallet:       p.wallet,
		WalletNumber: p.walletNumber,
		TrxID:        p.trxID,
	}
	if !p.paidAt.IsZero() {
		t := p.paidAt
		out.PaidAt = &t
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

// constantTimeEqual compares a presented key with the real one without
// telling, by its timing, where they differ.
func constantTimeEqual(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// validInvoiceID accepts 1 to 64 letters, digits and - _ . :
func validInvoiceID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// validURL accepts an absolute http(s) URL of at most 2048 bytes.
func validURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && len(raw) <= 2048 && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
