package wezopay

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// createRequest is the documented create body. Amount is a JSON number
// literal formatted from integer poisha ("250.00"), never a float64.
type createRequest struct {
	Amount        json.Number       `json:"amount"`
	Currency      string            `json:"currency"`
	InvoiceID     string            `json:"invoice_id"`
	CustomerName  string            `json:"customer_name,omitempty"`
	CustomerEmail string            `json:"customer_email,omitempty"`
	CustomerPhone string            `json:"customer_phone,omitempty"`
	SuccessURL    string            `json:"success_url"`
	CancelURL     string            `json:"cancel_url"`
	WebhookURL    string            `json:"webhook_url,omitempty"`
	Metadata      map[string]string `json:"metadata,omitempty"`
}

// created is the data of a create answer.
type created struct {
	Token      string `json:"token"`
	PaymentURL string `json:"payment_url"`
	ExpiresAt  string `json:"expires_at"`
}

// payment is a verify-shaped object: a verify answer's data, a list item,
// and a webhook's body, which adds its event. Money is read exactly by
// mfspay.Amount, from a JSON number as documented or a decimal string.
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

// statuses is WezoPay's exact table; anything else is StatusUnknown.
var statuses = map[string]mfspay.Status{
	"pending": mfspay.StatusPending, "paid": mfspay.StatusPaid, "failed": mfspay.StatusFailed,
	"cancelled": mfspay.StatusCancelled, "expired": mfspay.StatusExpired,
}

// MapStatus maps a WezoPay status string to the neutral status.
func MapStatus(raw string) mfspay.Status { return kit.MapStatus(statuses, raw) }

// Create sends the create and settles an ambiguous outcome by looking the
// invoice up before any second create (see the package documentation).
func (d *driver) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	body, err := kit.EncodeJSON(createRequest{
		Amount:        req.Amount.Number(),
		Currency:      "BDT",
		InvoiceID:     req.InvoiceID,
		CustomerName:  req.Customer.Name,
		CustomerEmail: req.Customer.Email,
		CustomerPhone: req.Customer.Phone,
		SuccessURL:    req.SuccessURL,
		CancelURL:     req.CancelURL,
		WebhookURL:    req.WebhookURL,
		Metadata:      req.Metadata,
	})
	if err != nil {
		return nil, kit.Invalid(ProviderName, mfspay.OpCreate, "metadata", "cannot be encoded")
	}
	return kit.ReconcileCreate(ctx, 3, // creates, each after a lookup proved the last never took effect

		func(ctx context.Context) (*mfspay.Checkout, error) { return d.createOnce(ctx, body) },
		func(ctx context.Context) (*mfspay.Checkout, error) { return d.findCreated(ctx, req) },
	)
}

// createOnce sends one create and reads its checkout.
func (d *driver) createOnce(ctx context.Context, body []byte) (*mfspay.Checkout, error) {
	env, resp, err := call[*created](ctx, d, mfspay.OpCreate, http.MethodPost, "/payments/create", body)
	if err != nil {
		return nil, err
	}
	if env.Data == nil || env.Data.Token == "" {
		return nil, malformed(mfspay.OpCreate, resp, &badField{"data.token", "is missing"})
	}
	expires, err := optTime("expires_at", env.Data.ExpiresAt)
	if err != nil {
		return nil, malformed(mfspay.OpCreate, resp, err)
	}
	return &mfspay.Checkout{PaymentID: env.Data.Token, RedirectURL: env.Data.PaymentURL, ExpiresAt: expires,
		Status: mfspay.StatusPending}, nil
}

