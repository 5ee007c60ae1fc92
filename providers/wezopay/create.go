package wezopay

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// createAttempts bounds how many creates one CreatePayment may send when
// lookups by invoice prove that the earlier ones never took effect.
const createAttempts = 3

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
	return kit.ReconcileCreate(ctx, createAttempts,
		func(ctx context.Context) (*mfspay.Checkout, error) { return d.createOnce(ctx, body) },
		func(ctx context.Context) (*mfspay.Checkout, error) { return d.findCreated(ctx, req) },
	)
}

// createOnce sends one create (the HTTP client may repeat it only when it
// provably never reached WezoPay, or on 429) and reads the checkout:
// {"token", "payment_url", "expires_at"}.
func (d *driver) createOnce(ctx context.Context, body []byte) (*mfspay.Checkout, error) {
	env, resp, err := call[*created](ctx, d, mfspay.OpCreate, http.MethodPost, "/payments/create", body)
	if err != nil {
		return nil, err
	}
	c := env.Data
	switch {
	case c == nil:
		return nil, malformed(mfspay.OpCreate, resp, &badField{"data", "is missing"})
	case c.Token == "":
		return nil, malformed(mfspay.OpCreate, resp, &badField{"token", "is missing"})
	case c.PaymentURL == "":
		return nil, malformed(mfspay.OpCreate, resp, &badField{"payment_url", "is missing"})
	}
	expires, err := optTime("expires_at", c.ExpiresAt)
	if err != nil {
		return nil, malformed(mfspay.OpCreate, resp, err)
	}
	return &mfspay.Checkout{PaymentID: c.Token, RedirectURL: c.PaymentURL, ExpiresAt: expires, Status: mfspay.StatusPending}, nil
}

// findCreated looks the invoice up after an ambiguous create: the payment
// it finds is the one the create made only if the amount matches.
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
	return &mfspay.Checkout{
		PaymentID:   p.PaymentID,
		InvoiceID:   p.InvoiceID,
		RedirectURL: d.pages + "/p/" + url.PathEscape(p.PaymentID),
		Status:      p.Status,
	}, nil
}
