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

// verify's date ("2023-01-07 14:00:50") carries no zone: it is Bangladesh
// time (kit.BangladeshTime).
const dateLayout = "2006-01-02 15:04:05"

// Verify reads one payment by UddoktaPay's invoice_id, the neutral
// PaymentID (the layer refuses lookups by the merchant's invoice).
func (g *gateway) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	return g.verify(ctx, mfspay.OpVerify, ref.PaymentID)
}

// verify calls verify-payment for invoiceID on behalf of op (a verify, a
// notification, a return). A 2xx answer without invoice_id is one of the
// error envelopes; with it, the payment, which must be the one asked for.
func (g *gateway) verify(ctx context.Context, op, invoiceID string) (*mfspay.Payment, error) {
	payload, _ := json.Marshal(map[string]string{"invoice_id": invoiceID}) // strings always encode
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

// parsePayment reads a verify answer, returning why it cannot be used or
// "". Identity and money are strict; descriptive fields lenient, so that a
// wallet or date written differently leaves a field empty rather than a
// real payment unread. Only invoice_id and status are required (the v1 IPN
// had no fee or date).
func parsePayment(f map[string]json.RawMessage) (*mfspay.Payment, string) {
	id, ok := text(f["invoice_id"], false)
	if !ok || (mfspay.PaymentRef{PaymentID: id}).Validate() != nil {
		return nil, "invoice_id is missing or not an id"
	}
	raw, ok := text(f["status"], false)
	if !ok || raw == "" {
		return nil, "status is missing or not a string"
	}
	p := &mfspay.Payment{Provider: ProviderName, PaymentID: id, Status: kit.MapStatus(statuses, raw)}
	if raw := f["amount"]; !isNull(raw) {
		if p.Amount, ok = amount(raw); !ok {
			return nil, "amount is not an amount with at most two decimals"
		}
	}
	var md map[string]json.RawMessage
	if raw := f["metadata"]; !isNull(raw) && json.Unmarshal(raw, &md) != nil {
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
			if t, err := time.ParseInLocation(dateLayout, date, kit.BangladeshTime); err == nil {
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

// amount reads a money value exactly, sent as a string ("100.00") or a
// number (100.5), never through float64; nothing else is money.
func amount(raw json.RawMessage) (a mfspay.Amount, ok bool) {
	return a, (raw[0] == '"' || '0' <= raw[0] && raw[0] <= '9') && a.UnmarshalJSON(raw) == nil
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// decodeObject reads body as exactly one JSON object, keeping values raw
// so that numbers are read exactly later.
func decodeObject(body []byte) (f map[string]json.RawMessage, ok bool) {
	return f, json.Unmarshal(body, &f) == nil && f != nil
}

// unusable reports a 2xx answer to a read that cannot be used: the
// provider is misbehaving, and a retry would read the same.
func unusable(op string, resp *kit.HTTPResponse, why string) *mfspay.Error {
	return &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: ProviderName, Op: op,
		HTTPStatus: resp.StatusCode, Message: "malformed response: " + why}
}
