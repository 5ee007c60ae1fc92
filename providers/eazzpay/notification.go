package eazzpay

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// ipnStatuses is the exact table of IPN statuses. Anything else, other
// spellings and letter cases included, is refused: no neutral event says
// "unknown", and refusing is the only answer never mistaken for a payment.
var ipnStatuses = map[string]mfspay.Status{
	"COMPLETED": mfspay.StatusPaid,
	"PENDING":   mfspay.StatusPending,
	"FAILED":    mfspay.StatusFailed,
	"CANCELED":  mfspay.StatusCancelled, // EazzPay spells it with one L.
}

// wallets maps the documented mfs_payment_method values.
var wallets = map[string]mfspay.Method{
	"BKASH": mfspay.MethodBKash, "ROCKET": mfspay.MethodRocket, "NAGAD": mfspay.MethodNagad, "UPAY": mfspay.MethodUpay,
	"CELLFIN": mfspay.MethodCellfin, "TAP": mfspay.MethodTap, "OK_WALLET": mfspay.MethodOKWallet, "IPAY": mfspay.MethodIPay,
}

// ipn is the IPN body, mobile banking and bank alike, as far as the
// adapter reads it. Money is read exactly by mfspay.Amount.
type ipn struct {
	PaymentID     string         `json:"payment_id"`
	Amount        *mfspay.Amount `json:"amount"`
	Metadata      string         `json:"metadata"`
	PaymentMethod string         `json:"payment_method"`
	Wallet        string         `json:"mfs_payment_method"`
	Status        string         `json:"status"`
}

// listener is the webhook-listener body: money that reached the merchant's
// wallet. Its amount is a string, its date_time Bangladesh time.
type listener struct {
	Amount        *mfspay.Amount `json:"amount"`
	PaymentMethod string         `json:"payment_method"`
	SenderNumber  string         `json:"sender_number"`
	TransactionID string         `json:"transaction_id"`
	Reference     string         `json:"reference"`
	DateTime      string         `json:"date_time"`
}

// ParseNotification authenticates a notification by its
// eazzpay-client-secret header and only then reads the body: an IPN (it
// holds payment_id) becomes a payment.* event, a webhook-listener
// notification (transaction_id) a transaction.received event.
func (d *driver) ParseNotification(_ context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	var got []string // the header under any spelling of its name: a hand-built map may not be canonical
	for k, v := range req.Header {
		if strings.EqualFold(k, SecretHeader) {
			got = append(got, v...)
		}
	}
	if len(got) != 1 || !kit.CheckSharedSecret(got[0], d.secrets) {
		return nil, &mfspay.Error{Kind: mfspay.ErrInvalidSignature, Provider: ProviderName, Op: "webhook",
			Message: "the " + SecretHeader + " header is missing or matches no configured secret"}
	}
	var kind struct { // a member's presence, null included, tells the body
		PaymentID     json.RawMessage `json:"payment_id"`
		TransactionID json.RawMessage `json:"transaction_id"`
	}
	if err := decode(req.Body, &kind); err != nil {
		return nil, err
	}
	switch {
	case kind.PaymentID != nil:
		return parseIPN(req.Body, req.Query)
	case kind.TransactionID != nil:
		return parseListener(req.Body)
	}
	return nil, invalid("", "the body is neither an IPN (payment_id) nor a webhook-listener notification (transaction_id)")
}

