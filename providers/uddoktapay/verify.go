package uddoktapay

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// statuses is the exact table of verify's statuses. ERROR is documented;
// FAILED appears only in UddoktaPay's own SDK and is read the same way.
// Anything else, other letter cases included, is StatusUnknown.
var statuses = map[string]mfspay.Status{
	"COMPLETED": mfspay.StatusPaid,
	"PENDING":   mfspay.StatusPending,
	"ERROR":     mfspay.StatusFailed,
	"FAILED":    mfspay.StatusFailed,
}

// bangladeshTime is UTC+6 all year; verify's date carries no zone and is
// read in it.
var bangladeshTime = time.FixedZone("BST", 6*60*60)

// dateLayout is verify's date: "2023-01-07 14:00:50".
const dateLayout = "2006-01-02 15:04:05"

// Verify reads one payment by UddoktaPay's invoice_id, which is the
// neutral PaymentID. The capabilities declare no lookup by the merchant's
// invoice, so the portable layer refuses that form itself.
func (g *gateway) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	return g.verify(ctx, mfspay.OpVerify, ref.PaymentID)
}

// verify calls verify-payment for invoiceID on behalf of op (a verify, a
// notification, a return). A 2xx answer without invoice_id is one of the
// error envelopes; with it, the payment, which must be the one asked for.
func (g *gateway) verify(ctx context.Context, op, invoiceID string) (*mfspay.Payment, error) {
	payload, err := json.Marshal(map[string]string{"invoice_id": invoiceID})
	if err != nil {
		return nil, kit.Invalid(ProviderName, op, "invoice_id", "cannot be encoded")
	}
	resp, err := g.http.Do(ctx, kit.HTTPRequest{
		Op: op, Method: http.MethodPost, URL: g.base + "/api/verify-payment",
		Header: g.header, Body: payload, Idempotent: true,
	})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, g.apiError(op, resp)
	}
	fields, ok := decodeObject(resp.Body)
	if !ok {
		return nil, unusable(op, resp, "the body is not a JSON object")
	}
	if _, has := fields["invoice_id"]; !has {
		if _, has := fields["message"]; has {
			return nil, g.apiError(op, resp)
		}
		return nil, unusable(op, resp, "the body is neither a payment nor an error")
	}
	p, why := parsePayment(fields)
	switch {
	case why != "":
		return nil, unusable(op, resp, why)
	case p.PaymentID != invoiceID:
		return nil, unusable(op, resp, "the answer is about another payment")
	}
	return p, nil
}

// parsePayment reads a verify answer (the IPN's body has the same shape).
// The identity and money fields are strict; the descriptive ones lenient,
// so that a wallet or date UddoktaPay writes differently leaves a field
// empty rather than a real payment unread. Everything but invoice_id and
// status may be absent, as in the v1 IPN. It returns why the answer cannot
// be used, or "".
func parsePayment(f map[string]json.RawMessage) (*mfspay.Payment, string) {
	id, ok := text(f["invoice_id"], false)
	if !ok || id == "" || (mfspay.PaymentRef{PaymentID: id}).Validate() != nil {
		return nil, "invoice_id is missing or not an id"
	}
	raw, ok := text(f["status"], false)
	if !ok || raw == "" {
		return nil, "status is missing or not a string"
	}
	p := &mfspay.Payment{Provider: ProviderName, PaymentID: id, Status: kit.MapStatus(statuses, raw)}
	if raw, has := f["amount"]; has && !isNull(raw) {
		a, ok := amount(raw)
		if !ok {
			return nil, "amount is not an amount with at most two decimals"
		}
		p.Amount = a
	}
	var md map[string]json.RawMessage
	if raw, has := f["metadata"]; has && !isNull(raw) && json.Unmarshal(raw, &md) != nil {
		return nil, "metadata is not an object"
	}
	if inv, ok := text(md[invoiceKey], true); ok && (mfspay.PaymentRef{InvoiceID: inv}).Validate() == nil {
		p.InvoiceID = inv
	}
	method, _ := text(f["payment_method"], true)
	p.Method = kit.ParseMethod(method)
	p.Sender, _ = text(f["sender_number"], true)
	if p.Status == mfspay.StatusPaid {
		p.TrxID, _ = text(f["transaction_id"], true)
		if date, ok := text(f["date"], false); ok {
			if t, err := time.ParseInLocation(dateLayout, date, bangladeshTime); err == nil {
				p.PaidAt = t
			}
		}
	}
	return p, ""
}

// text reads a JSON string, or with numbers also a number as written
// (PHP panels send some ids as numbers). Absent and null read as "".
func text(raw json.RawMessage, numbers bool) (string, bool) {
	if isNull(raw) {
		return "", true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if numbers && json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// amount reads a money value exactly, whether sent as a string ("100.00")
// or as a number (100.5), never through float64.
func amount(raw json.RawMessage) (mfspay.Amount, bool) {
	var a mfspay.Amount
	if raw[0] != '"' && (raw[0] < '0' || raw[0] > '9') {
		return 0, false
	}
	return a, a.UnmarshalJSON(raw) == nil
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// decodeObject reads body as exactly one JSON object, keeping values raw
// so that numbers are read exactly later.
func decodeObject(body []byte) (map[string]json.RawMessage, bool) {
	var f map[string]json.RawMessage
	if err := json.Unmarshal(body, &f); err != nil || f == nil {
		return nil, false
	}
	return f, true
}

// unusable reports a 2xx answer to a read that cannot be used: the
// provider is misbehaving, and a retry would read the same.
func unusable(op string, resp *kit.HTTPResponse, why string) *mfspay.Error {
	return &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: ProviderName, Op: op,
		HTTPStatus: resp.StatusCode, Message: "malformed response: " + why}
}
