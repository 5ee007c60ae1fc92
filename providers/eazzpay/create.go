package eazzpay

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// initiateRequest is the body of POST /payments/initiate. Metadata is a
// string holding JSON, as EazzPay documents it.
type initiateRequest struct {
	CusName    string      `json:"cus_name"`
	Amount     json.Number `json:"amount"`
	Metadata   string      `json:"metadata"`
	SuccessURL string      `json:"success_url"`
	CancelURL  string      `json:"cancel_url"`
	IPNURL     string      `json:"ipn_url"`
	IPNMethod  string      `json:"ipn_method"`
}

// metadata is what the adapter puts in EazzPay's metadata string: EazzPay
// has no invoice field, so the invoice id travels beside the merchant's
// own metadata, and neither can overwrite the other.
type metadata struct {
	InvoiceID string            `json:"invoice_id"`
	Metadata  map[string]string `json:"metadata,omitempty"`
}

// Create initiates a payment. The request is sent once: EazzPay cannot be
// asked whether an ambiguous attempt created a payment, so such a failure
// is ErrOutcomeUnknown rather than the risk of a second payment.
func (d *driver) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	body, err := initiateBody(req)
	if err != nil {
		return nil, err
	}
	resp, err := d.http.Do(ctx, kit.HTTPRequest{
		Op: mfspay.OpCreate, Method: http.MethodPost, URL: d.base + "/payments/initiate", Header: d.header, Body: body,
	})
	switch {
	case err != nil:
		return nil, explainOutcomeUnknown(err)
	case !resp.OK():
		return nil, explainOutcomeUnknown(d.statusError(mfspay.OpCreate, resp))
	}
	var answer struct {
		Data *struct {
			PaymentID  string `json:"payment_id"`
			EazzpayURL string `json:"eazzpay_url"`
		} `json:"data"`
	}
	if kit.DecodeJSON(resp.Body, &answer) != nil || answer.Data == nil || answer.Data.PaymentID == "" {
		// EazzPay answered success, so a payment may exist.
		return nil, explainOutcomeUnknown(&mfspay.Error{Kind: mfspay.ErrOutcomeUnknown, Provider: ProviderName,
			Op: mfspay.OpCreate, HTTPStatus: resp.StatusCode, Message: "malformed response: no data.payment_id"})
	}
	return &mfspay.Checkout{PaymentID: answer.Data.PaymentID, RedirectURL: answer.Data.EazzpayURL, Status: mfspay.StatusPending}, nil
}

// initiateBody checks req against EazzPay's own rules (the layer has
// checked the neutral ones) and encodes it. The invoice id travels in the
// metadata string and as an invoice_id parameter on ipn_url, so that every
// IPN can be tied to its order; EazzPay's limits, in characters, count
// them. Every failure is an ErrInvalidRequest naming the request field.
func initiateBody(req mfspay.CreatePaymentRequest) ([]byte, error) {
	invalid := func(field, message string) error { return kit.Invalid(ProviderName, mfspay.OpCreate, field, message) }
	if strings.TrimSpace(req.Customer.Name) == "" {
		return nil, invalid("customer.name", "is required by EazzPay")
	}
	ipn, err := url.Parse(req.WebhookURL)
	if err != nil || req.WebhookURL == "" {
		return nil, invalid("webhook_url", "is required by EazzPay (it becomes ipn_url)")
	}
	switch query, err := url.ParseQuery(ipn.RawQuery); {
	case err != nil:
		return nil, invalid("webhook_url", "has a malformed query")
	case query.Has("invoice_id"):
		return nil, invalid("webhook_url", "must not carry invoice_id: the adapter adds it")
	}
	if ipn.RawQuery != "" { // the merchant's own query is kept exactly as written
		ipn.RawQuery += "&"
	}
	ipn.RawQuery += "invoice_id=" + url.QueryEscape(req.InvoiceID)
	md, err := kit.EncodeJSON(metadata{InvoiceID: req.InvoiceID, Metadata: req.Metadata})
	if err != nil {
		return nil, invalid("metadata", "cannot be encoded")
	}
	for _, f := range []struct {
		field, value, what string
		max                int
	}{
		{"customer.name", req.Customer.Name, "cus_name", 100},
		{"success_url", req.SuccessURL, "success_url", 100},
		{"cancel_url", req.CancelURL, "cancel_url", 100},
		{"webhook_url", ipn.String(), "ipn_url (with the invoice_id parameter the adapter adds)", 100},
		{"metadata", string(md), "the metadata string (invoice id and metadata as JSON)", 1000},
	} {
		if n := utf8.RuneCountInString(f.value); n > f.max {
			return nil, invalid(f.field, "EazzPay limits "+f.what+" to "+strconv.Itoa(f.max)+" characters; it has "+strconv.Itoa(n))
		}
	}
	return kit.EncodeJSON(initiateRequest{
		CusName:    req.Customer.Name,
		Amount:     req.Amount.Number(),
		Metadata:   string(md),
		SuccessURL: req.SuccessURL,
		CancelURL:  req.CancelURL,
		IPNURL:     ipn.String(),
		IPNMethod:  http.MethodPost,
	})
}
