package nodipay

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// statuses is NodiPay's exact status table; anything else is
// mfspay.StatusUnknown.
var statuses = map[string]mfspay.Status{
	"open":      mfspay.StatusPending,
	"succeeded": mfspay.StatusPaid,
	"declined":  mfspay.StatusFailed,
	"abandoned": mfspay.StatusCancelled,
	"lapsed":    mfspay.StatusExpired,
}

// MapStatus maps a NodiPay status string to the neutral status.
func MapStatus(raw string) mfspay.Status { return kit.MapStatus(statuses, raw) }

// wireStatus is the NodiPay string for a neutral status, for list filters.
func wireStatus(s mfspay.Status) string {
	for raw, st := range statuses {
		if st == s {
			return raw
		}
	}
	return ""
}

// wirePayment is NodiPay's payment object. Amount is kept raw so that it
// is read as an integer literal and never passes through float64.
type wirePayment struct {
	ID           string          `json:"id"`
	InvoiceID    string          `json:"invoice_id"`
	Amount       json.RawMessage `json:"amount"`
	Currency     string          `json:"currency"`
	Status       string          `json:"status"`
	CheckoutURL  string          `json:"checkout_url"`
	ExpiresAt    *time.Time      `json:"expires_at"`
	PaidAt       *time.Time      `json:"paid_at"`
	Wallet       string          `json:"wallet"`
	WalletNumber string          `json:"wallet_number"`
	TrxID        string          `json:"trx_id"`
}

// createBody is the create request.
type createBody struct {
	InvoiceID  string            `json:"invoice_id"`
	Amount     int64             `json:"amount"` // poisha
	Currency   string            `json:"currency"`
	Customer   *wireCustomer     `json:"customer,omitempty"`
	SuccessURL string            `json:"success_url"`
	CancelURL  string            `json:"cancel_url"`
	WebhookURL string            `json:"webhook_url,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
}

type wireCustomer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// listBody is a list answer.
type listBody struct {
	Data    []json.RawMessage `json:"data"`
	Page    int               `json:"page"`
	PerPage int               `json:"per_page"`
	Total   int               `json:"total"`
	HasMore bool              `json:"has_more"`
}

// badField says which field of an answer is unusable, never its value.
type badField struct{ name, problem string }

func (e *badField) Error() string { return e.name + " " + e.problem }

// parsePoisha reads a JSON integer literal of poisha: digits only, no sign,
// fraction or exponent, at most 18 digits so it cannot overflow.
func parsePoisha(raw json.RawMessage) (mfspay.Amount, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || len(raw) > 18 {
		return 0, false
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, false
	}
	return mfspay.Poisha(n), true
}

// decodePayment reads a payment object strictly: every field NodiPay always
// sends must be there and make sense.
func decodePayment(raw []byte) (mfspay.Payment, *wirePayment, error) {
	var w wirePayment
	if err := json.Unmarshal(raw, &w); err != nil {
		return mfspay.Payment{}, nil, &badField{"payment", "is not a payment object"}
	}
	p, err := w.neutral()
	return p, &w, err
}

// neutral converts a payment object to the neutral Payment.
func (w *wirePayment) neutral() (mfspay.Payment, error) {
	if (mfspay.PaymentRef{PaymentID: w.ID}).Validate() != nil {
		return mfspay.Payment{}, &badField{"id", "is not a payment id"}
	}
	if w.InvoiceID == "" {
		return mfspay.Payment{}, &badField{"invoice_id", "is missing"}
	}
	amount, ok := parsePoisha(w.Amount)
	if !ok || amount <= 0 {
		return mfspay.Payment{}, &badField{"amount", "is not a positive integer of poisha"}
	}
	if w.Currency != "BDT" {
		return mfspay.Payment{}, &badField{"currency", "is not BDT"}
	}
	if w.Status == "" {
		return mfspay.Payment{}, &badField{"status", "is missing"}
	}
	p := mfspay.Payment{
		Provider:  ProviderName,
		PaymentID: w.ID,
		InvoiceID: w.InvoiceID,
		Status:    MapStatus(w.Status),
		Amount:    amount,
		TrxID:     w.TrxID,
		Method:    mfspay.MethodUnknown,
		Sender:    w.WalletNumber,
	}
	if w.Wallet != "" {
		p.Method = kit.ParseMethod(w.Wallet)
	}
	if w.PaidAt != nil {
		p.PaidAt = w.PaidAt.UTC()
	}
	return p, nil
}
