package bkash

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// paymentLife is how long a paymentID can be executed after its creation.
const paymentLife = 24 * time.Hour

// wallet is a Bangladeshi wallet number, with or without the country code.
var wallet = regexp.MustCompile(`^(?:\+?88)?(01[3-9][0-9]{8})$`)

// Create creates a URL-based (mode 0011) payment and returns bKash's page.
//
// bKash sends the customer back to one callbackURL for every outcome, so
// it is the merchant's ReturnURL with the invoice id added as
// ReturnInvoiceParam: CompleteReturn checks the payment against it.
// payerReference is the customer's wallet number when the phone is one (it
// pre-fills bKash's page), else a space, which bKash accepts as empty. An
// unknown outcome is ErrOutcomeUnknown at once (see the package doc).
func (d *driver) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	cb, err := url.Parse(req.ReturnURL)
	if req.ReturnURL == "" || err != nil {
		return nil, kit.Invalid(ProviderName, mfspay.OpCreate, "return_url", "is required")
	}
	// Appended, the merchant's query left as it is: it may be signed, its
	// order and escapes significant.
	if cb.RawQuery != "" {
		cb.RawQuery += "&"
	}
	cb.RawQuery += ReturnInvoiceParam + "=" + url.QueryEscape(req.InvoiceID)
	payer := " "
	if m := wallet.FindStringSubmatch(req.Customer.Phone); m != nil {
		payer = m[1]
	}
	body, _ := json.Marshal(map[string]string{"mode": "0011", "payerReference": payer, "callbackURL": cb.String(),
		"amount": req.Amount.String(), "currency": "BDT", "intent": "sale", "merchantInvoiceNumber": req.InvoiceID})
	resp, err := d.call(ctx, mfspay.OpCreate, "create", body, false)
	if err != nil {
		return nil, err
	}
	a, err := d.answer(mfspay.OpCreate, resp)
	if err != nil {
		return nil, err
	}
	if a.PaymentID == "" || a.BkashURL == "" {
		return nil, &mfspay.Error{Kind: mfspay.ErrOutcomeUnknown, Provider: ProviderName, Op: mfspay.OpCreate,
			HTTPStatus: resp.StatusCode, Message: "malformed response: no paymentID or bkashURL"}
	}
	co := &mfspay.Checkout{Provider: ProviderName, PaymentID: a.PaymentID, InvoiceID: a.invoice(),
		RedirectURL: a.BkashURL, Status: mfspay.StatusPending}
	if created := parseTime(a.PaymentCreateTime); !created.IsZero() {
		co.ExpiresAt = created.Add(paymentLife)
	}
	return co, nil
}

// Verify queries the payment by its paymentID (the layer refuses an invoice
// id: bKash's query takes nothing else).
//
// It never executes: a read that moved money would be retried and repeated
// by callers that expect none. A payment the customer approved but never
// came back from stays pending (Initiated) until a return is completed for
// it (CompleteReturn with paymentID, status=success and the invoice).
func (d *driver) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	a, err := d.query(ctx, mfspay.OpVerify, ref.PaymentID)
	if err != nil {
		return nil, err
	}
	p := a.payment()
	return &p, nil
}

// query reads one payment (payment/status), a read that may be repeated.
func (d *driver) query(ctx context.Context, op, paymentID string) (*answer, error) {
	body, _ := json.Marshal(map[string]string{"paymentID": paymentID})
	resp, err := d.call(ctx, op, "payment/status", body, true)
	if err != nil {
		return nil, err
	}
	return d.answer(op, resp)
}
