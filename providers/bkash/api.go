package bkash

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// answer is every field the adapter reads from any bKash answer. Amounts
// are read exactly (mfspay.Amount takes the strings bKash sends).
type answer struct {
	StatusCode    string  `json:"statusCode"`
	StatusMessage string  `json:"statusMessage"`
	ErrorCode     string  `json:"errorCode"`
	ErrorMessage  string  `json:"errorMessage"`
	Message       *string `json:"message"` // the AWS API Gateway in front of bKash

	IDToken      string      `json:"id_token"`
	RefreshToken string      `json:"refresh_token"`
	ExpiresIn    json.Number `json:"expires_in"`

	PaymentID              string        `json:"paymentID"`
	BkashURL               string        `json:"bkashURL"`
	TrxID                  string        `json:"trxID"`
	TransactionStatus      string        `json:"transactionStatus"`
	VerificationStatus     string        `json:"verificationStatus"`
	UserVerificationStatus string        `json:"userVerificationStatus"`
	Amount                 mfspay.Amount `json:"amount"`
	Currency               string        `json:"currency"`
	MerchantInvoice        string        `json:"merchantInvoice"`
	MerchantInvoiceNumber  string        `json:"merchantInvoiceNumber"`
	PaymentCreateTime      string        `json:"paymentCreateTime"`
	PaymentExecuteTime     string        `json:"paymentExecuteTime"`
	CustomerMsisdn         string        `json:"customerMsisdn"`
	PayerAccount           string        `json:"payerAccount"`
}

// decode reads a JSON object. Raw control characters are blanked first:
// the sandbox answers bad credentials with a raw newline inside a string.
func decode(body []byte) (*answer, bool) {
	clean := bytes.Map(func(r rune) rune {
		if r < 0x20 {
			return ' '
		}
		return r
	}, body)
	var a answer
	if json.Unmarshal(clean, &a) != nil { // a JSON array, string or number does not fit either
		return nil, false
	}
	return &a, true
}

// The query's two transaction states; anything else is StatusUnknown.
var statuses = map[string]mfspay.Status{"Initiated": mfspay.StatusPending, "Completed": mfspay.StatusPaid}

// inTaka says the answer's amount is in BDT, all bKash deals in: an
// amount in anything else is not this merchant's taka. Answers without a
// currency (tokens, errors) pass.
func (a *answer) inTaka() bool { return a.Currency == "" || a.Currency == "BDT" }

func (a *answer) invoice() string { return cmp.Or(a.MerchantInvoice, a.MerchantInvoiceNumber) }

// verified says the customer finished wallet, OTP and PIN.
func (a *answer) verified() bool {
	return cmp.Or(a.VerificationStatus, a.UserVerificationStatus) == "Complete"
}

// payment is the neutral payment an execute or query answer describes.
func (a *answer) payment() mfspay.Payment {
	p := mfspay.Payment{Provider: ProviderName, PaymentID: a.PaymentID, InvoiceID: a.invoice(),
		Status: kit.MapStatus(statuses, a.TransactionStatus), Amount: a.Amount, Method: mfspay.MethodBKash}
	if p.Status == mfspay.StatusPaid {
		p.TrxID, p.Sender, p.PaidAt = a.TrxID, cmp.Or(a.CustomerMsisdn, a.PayerAccount), parseTime(a.PaymentExecuteTime)
	}
	return p
}

// call sends one API request with the token; a read refused for its token
// is sent once more with a fresh one (kit.TokenSource.Call).
func (d *driver) call(ctx context.Context, op, path string, body []byte, read bool) (*kit.HTTPResponse, error) {
	return d.tokens.Call(ctx, read, func(token string) (*kit.HTTPResponse, error) {
		return d.http.Do(ctx, kit.HTTPRequest{Op: op, Method: http.MethodPost, URL: d.base + path, Body: body,
			Idempotent: read, Header: http.Header{"Authorization": {token}, "X-App-Key": {d.cfg.AppKey},
				"Content-Type": {"application/json"}, "Accept": {"application/json"}}})
	})
}

