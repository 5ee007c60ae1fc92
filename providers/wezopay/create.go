package wezopay

import (
	"bytes"
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

// Create creates a payment and returns the hosted page to send the
// customer to.
//
// The create is never sent twice blindly. When its outcome is unknown (a
// timeout or 5xx after the request may have reached WezoPay, or a success
// answer that cannot be read), the payment is looked up by invoice id: one
// with the same amount is returned as the checkout (RedirectURL is then
// derived as {host}/p/{token}, ExpiresAt is zero and Status is whatever
// WezoPay says now); one with another amount is ErrDuplicate; none means
// the create never happened, and it is sent again. If that cannot be
// settled the result is ErrOutcomeUnknown: verify by invoice before trying
// again.
func (g *gateway) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	body, err := encodeCreate(req)
	if err != nil {
		return nil, kit.Invalid(ProviderName, mfspay.OpCreate, "metadata", "cannot be encoded")
	}
	return kit.ReconcileCreate(ctx, createAttempts,
		func(ctx context.Context) (*mfspay.Checkout, error) { return g.createOnce(ctx, req.InvoiceID, body) },
		func(ctx context.Context) (*mfspay.Checkout, error) { return g.findCreated(ctx, req) },
	)
}

func encodeCreate(req mfspay.CreatePaymentRequest) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep URLs with & readable on the wire
	err := enc.Encode(createRequest{
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
	return bytes.TrimRight(b.Bytes(), "\n"), err
}

// createOnce sends one create (the HTTP client may repeat it only when it
// provably never reached WezoPay, or on 429).
func (g *gateway) createOnce(ctx context.Context, invoiceID string, body []byte) (*mfspay.Checkout, error) {
	resp, err := g.http.Do(ctx, kit.HTTPRequest{
		Op:         mfspay.OpCreate,
		Method:     http.MethodPost,
		URL:        g.base + "/payments/create",
		Header:     g.headers(true),
		Body:       body,
		Idempotent: false,
	})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, g.statusError(mfspay.OpCreate, resp)
	}
	env, ok := decodeEnvelope(resp.Body)
	if !ok {
		return nil, g.malformed(mfspay.OpCreate, resp, nil)
	}
	if !env.succeeded() {
		return nil, g.unsuccessful(mfspay.OpCreate, resp, env)
	}
	co, err := parseCreated(env.Data)
	if err != nil {
		return nil, g.malformed(mfspay.OpCreate, resp, err)
	}
	co.InvoiceID = invoiceID
	return co, nil
}

// parseCreated reads {"token", "payment_url", "expires_at"}.
func parseCreated(raw json.RawMessage) (*mfspay.Checkout, error) {
	var buf [16]member // the answer's members, without an allocation
	f, ok := decodeFieldsInto(raw, buf[:0])
	if !ok {
		return nil, &badField{"data", "is not an object"}
	}
	token, err := f.reqString("token")
	if err != nil {
		return nil, err
	}
	if (mfspay.PaymentRef{PaymentID: token}).Validate() != nil {
		return nil, &badField{"token", "is not a payment token"}
	}
	payURL, err := f.reqString("payment_url")
	if err != nil {
		return nil, err
	}
	if u, err := url.Parse(payURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &badField{"payment_url", "is not an absolute http or https URL"}
	}
	expires, err := f.optTime("expires_at")
	if err != nil {
		return nil, err
	}
	return &mfspay.Checkout{
		Provider:    ProviderName,
		PaymentID:   token,
		RedirectURL: payURL,
		ExpiresAt:   expires,
		Status:      mfspay.StatusPending,
	}, nil
}

// findCreated looks the invoice up after an ambiguous create: the payment
// it finds is the one the create made only if the amount matches.
func (g *gateway) findCreated(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	p, err := g.Verify(ctx, mfspay.PaymentRef{InvoiceID: req.InvoiceID})
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
		Provider:    ProviderName,
		PaymentID:   p.PaymentID,
		InvoiceID:   p.InvoiceID,
		RedirectURL: g.pages + "/p/" + url.PathEscape(p.PaymentID),
		Status:      p.Status,
	}, nil
}
