package wezopaytest

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/mfspay/mfspay/providers/simkit"
)

// The provider's payment statuses.
const (
	StatusPending   = "pending"
	StatusPaid      = "paid"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
	StatusExpired   = "expired"
)

// The provider's webhook events, one per status change.
const (
	EventCompleted = "payment.completed"
	EventFailed    = "payment.failed"
	EventCancelled = "payment.cancelled"
	EventExpired   = "payment.expired"
)

// SignatureHeader carries the hex HMAC-SHA256 of a webhook's raw body.
const SignatureHeader = "X-WezoPay-Signature"

// MsgDuplicateInvoice is the 422 error text for a reused invoice id.
const MsgDuplicateInvoice = "invoice_id already exists"

// errorEnvelope is the body of every error answer.
type errorEnvelope struct {
	Success bool                `json:"success"`
	Error   string              `json:"error"`
	Errors  map[string][]string `json:"errors,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"success":false,"error":"Server Error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, status int, msg string, fields map[string][]string) {
	writeJSON(w, status, errorEnvelope{Error: msg, Errors: fields})
}

// errorBody is the provider's body for an injected status fault.
func errorBody(status int) string {
	msg := http.StatusText(status)
	if status == http.StatusInternalServerError {
		msg = "Server Error"
	}
	b, _ := json.Marshal(errorEnvelope{Error: msg})
	return string(b)
}

// createdData is the data of a 201 create answer.
type createdData struct {
	Token      string `json:"token"`
	PaymentURL string `json:"payment_url"`
	ExpiresAt  string `json:"expires_at"`
}

// paymentData is a payment as verify and list show it. Amount is a JSON
// number literal built from integer poisha; no float64 is involved.
type paymentData struct {
	Token     string      `json:"token"`
	InvoiceID string      `json:"invoice_id"`
	Status    string      `json:"status"`
	Amount    json.Number `json:"amount"`
	TrxID     *string     `json:"trx_id"`
	PaidAt    *string     `json:"paid_at"`
	// Method and Sender appear once paid (inferred in the spec).
	Method string `json:"method,omitempty"`
	Sender string `json:"sender,omitempty"`
}

func toData(p simkit.Payment) paymentData {
	d := paymentData{
		Token:     p.ID,
		InvoiceID: p.InvoiceID,
		Status:    p.Status,
		Amount:    p.Amount.Number(),
		TrxID:     optional(p.TrxID),
		Method:    p.Method,
		Sender:    p.Sender,
	}
	if !p.PaidAt.IsZero() {
		d.PaidAt = optional(timestamp(p.PaidAt))
	}
	return d
}

// webhookPayload is exactly the documented notification body.
type webhookPayload struct {
	Event     string      `json:"event"`
	Token     string      `json:"token"`
	InvoiceID string      `json:"invoice_id"`
	Status    string      `json:"status"`
	Amount    json.Number `json:"amount"`
	TrxID     *string     `json:"trx_id"`
	PaidAt    *string     `json:"paid_at"`
}

type listMeta struct {
	Page     int `json:"page"`
	PerPage  int `json:"per_page"`
	Total    int `json:"total"`
	LastPage int `json:"last_page"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// timestamp renders t as the API does: UTC, whole seconds, "Z".
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