// answer returns a successful answer ("statusCode": "0000"), or the error
// resp amounts to. For a create, an answer that does not say what happened
// is ErrOutcomeUnknown: the payment may exist.
func (d *driver) answer(op string, resp *kit.HTTPResponse) (*answer, error) {
	a, ok := decode(resp.Body)
	unclear := mfspay.ErrUnavailable
	if op == mfspay.OpCreate {
		unclear = mfspay.ErrOutcomeUnknown
	}
	switch {
	case !resp.OK():
		msg := "non-JSON response (" + strconv.Itoa(len(resp.Body)) + " bytes)"
		if ok {
			msg = cmp.Or(text(a.Message), a.StatusMessage, a.ErrorMessage)
		}
		e := d.http.StatusError(op, resp, "", d.redact(msg, a))
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			e.Kind = mfspay.ErrUnauthorized // refused again after a fresh token, or a create's
			if msg == "The incoming token has expired" {
				e.Kind = mfspay.ErrUnavailable // renewed now: nothing happened, try again
			}
		}
		return nil, e
	case !ok:
		return nil, &mfspay.Error{Kind: unclear, Provider: ProviderName, Op: op, HTTPStatus: resp.StatusCode,
			Message: "malformed response: not a JSON object"}
	case !a.inTaka():
		return nil, &mfspay.Error{Kind: unclear, Provider: ProviderName, Op: op, HTTPStatus: resp.StatusCode,
			Message: "malformed response: the currency is not BDT"}
	case a.StatusCode == "0000" || a.StatusCode == "" && a.ErrorCode == "" && a.Message == nil && a.IDToken != "":
		return a, nil
	}
	code := cmp.Or(a.StatusCode, a.ErrorCode)
	kind := codeKind(code)
	if kind == mfspay.ErrUnavailable {
		kind = unclear
	}
	return nil, &mfspay.Error{Kind: kind, Provider: ProviderName, Op: op, HTTPStatus: resp.StatusCode,
		Code:    d.http.Redact(d.redact(code, a)),
		Message: d.http.ErrorText(d.redact(cmp.Or(a.StatusMessage, a.ErrorMessage, text(a.Message), "no statusCode 0000"), a))}
}

// redact scrubs the tokens from bKash's text before it is kept in an
// error: those the cache holds or just replaced, and any in the answer a
// (nil for none). The client scrubs only the credentials, which never
// change; a token is as good as them for its hour.
func (d *driver) redact(s string, a *answer) string {
	secrets := d.tokens.Cache.Secrets()
	if a != nil {
		secrets = append(secrets, a.IDToken, a.RefreshToken)
	}
	return kit.Redact(s, secrets...)
}

// codeKind maps bKash's error table onto the neutral kinds. Anything not
// listed (2003 Process failed, 2020/2024 exceptions, 503 maintenance, the
// unknown) says bKash failed: ErrUnavailable.
func codeKind(code string) error {
	switch code {
	case "2001", "9999":
		return mfspay.ErrUnauthorized
	case "2002", "2033":
		return mfspay.ErrNotFound
	case "2067":
		return mfspay.ErrForbidden
	case "2006", "2007", "2008", "2025", "2029", "2031", "2047", "2048", "2049", "2063", "2064", "2065":
		return mfspay.ErrInvalidRequest
	}
	return mfspay.ErrUnavailable
}

func text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// parseTime reads bKash's timestamps: "2025-11-02T14:29:02:166 GMT+0600"
// (a colon before the milliseconds), the same without an offset, and the
// webhook's "20180419122246". What does not parse is the zero time.
func parseTime(s string) time.Time {
	if len(s) > 20 && s[19] == ':' {
		s = s[:19] + "." + s[20:]
	}
	for _, layout := range []string{"2006-01-02T15:04:05.000 GMT-0700", "2006-01-02T15:04:05.000", "20060102150405"} {
		if t, err := time.ParseInLocation(layout, s, kit.BangladeshTime); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
