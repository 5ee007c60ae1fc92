package eazzpay

import (
	"encoding/json"
	"net/url"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// ipnStatuses is the exact table of IPN statuses. Anything else, other
// spellings and letter cases included, is StatusUnknown and never paid.
var ipnStatuses = map[string]mfspay.Status{
	"COMPLETED": mfspay.StatusPaid,
	"PENDING":   mfspay.StatusPending,
	"FAILED":    mfspay.StatusFailed,
	"CANCELED":  mfspay.StatusCancelled, // EazzPay spells it with one L.
}

// The documented values of payment_method in an IPN.
const (
	methodMobileBanking = "MOBILE_BANKING"
	methodBank          = "BANK"
)

// mfsMethods maps the documented mfs_payment_method values.
var mfsMethods = map[string]mfspay.Method{
	"BKASH":     mfspay.MethodBKash,
	"ROCKET":    mfspay.MethodRocket,
	"NAGAD":     mfspay.MethodNagad,
	"UPAY":      mfspay.MethodUpay,
	"CELLFIN":   mfspay.MethodCellfin,
	"TAP":       mfspay.MethodTap,
	"OK_WALLET": mfspay.MethodOKWallet,
	"IPAY":      mfspay.MethodIPay,
}

// parseIPN turns an authenticated IPN into a payment.* event.
//
// The identity and money fields are strict: payment_id, amount, status and
// the invoice id decide what the merchant does with an order. The
// descriptive fields are lenient: a wallet EazzPay adds later is
// MethodUnknown rather than a rejected notification about real money.
func parseIPN(fields map[string]json.RawMessage, query url.Values) (*mfspay.Event, error) {
	paymentID, err := reqString(fields, "payment_id")
	if err != nil {
		return nil, err
	}
	if err := checkID("payment_id", paymentID); err != nil {
		return nil, err
	}
	amount, err := reqAmount(fields, "amount")
	if err != nil {
		return nil, err
	}
	if amount <= 0 {
		return nil, invalidWebhook("amount", "must be greater than zero")
	}
	for _, name := range []string{"transaction_fee", "total"} {
		if _, _, err := optAmount(fields, name); err != nil {
			return nil, err
		}
	}
	if _, err := optString(fields, "reference"); err != nil {
		return nil, err
	}
	rawStatus, err := reqString(fields, "status")
	if err != nil {
		return nil, err
	}
	status := kit.MapStatus(ipnStatuses, rawStatus)
	eventType, ok := mfspay.EventTypeFor(status)
	if !ok {
		// No neutral event says "unknown": refusing it is the only answer
		// that cannot be mistaken for a payment.
		return nil, invalidWebhook("status", "is not a documented IPN status (COMPLETED, PENDING, FAILED, CANCELED)")
	}
	method, err := ipnMethod(fields)
	if err != nil {
		return nil, err
	}
	invoiceID, err := ipnInvoiceID(fields, query)
	if err != nil {
		return nil, err
	}
	return &mfspay.Event{
		ID:       "eazzpay:ipn:" + paymentID + ":" + rawStatus,
		Provider: ProviderName,
		Type:     eventType,
		Payment: mfspay.Payment{
			Provider:  ProviderName,
			PaymentID: paymentID,
			InvoiceID: invoiceID,
			Status:    status,
			Amount:    amount,
			Method:    method,
		},
	}, nil
}

// ipnMethod reads payment_method and, for mobile banking, the wallet.
func ipnMethod(fields map[string]json.RawMessage) (mfspay.Method, error) {
	pm, err := optString(fields, "payment_method")
	if err != nil {
		return "", err
	}
	for _, name := range []string{"mfs_payment_method", "mfs_payment_account_type",
		"account_name", "account_number", "branch_name", "bank_name"} {
		if _, err := optString(fields, name); err != nil {
			return "", err
		}
	}
	switch pm {
	case "":
		return mfspay.MethodUnknown, nil // not chosen yet (a pending or cancelled payment).
	case methodBank:
		return mfspay.MethodBank, nil
	case methodMobileBanking:
		wallet, _ := optString(fields, "mfs_payment_method")
		if m, ok := mfsMethods[wallet]; ok {
			return m, nil
		}
		return mfspay.MethodUnknown, nil
	}
	return "", invalidWebhook("payment_method", "must be MOBILE_BANKING or BANK")
}

// ipnInvoiceID reads the invoice id from the ipn_url's invoice_id parameter
// and from the metadata string. Either may be absent; when both are present
// they must agree, because a mismatch means the notification was not made
// for the order it names.
func ipnInvoiceID(fields map[string]json.RawMessage, query url.Values) (string, error) {
	metadata, err := optString(fields, "metadata")
	if err != nil {
		return "", err
	}
	fromMetadata := invoiceFromMetadata(metadata)
	fromQuery := ""
	if vals := query["invoice_id"]; len(vals) > 0 {
		for _, v := range vals[1:] {
			if v != vals[0] {
				return "", invalidWebhook("invoice_id", "the ipn_url carries conflicting invoice_id parameters")
			}
		}
		fromQuery = vals[0]
	}
	for _, id := range []string{fromQuery, fromMetadata} {
		if id != "" && (mfspay.PaymentRef{InvoiceID: id}).Validate() != nil {
			return "", invalidWebhook("invoice_id", "is not an invoice id")
		}
	}
	if fromQuery != "" && fromMetadata != "" && fromQuery != fromMetadata {
		return "", invalidWebhook("invoice_id", "the ipn_url parameter and the metadata name different invoices")
	}
	if fromQuery != "" {
		return fromQuery, nil
	}
	return fromMetadata, nil
}
