package nodipay

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// createAttempts bounds how many creates one Create may send when
// lookups by invoice prove that the earlier ones never took effect.
const createAttempts = 3

// Create creates a payment and returns NodiPay's checkout page.
//
// The request is checked before any traffic. The create is never repeated
// blindly: mfspay's HTTP client retries it only when it provably never
// reached NodiPay (or on 429), and after an ambiguous failure (a timeout, a
// reset, a 5xx, an unreadable success) kit.ReconcileCreate looks the
// invoice up. A payment with the same amount is the one this call made and
// is returned; one with another amount is ErrDuplicate; none means the
// create never happened and it is sent again. NodiPay refuses a reused
// invoice id (409), so even a second create cannot make a second payment.
func (g *gateway) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	body, err := encodeCreate(req)
	if err != nil {
		return nil, kit.Invalid(ProviderName, mfspay.OpCreate, "metadata", "cannot be encoded")
	}
	return kit.ReconcileCreate(ctx, createAttempts,
		func(ctx context.Context) (*mfspay.Checkout, error) { return g.createOnce(ctx, req, body) },
		func(ctx context.Context) (*mfspay.Checkout, error) { return g.findCreated(ctx, req) },
	)
}

func encodeCreate(req mfspay.CreatePaymentRequest) ([]byte, error) {
	b := createBody{
		InvoiceID:  req.InvoiceID,
		Amount:     req.Amount.Poisha(),
		Currency:   "BDT",
		SuccessURL: req.SuccessURL,
		CancelURL:  req.CancelURL,
		WebhookURL: req.WebhookURL,
		Metadata:   req.Metadata,
	}
	if c := req.Customer; c != (mfspay.Customer{}) {
		b.Customer = &wireCustomer{Name: c.Name, Email: c.Email, Phone: c.Phone}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep URLs with & as they are
	if err := enc.Encode(b); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// createOnce sends one create.
func (g *gateway) createOnce(ctx context.Context, req mfspay.CreatePaymentRequest, body []byte) (*mfspay.Checkout, error) {
	resp, err := g.http.Do(ctx, kit.HTTPRequest{
		Op:     mfspay.OpCreate,
		Method: http.MethodPost,
		URL:    g.base + "/payments",
		Header: g.headers(true),
		Body:   body,
	})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		e := g.statusError(mfspay.OpCreate, resp)
		if resp.StatusCode < 400 {
			// Not an answer NodiPay gives: something in between spoke, and
			// whether the create arrived is unknown.
			e.Kind = mfspay.ErrOutcomeUnknown
		}
		return nil, e
	}
	p, w, err := decodePayment(resp.Body)
	if err != nil {
		return nil, g.malformed(mfspay.OpCreate, resp, err)
	}
	// An answer about another payment is no answer: the one asked for may
	// or may not exist.
	if p.InvoiceID != req.InvoiceID || p.Amount != req.Amount {
		return nil, g.malformed(mfspay.OpCreate, resp, &badField{"payment", "does not match the request"})
	}
	co, err := checkout(p, w)
	if err != nil {
		return nil, g.malformed(mfspay.OpCreate, resp, err)
	}
	return co, nil
}

// checkout builds the Checkout for a payment object.
func checkout(p mfspay.Payment, w *wirePayment) (*mfspay.Checkout, error) {
	u, err := url.Parse(w.CheckoutURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &badField{"checkout_url", "is not an absolute http or https URL"}
	}
	co := &mfspay.Checkout{
		Provider:    ProviderName,
		PaymentID:   p.PaymentID,
		InvoiceID:   p.InvoiceID,
		RedirectURL: w.CheckoutURL,
		Status:      p.Status,
	}
	if w.ExpiresAt != nil {
		co.ExpiresAt = w.ExpiresAt.UTC()
	}
	return co, nil
}

// findCreated looks the invoice up after an ambiguous create: the payment
// found is the one the create made only if the amount matches.
func (g *gateway) findCreated(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	p, w, resp, err := g.fetch(ctx, mfspay.PaymentRef{InvoiceID: req.InvoiceID})
	if err != nil {
		return nil, err
	}
	if p.Amount != req.Amount {
		return nil, &mfspay.Error{Kind: mfspay.ErrDuplicate, Provider: ProviderName, Op: mfspay.OpCreate,
			Field: "invoice_id", Message: "the invoice id already belongs to a payment of another amount"}
	}
	co, err := checkout(p, w)
	if err != nil {
		return nil, g.malformed(mfspay.OpVerify, resp, err)
	}
	return co, nil
}
