package wezopaytest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"time"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
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
	EventPending   = "payment.pending"
	EventCompleted = "payment.completed"
	EventFailed    = "payment.failed"
	EventCancelled = "payment.cancelled"
	EventExpired   = "payment.expired"
)

// eventFor names the webhook event announcing a status.
var eventFor = map[string]string{
	StatusPending: EventPending, StatusPaid: EventCompleted, StatusFailed: EventFailed,
	StatusCancelled: EventCancelled, StatusExpired: EventExpired,
}

// SignatureHeader carries the hex HMAC-SHA256 of a webhook's raw body.
const SignatureHeader = "X-WezoPay-Signature"

// MsgDuplicateInvoice is the 422 error text for a reused invoice id.
const MsgDuplicateInvoice = "invoice_id already exists"

var (
	// senderPattern is a Bangladeshi mobile number: 01, an operator digit
	// 3-9, eight more digits.
	senderPattern = regexp.MustCompile(`^01[3-9][0-9]{8}$`)
	trxIDPattern  = regexp.MustCompile(`^[A-Za-z0-9]{6,32}$`)
)

// checkPayer returns what is wrong with the customer's entries, or "".
func checkPayer(sender, trxID string) string {
	switch {
	case !senderPattern.MatchString(sender):
		return "Enter the 11-digit wallet number you paid from (01XXXXXXXXX)."
	case !trxIDPattern.MatchString(trxID):
		return "Enter the transaction id from your wallet's confirmation (6-32 letters and digits)."
	}
	return ""
}

// errorEnvelope is the body of every error answer.
type errorEnvelope struct {
	Success bool                `json:"success"`
	Error   string              `json:"error"`
	Errors  map[string][]string `json:"errors,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v) // strings, ints and json.Numbers only
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

// payment is the payment as webhooks show it. Amount is a JSON number
// literal built from integer poisha; no float64 is involved.
type payment struct {
	Token     string      `json:"token"`
	InvoiceID string      `json:"invoice_id"`
	Status    string      `json:"status"`
	Amount    json.Number `json:"amount"`
	TrxID     *string     `json:"trx_id"`
	PaidAt    *string     `json:"paid_at"`
}

// paymentData is a payment as verify and list show it: method and sender
// appear once paid (inferred in the spec).
type paymentData struct {
	payment
	Method string `json:"method,omitempty"`
	Sender string `json:"sender,omitempty"`
}

func toData(p simkit.Payment) paymentData {
	d := paymentData{payment: payment{Token: p.ID, InvoiceID: p.InvoiceID, Status: p.Status, Amount: p.Amount.Number()}}
	if p.Status == StatusPaid {
		d.Method, d.Sender = p.Method, p.Sender
	}
	if p.TrxID != "" {
		d.TrxID = &p.TrxID
	}
	if !p.PaidAt.IsZero() {
		paidAt := timestamp(p.PaidAt)
		d.PaidAt = &paidAt
	}
	return d
}

// timestamp renders t as the API does: UTC, whole seconds, "Z".
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// announce signs and sends the webhook for p's status: exactly the
// documented payload, to the payment's webhook_url.
func (s *Server) announce(k *simkit.Server, p simkit.Payment) {
	body, _ := json.Marshal(struct {
		Event string `json:"event"`
		payment
	}{eventFor[p.Status], toData(p).payment})
	k.Notifier.Send(simkit.Notification{PaymentID: p.ID, URL: p.WebhookURL, Body: body, Header: http.Header{
		"Content-Type":  {"application/json"},
		"User-Agent":    {"WezoPay-Webhook/1.0"},
		SignatureHeader: {kit.SignHMACSHA256(body, s.webhookSecret)},
	}})
}

// tampers are the lies WezoPay's wire format can tell: a verify answer
// about another payment, paid with no or negative money, or in an unknown
// status; a create answer with a script for a payment URL. A create
// carries no status, so an unknown one is told by the next verify.
var tampers = map[simctl.Tamper]simkit.TamperFunc{
	simctl.TamperPaidZeroAmount: onVerify(func(d map[string]any) { d["status"], d["amount"] = StatusPaid, json.Number("0.00") }),
	simctl.TamperNegativeAmount: onVerify(func(d map[string]any) { d["status"], d["amount"] = StatusPaid, simkit.Negate(d["amount"]) }),
	simctl.TamperUnknownStatus:  onVerify(func(d map[string]any) { d["status"] = "on_hold" }),
	simctl.TamperOtherPayment: onVerify(func(d map[string]any) {
		d["token"], d["invoice_id"], d["status"] = simkit.NewID("pay_", 10), simkit.NewID("INV-", 4), StatusPaid
	}),
	simctl.TamperBadRedirect: simkit.RewriteJSON(func(r *http.Request) bool { return r.Method == http.MethodPost },
		"data", func(d map[string]any) { d["payment_url"] = simkit.BadRedirect }),
}

func onVerify(change func(data map[string]any)) simkit.TamperFunc {
	return simkit.RewriteJSON(func(r *http.Request) bool { return r.URL.Path == APIPrefix+"/payments/verify" }, "data", change)
}
