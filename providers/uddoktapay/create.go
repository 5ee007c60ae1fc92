package uddoktapay

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
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

// checkoutAnswer is create's answer: {"status": true, "payment_url": …} or
// the error envelope {"status": false, "message": …}.
type checkoutAnswer struct {
	Status     json.RawMessage `json:"status"`
	Message    json.RawMessage `json:"message"`
	PaymentURL string          `json:"payment_url"`
}

// Create makes a charge with checkout-v2 and sends it once.
//
// The answer carries no id of the payment: UddoktaPay's invoice_id is
// learnt only from the customer's return or the IPN, so the checkout's
// PaymentID is empty. Nothing can be looked up by the merchant's invoice
// either, so a create whose outcome is unknown stays ErrOutcomeUnknown;
// creating again is money-safe, because a charge costs nothing until the
// customer pays it, and whichever charge is paid carries the merchant's
// invoice back in its metadata.
func (g *gateway) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	body, err := buildCheckout(req)
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return nil, kit.Invalid(ProviderName, mfspay.OpCreate, "", "cannot encode the request")
	}
	resp, err := g.http.Do(ctx, kit.HTTPRequest{
		Op: mfspay.OpCreate, Method: http.MethodPost, URL: g.base + "/api/checkout-v2",
		Header: g.header, Body: payload,
	})
	if err != nil {
		return nil, explainUnknown(err)
	}
	var ans checkoutAnswer
	decoded := json.Unmarshal(resp.Body, &ans) == nil
	if !resp.OK() || decoded && isFalse(ans.Status) {
		return nil, explainUnknown(g.apiError(mfspay.OpCreate, resp))
	}
	switch {
	case !decoded || !isTrue(ans.Status):
		return nil, explainUnknown(malformed(resp, "the body is not the documented JSON"))
	case !absoluteHTTPURL(ans.PaymentURL):
		return nil, explainUnknown(malformed(resp, "payment_url is missing or not an absolute URL"))
	}
	return &mfspay.Checkout{
		Provider:    ProviderName,
		InvoiceID:   req.InvoiceID,
		RedirectURL: ans.PaymentURL,
		Status:      mfspay.StatusPending,
	}, nil
}

// buildCheckout checks req against UddoktaPay's own rules (the portable
// layer has checked the neutral ones) and returns the wire body.
func buildCheckout(req mfspay.CreatePaymentRequest) (*checkoutRequest, error) {
	const op = mfspay.OpCreate
	switch {
	case strings.TrimSpace(req.Customer.Name) == "":
		return nil, kit.Invalid(ProviderName, op, "customer.name", "is required by UddoktaPay (full_name)")
	case req.Customer.Email == "":
		return nil, kit.Invalid(ProviderName, op, "customer.email", "is required by UddoktaPay")
	}
	if have, ok := req.Metadata[invoiceKey]; ok && have != req.InvoiceID {
		return nil, kit.Invalid(ProviderName, op, "metadata",
			"must not carry another "+invoiceKey+": the adapter sends the invoice id there")
	}
	md := make(map[string]string, len(req.Metadata)+1)
	for k, v := range req.Metadata {
		md[k] = v
	}
	md[invoiceKey] = req.InvoiceID
	redirect := req.SuccessURL
	if req.ReturnURL != "" {
		redirect = req.ReturnURL
	}
	return &checkoutRequest{
		FullName:    req.Customer.Name,
		Email:       req.Customer.Email,
		Amount:      req.Amount.String(),
		Metadata:    md,
		RedirectURL: redirect,
		ReturnType:  http.MethodGet,
		CancelURL:   req.CancelURL,
		WebhookURL:  req.WebhookURL,
	}, nil
}

func isTrue(raw json.RawMessage) bool  { return string(raw) == "true" }
func isFalse(raw json.RawMessage) bool { return string(raw) == "false" }

func absoluteHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// malformed reports a 2xx create answer the adapter cannot use: the charge
// may exist, so the outcome is unknown.
func malformed(resp *kit.HTTPResponse, why string) *mfspay.Error {
	return &mfspay.Error{Kind: mfspay.ErrOutcomeUnknown, Provider: ProviderName, Op: mfspay.OpCreate,
		HTTPStatus: resp.StatusCode, Message: "malformed response: " + why}
}

// explainUnknown tells the caller what an ambiguous create means here.
func explainUnknown(err error) error {
	var e *mfspay.Error
	if !errors.As(err, &e) || e.Kind != mfspay.ErrOutcomeUnknown {
		return err
	}
	out := *e
	out.Message = "the charge may have been created and UddoktaPay cannot be asked by invoice; " +
		"creating it again is money-safe (an unused charge is never paid, and the paid one names the invoice)"
	if e.Message != "" {
		out.Message += " (" + e.Message + ")"
	}
	return &out
}
