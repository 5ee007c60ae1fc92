package wezopay

import (
	"cmp"
	"encoding/json"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// envelope is every successful WezoPay answer, {"success": true, "data":
// …, "meta": …}, with what an unsuccessful one says instead.
type envelope[T any] struct {
	Success bool      `json:"success"`
	Data    T         `json:"data"`
	Meta    *listMeta `json:"meta"`
	failure
}

// created is the data of a create answer.
type created struct {
	Token      string `json:"token"`
	PaymentURL string `json:"payment_url"`
	ExpiresAt  string `json:"expires_at"`
}

// payment is a verify-shaped object: a verify answer's data, a list item,
// and the body of a webhook, which adds its event. Money is read exactly
// by mfspay.Amount, from a JSON number as documented or a decimal string.
type payment struct {
	Event     string         `json:"event"`
	Token     string         `json:"token"`
	InvoiceID string         `json:"invoice_id"`
	Status    string         `json:"status"`
	Amount    *mfspay.Amount `json:"amount"`
	TrxID     string         `json:"trx_id"`
	PaidAt    string         `json:"paid_at"`
	Method    string         `json:"method"`
	Sender    string         `json:"sender"`
}

// listMeta is the list answer's pagination block.
type listMeta struct {
	Page     int `json:"page"`
	PerPage  int `json:"per_page"`
	Total    int `json:"total"`
	LastPage int `json:"last_page"`
}

// statuses is the exact table of WezoPay payment statuses. Anything else,
// other spellings and letter cases included, is StatusUnknown: never paid.
var statuses = map[string]mfspay.Status{
	"pending":   mfspay.StatusPending,
	"paid":      mfspay.StatusPaid,
	"failed":    mfspay.StatusFailed,
	"cancelled": mfspay.StatusCancelled,
	"expired":   mfspay.StatusExpired,
}

// MapStatus maps a WezoPay status string to the neutral status.
func MapStatus(raw string) mfspay.Status { return kit.MapStatus(statuses, raw) }

// badField says which member of an answer or notification is wrong and
// how, never with its value.
type badField struct{ name, problem string }

func (b *badField) Error() string { return b.name + " " + b.problem }

// decode reads a JSON body into v; an error is a *badField naming the
// member at fault, or the body.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return &badField{cmp.Or(kit.JSONField(err, "amount"), "body"), "is not the documented JSON"}
	}
	return nil
}

// toPayment maps a verify-shaped object. Identity, status and money are
// required; trx_id, paid_at, method and sender are optional.
func (w *payment) toPayment() (mfspay.Payment, error) {
	missing := ""
	switch {
	case w.Token == "":
		missing = "token"
	case w.InvoiceID == "":
		missing = "invoice_id"
	case w.Status == "":
		missing = "status"
	case w.Amount == nil:
		missing = "amount"
	}
	if missing != "" {
		return mfspay.Payment{}, &badField{missing, "is missing"}
	}
	paidAt, err := optTime("paid_at", w.PaidAt)
	return mfspay.Payment{
		PaymentID: w.Token,
		InvoiceID: w.InvoiceID,
		Status:    MapStatus(w.Status),
		Amount:    *w.Amount,
		TrxID:     w.TrxID,
		Method:    kit.ParseMethod(w.Method),
		Sender:    w.Sender,
		PaidAt:    paidAt,
	}, err
}

// optTime parses an RFC 3339 timestamp; "" is the zero time.
func optTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, &badField{name, "is not an RFC 3339 time"}
	}
	return t, nil
}
