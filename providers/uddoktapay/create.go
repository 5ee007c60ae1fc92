package uddoktapay

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// invoiceKey is the metadata key that carries the merchant's invoice id:
// UddoktaPay has no invoice field, echoes metadata verbatim in verify and
// the IPN, and its WooCommerce plugin reads the order from the same key.
const invoiceKey = "order_id"

// checkoutRequest is the body of POST {base}/api/checkout-v2.
type checkoutRequest struct {
	FullName    string            `json:"full_name"`
	Email       string            `json:"email"`
	Amount      string            `json:"amount"`
	Metadata    map[string]string `json:"metadata"`
	RedirectURL string            `json:"redirect_url"`
	ReturnType  string            `json:"return_type"`
	CancelURL   string            `json:"cancel_url"`
	WebhookURL  string            `json:"webhook_url,omitempty"`
}

// Create makes a charge with checkout-v2, sent once. The checkout's
// PaymentID is empty: the answer has none. With nothing to look up, an
// ambiguous outcome stays ErrOutcomeUnknown.
func (g *gateway) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	body, err := buildCheckout(req)
	if err != nil {
		return nil, err
	}
	payload, _ := json.Marshal(body) // strings and a map of strings always encode
	resp, err := g.http.Do(ctx, kit.HTTPRequest{
		Op: mfspay.OpCreate, Method: http.MethodPost, URL: g.base + "/api/checkout-v2",
		Header: g.header, Body: payload,
	})
	if err != nil {
		return nil, explainUnknown(err)
	}
	var ans struct { // {"status": true, "payment_url": …}, or the error envelope
		Status     json.RawMessage `json:"status"`
		PaymentURL string          `json:"payment_url"`
	}
	decoded := json.Unmarshal(resp.Body, &ans) == nil
	if !resp.OK() || decoded && string(ans.Status) == "false" {
		return nil, explainUnknown(g.apiError(mfspay.OpCreate, resp))
	}
	if !decoded || string(ans.Status) != "true" {
		// A 2xx the adapter cannot read: the charge may exist.
		return nil, explainUnknown(&mfspay.Error{Kind: mfspay.ErrOutcomeUnknown, Provider: ProviderName,
			Op: mfspay.OpCreate, HTTPStatus: resp.StatusCode, Message: "malformed response"})
	}
	// The portable layer refuses a payment_url that is not an absolute
	// http(s) URL, as an unknown outcome.
	return &mfspay.Checkout{Provider: ProviderName, InvoiceID: req.InvoiceID, RedirectURL: ans.PaymentURL,
		Status: mfspay.StatusPending}, nil
}

// buildCheckout checks req against UddoktaPay's own rules (the layer has
// checked the neutral ones) and returns the wire body. The customer comes
// back to ReturnURL, by GET. It is required: UddoktaPay's id for the
// payment arrives only there or in the IPN, which v2 panels may send only
// when an admin asks, and nothing can be found by the merchant's invoice,
// so a payment whose customer went to SuccessURL instead might never be
// learnt of.
func buildCheckout(req mfspay.CreatePaymentRequest) (*checkoutRequest, error) {
	const op = mfspay.OpCreate
	switch {
	case strings.TrimSpace(req.Customer.Name) == "":
		return nil, kit.Invalid(ProviderName, op, "customer.name", "is required by UddoktaPay (full_name)")
	case req.Customer.Email == "":
		return nil, kit.Invalid(ProviderName, op, "customer.email", "is required by UddoktaPay")
	case req.ReturnURL == "":
		return nil, kit.Invalid(ProviderName, op, "return_url",
			"is required: UddoktaPay names the payment only to the customer's return (and to an IPN it may never send)")
	}
	if have, ok := req.Metadata[invoiceKey]; ok && have != req.InvoiceID {
		return nil, kit.Invalid(ProviderName, op, "metadata",
			"must not carry another "+invoiceKey+": the adapter sends the invoice id there")
	}
	md := maps.Clone(req.Metadata)
	if md == nil {
		md = map[string]string{}
	}
	md[invoiceKey] = req.InvoiceID
	return &checkoutRequest{FullName: req.Customer.Name, Email: req.Customer.Email, Amount: req.Amount.String(),
		Metadata: md, RedirectURL: req.ReturnURL, ReturnType: http.MethodGet, CancelURL: req.CancelURL,
		WebhookURL: req.WebhookURL}, nil
}

// explainUnknown tells the caller what an ambiguous create means here: a
// charge costs nothing until paid, and the paid one names the invoice.
func explainUnknown(err error) error {
	return kit.ExplainOutcomeUnknown(err, "the charge may have been created and UddoktaPay cannot be asked by invoice; "+
		"creating it again is money-safe (an unused charge is never paid, and the paid one names the invoice)")
}
