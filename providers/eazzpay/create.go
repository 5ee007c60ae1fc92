package eazzpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// EazzPay's documented field limits, in characters.
const (
	maxNameLen     = 100
	maxURLLen      = 100
	maxMetadataLen = 1000
)

// initiateRequest is the body of POST /payments/initiate.
type initiateRequest struct {
	CusName    string      `json:"cus_name"`
	Amount     json.Number `json:"amount"`
	Metadata   string      `json:"metadata"`
	SuccessURL string      `json:"success_url"`
	CancelURL  string      `json:"cancel_url"`
	IPNURL     string      `json:"ipn_url"`
	IPNMethod  string      `json:"ipn_method"`
}

// initiateResponse is the 201 answer; only what the adapter uses is decoded.
type initiateResponse struct {
	Data *struct {
		PaymentID  string `json:"payment_id"`
		EazzpayURL string `json:"eazzpay_url"`
	} `json:"data"`
}

// Create initiates a payment. The request is sent once: EazzPay cannot
// be asked whether an ambiguous attempt created a payment, so such a failure
// is returned as ErrOutcomeUnknown rather than risking a second payment.
func (g *gateway) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	body, err := buildInitiate(req)
	if err != nil {
		return nil, err
	}
	payload, err := marshalJSON(body)
	if err != nil {
		return nil, kit.Invalid(ProviderName, mfspay.OpCreate, "", "cannot encode the request")
	}
	resp, err := g.http.Do(ctx, kit.HTTPRequest{
		Op:     mfspay.OpCreate,
		Method: http.MethodPost,
		URL:    g.base + "/payments/initiate",
		Header: http.Header{
			"Content-Type": {"application/json"},
			"Accept":       {"application/json"},
			SecretHeader:   {g.secret},
		},
		Body:       payload,
		Idempotent: false,
	})
	if err != nil {
		return nil, explainOutcomeUnknown(err)
	}
	if !resp.OK() {
		return nil, explainOutcomeUnknown(g.statusError(mfspay.OpCreate, resp))
	}
	co, err := g.checkout(req.InvoiceID, resp)
	if err != nil {
		return nil, explainOutcomeUnknown(err)
	}
	return co, nil
}

// buildInitiate checks req against EazzPay's own rules (the portable layer
// has checked the neutral ones) and returns the wire body. Every failure is
// an ErrInvalidRequest naming the request field.
func buildInitiate(req mfspay.CreatePaymentRequest) (*initiateRequest, error) {
	const op = mfspay.OpCreate
	if strings.TrimSpace(req.Customer.Name) == "" {
		return nil, kit.Invalid(ProviderName, op, "customer.name", "is required by EazzPay")
	}
	if req.WebhookURL == "" {
		return nil, kit.Invalid(ProviderName, op, "webhook_url", "is required by EazzPay (it becomes ipn_url)")
	}
	ipnURL, err := ipnURLFor(req.WebhookURL, req.InvoiceID)
	if err != nil {
		return nil, err
	}
	metadata, err := encodeMetadata(req.InvoiceID, req.Metadata)
	if err != nil {
		return nil, kit.Invalid(ProviderName, op, "metadata", "cannot be encoded")
	}
	for _, f := range []struct {
		field, value, what string
		max                int
	}{
		{"customer.name", req.Customer.Name, "cus_name", maxNameLen},
		{"success_url", req.SuccessURL, "success_url", maxURLLen},
		{"cancel_url", req.CancelURL, "cancel_url", maxURLLen},
		{"webhook_url", ipnURL, "ipn_url (with the invoice_id parameter the adapter adds)", maxURLLen},
		{"metadata", metadata, "the metadata string (invoice id and metadata as JSON)", maxMetadataLen},
	} {
		if n := utf8.RuneCountInString(f.value); n > f.max {
			return nil, kit.Invalid(ProviderName, op, f.field,
				"EazzPay limits "+f.what+" to "+itoa(f.max)+" characters; it has "+itoa(n))
		}
	}
	return &initiateRequest{
		CusName:    req.Customer.Name,
		Amount:     req.Amount.Number(),
		Metadata:   metadata,
		SuccessURL: req.SuccessURL,
		CancelURL:  req.CancelURL,
		IPNURL:     ipnURL,
		IPNMethod:  http.MethodPost,
	}, nil
}

// ipnURLFor adds invoice_id to the merchant's webhook URL, keeping its
// existing query exactly as written.
func ipnURLFor(webhookURL, invoiceID string) (string, error) {
	u, err := url.Parse(webhookURL)
	if err != nil {
		return "", kit.Invalid(ProviderName, mfspay.OpCreate, "webhook_url", "is not a URL")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", kit.Invalid(ProviderName, mfspay.OpCreate, "webhook_url", "has a malformed query")
	}
	if q.Has("invoice_id") {
		return "", kit.Invalid(ProviderName, mfspay.OpCreate, "webhook_url",
			"must not carry invoice_id: the adapter adds it")
	}
	param := "invoice_id=" + url.QueryEscape(invoiceID)
	if u.RawQuery == "" {
		u.RawQuery = param
	} else {
		u.RawQuery += "&" + param
	}
	return u.String(), nil
}

// checkout decodes a successful initiate answer.
func (g *gateway) checkout(invoiceID string, resp *kit.HTTPResponse) (*mfspay.Checkout, error) {
	var out initiateResponse
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.Data == nil {
		return nil, malformed(resp, "the body is not the documented JSON")
	}
	id := out.Data.PaymentID
	if id == "" || (mfspay.PaymentRef{PaymentID: id}).Validate() != nil {
		return nil, malformed(resp, "data.payment_id is missing or not an id")
	}
	if !absoluteHTTPURL(out.Data.EazzpayURL) {
		// The payment exists but the customer cannot be sent to it, so it
		// can never be paid; say which one it is for the merchant's records.
		return nil, malformed(resp, "data.eazzpay_url of payment "+id+" is not an absolute URL")
	}
	return &mfspay.Checkout{
		Provider:    ProviderName,
		PaymentID:   id,
		InvoiceID:   invoiceID,
		RedirectURL: out.Data.EazzpayURL,
		Status:      mfspay.StatusPending,
	}, nil
}

func absoluteHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// malformed reports a 2xx answer the adapter cannot use. EazzPay answered
// success, so a payment may exist: the outcome is unknown, not a reason to
// create again.
func malformed(resp *kit.HTTPResponse, why string) *mfspay.Error {
	return &mfspay.Error{
		Kind:       mfspay.ErrOutcomeUnknown,
		Provider:   ProviderName,
		Op:         mfspay.OpCreate,
		HTTPStatus: resp.StatusCode,
		Message:    "malformed response: " + why,
	}
}

// explainOutcomeUnknown tells the caller what to do about an ambiguous
// create, since the adapter has no lookup to settle it.
func explainOutcomeUnknown(err error) error {
	var e *mfspay.Error
	if !errors.As(err, &e) || e.Kind != mfspay.ErrOutcomeUnknown {
		return err
	}
	out := *e
	out.Message = "the payment may have been created and EazzPay offers no lookup: " +
		"check the dashboard or wait for its IPN before creating it again"
	if e.Message != "" {
		out.Message += " (" + e.Message + ")"
	}
	return &out
}

// marshalJSON encodes v without HTML escaping, so that the URLs' & and the
// metadata string reach EazzPay as written and counted.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