// findCreated looks the invoice up after an ambiguous create: the payment
// found is the one the create made only if the amount matches.
func (d *driver) findCreated(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	p, err := d.Verify(ctx, mfspay.PaymentRef{InvoiceID: req.InvoiceID})
	if me := (*mfspay.Error)(nil); errors.As(err, &me) && me.Kind == mfspay.ErrDuplicate {
		// A lookup answered 409 says nothing about which payment holds the
		// invoice; only one found with another amount makes it a duplicate.
		unsettled := *me
		unsettled.Kind = mfspay.ErrUnavailable
		return nil, &unsettled
	}
	if err != nil {
		return nil, err
	}
	if p.Amount != req.Amount {
		return nil, &mfspay.Error{Kind: mfspay.ErrDuplicate, Provider: ProviderName, Op: mfspay.OpCreate, Field: "invoice_id",
			Message: "the invoice id already belongs to a payment of another amount"}
	}
	return &mfspay.Checkout{PaymentID: p.PaymentID, InvoiceID: p.InvoiceID,
		RedirectURL: d.pages + "/p/" + url.PathEscape(p.PaymentID), Status: p.Status}, nil
}

// Verify reads the payment by invoice id or token (the PaymentID).
func (d *driver) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	query := "token=" + url.QueryEscape(ref.PaymentID)
	if ref.InvoiceID != "" {
		query = "invoice_id=" + url.QueryEscape(ref.InvoiceID)
	}
	env, resp, err := call[*payment](ctx, d, mfspay.OpVerify, http.MethodGet, "/payments/verify?"+query, nil)
	if err != nil {
		return nil, err
	}
	if env.Data == nil {
		return nil, malformed(mfspay.OpVerify, resp, &badField{"data", "is missing"})
	}
	p, err := env.Data.toPayment()
	if err != nil {
		return nil, malformed(mfspay.OpVerify, resp, err)
	}
	return &p, nil
}

// List reads one page of payments, newest first.
func (d *driver) List(ctx context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	params := url.Values{"page": {strconv.Itoa(q.Page)}, "per_page": {strconv.Itoa(q.PerPage)}}
	for raw, s := range statuses {
		if s == q.Status {
			params.Set("status", raw)
		}
	}
	env, resp, err := call[[]payment](ctx, d, mfspay.OpList, http.MethodGet, "/payments/list?"+params.Encode(), nil)
	if err != nil {
		return nil, err
	}
	meta := env.Meta
	switch {
	case env.Data == nil:
		return nil, malformed(mfspay.OpList, resp, &badField{"data", "is not a list"})
	case meta == nil || meta.Page < 1 || meta.PerPage < 1 || meta.LastPage < 0 || len(env.Data) > meta.PerPage:
		return nil, malformed(mfspay.OpList, resp, &badField{"meta", "is missing or inconsistent"})
	}
	page := &mfspay.PaymentPage{Payments: make([]mfspay.Payment, len(env.Data)),
		Page: meta.Page, PerPage: meta.PerPage, Total: meta.Total, HasMore: meta.Page < meta.LastPage}
	for i := range env.Data {
		if page.Payments[i], err = env.Data[i].toPayment(); err != nil {
			return nil, malformed(mfspay.OpList, resp, err)
		}
	}
	return page, nil
}

// toPayment maps a verify-shaped object. Identity, status and money are
// required; trx_id, paid_at, method and sender are optional.
func (w *payment) toPayment() (mfspay.Payment, error) {
	for _, m := range []struct {
		name    string
		missing bool
	}{{"token", w.Token == ""}, {"invoice_id", w.InvoiceID == ""}, {"status", w.Status == ""}, {"amount", w.Amount == nil}} {
		if m.missing {
			return mfspay.Payment{}, &badField{m.name, "is missing"}
		}
	}
	paidAt, err := optTime("paid_at", w.PaidAt)
	return mfspay.Payment{PaymentID: w.Token, InvoiceID: w.InvoiceID, Status: MapStatus(w.Status), Amount: *w.Amount,
		TrxID: w.TrxID, Method: kit.ParseMethod(w.Method), Sender: w.Sender, PaidAt: paidAt}, err
}

// optTime parses an RFC 3339 timestamp; "" is the zero time.
func optTime(name, s string) (t time.Time, err error) {
	if s != "" {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			err = &badField{name, "is not an RFC 3339 time"}
		}
	}
	return t, err
}