// parseIPN reads a payment's status. Identity, money, status and invoice
// are strict; a wallet EazzPay adds later is MethodUnknown rather than a
// refused notification about real money.
func parseIPN(body []byte, query url.Values) (*mfspay.Event, error) {
	var n ipn
	if err := decode(body, &n); err != nil {
		return nil, err
	}
	status, known := ipnStatuses[n.Status]
	switch {
	case n.PaymentID == "":
		return nil, invalid("payment_id", "is required")
	case n.Amount == nil:
		return nil, invalid("amount", "is required")
	case !known:
		return nil, invalid("status", "is not a documented IPN status (COMPLETED, PENDING, FAILED, CANCELED)")
	}
	method := mfspay.MethodUnknown // until the customer chose: a pending or cancelled payment
	switch n.PaymentMethod {
	case "":
	case "BANK":
		method = mfspay.MethodBank
	case "MOBILE_BANKING":
		if m, ok := wallets[n.Wallet]; ok {
			method = m
		}
	default:
		return nil, invalid("payment_method", "must be MOBILE_BANKING or BANK")
	}
	invoiceID, err := ipnInvoiceID(n.Metadata, query["invoice_id"])
	if err != nil {
		return nil, err
	}
	return kit.EventFor(ProviderName, "eazzpay:ipn:"+n.PaymentID+":"+n.Status, mfspay.Payment{
		PaymentID: n.PaymentID, InvoiceID: invoiceID, Status: status, Amount: *n.Amount, Method: method,
	}), nil
}

// ipnInvoiceID reads the invoice id from ipn_url's invoice_id parameter
// and from the metadata string. Either may be absent (metadata written by
// other software holds none); when both are present they must agree: a
// mismatch means the notification was not made for the order it names.
func ipnInvoiceID(metadataString string, fromQuery []string) (string, error) {
	var md struct {
		InvoiceID string `json:"invoice_id"`
	}
	if kit.DecodeJSON([]byte(metadataString), &md) != nil {
		md.InvoiceID = "" // not written by the adapter
	}
	fromMetadata := md.InvoiceID
	for _, v := range fromQuery {
		if v != fromQuery[0] {
			return "", invalid("invoice_id", "the ipn_url carries conflicting invoice_id parameters")
		}
	}
	switch {
	case len(fromQuery) == 0:
		return fromMetadata, nil
	case fromMetadata != "" && fromMetadata != fromQuery[0]:
		return "", invalid("invoice_id", "the ipn_url parameter and the metadata name different invoices")
	}
	return fromQuery[0], nil
}

// parseListener reads money received. It names no invoice; Reference,
// when the customer gave one, may tie it to an order.
func parseListener(body []byte) (*mfspay.Event, error) {
	var n listener
	if err := decode(body, &n); err != nil {
		return nil, err
	}
	trxLen, refLen := utf8.RuneCountInString(n.TransactionID), utf8.RuneCountInString(n.Reference)
	at, timeErr := time.ParseInLocation("2006-01-02 15:04:05", n.DateTime, kit.BangladeshTime)
	switch {
	case trxLen < 6 || trxLen > 15:
		return nil, invalid("transaction_id", "must be 6 to 15 characters")
	case refLen != 0 && (refLen < 6 || refLen > 15):
		return nil, invalid("reference", "must be 6 to 15 characters when given")
	case n.Amount == nil:
		return nil, invalid("amount", "is required")
	case n.PaymentMethod == "":
		return nil, invalid("payment_method", "is required")
	case n.SenderNumber == "":
		return nil, invalid("sender_number", "is required")
	case timeErr != nil:
		return nil, invalid("date_time", "must be YYYY-MM-DD HH:mm:ss")
	}
	return &mfspay.Event{
		ID:        "eazzpay:trx:" + n.TransactionID,
		Type:      mfspay.EventTransactionReceived,
		Reference: n.Reference,
		Payment: mfspay.Payment{
			Status: mfspay.StatusPaid, Amount: *n.Amount, TrxID: n.TransactionID,
			Method: kit.ParseMethod(n.PaymentMethod), Sender: n.SenderNumber, PaidAt: at.UTC(),
		},
	}, nil
}

// decode reads a notification body into v (see kit.DecodeJSON); an error
// names the member at fault.
func decode(body []byte, v any) error {
	bad := (*kit.JSONError)(nil)
	switch {
	case !errors.As(kit.DecodeJSON(body, v), &bad):
		return nil
	case bad.Member == "":
		return invalid("", bad.Error())
	}
	return invalid(bad.Member, "is not the documented JSON")
}

// invalid is an authenticated notification that breaks the documented
// rules.
func invalid(field, message string) *mfspay.Error {
	return kit.Invalid(ProviderName, "webhook", field, message)
}
