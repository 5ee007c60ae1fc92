package eazzpay

import (
	"encoding/json"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// bangladeshTime is UTC+6 all year: Bangladesh has no daylight saving time.
// A fixed zone avoids depending on the host's tz database.
var bangladeshTime = time.FixedZone("BST", 6*60*60)

// listenerTimeLayout is the documented date_time format, YYYY-MM-DD HH:mm:ss.
const listenerTimeLayout = "2006-01-02 15:04:05"

// parseListener turns an authenticated webhook-listener notification into a
// transaction.received event: money that reached the merchant's wallet. It
// names no invoice; Reference, when the customer gave one, may tie it to an
// order.
func parseListener(fields map[string]json.RawMessage) (*mfspay.Event, error) {
	trxID, err := reqString(fields, "transaction_id")
	if err != nil {
		return nil, err
	}
	if err := checkLen("transaction_id", trxID, 6, 15); err != nil {
		return nil, err
	}
	if err := checkID("transaction_id", trxID); err != nil {
		return nil, err
	}
	reference, err := optString(fields, "reference")
	if err != nil {
		return nil, err
	}
	if reference != "" {
		if err := checkLen("reference", reference, 6, 15); err != nil {
			return nil, err
		}
	}
	amount, err := reqAmount(fields, "amount")
	if err != nil {
		return nil, err
	}
	if amount <= 0 {
		return nil, invalidWebhook("amount", "must be greater than zero")
	}
	wallet, err := reqString(fields, "payment_method")
	if err != nil {
		return nil, err
	}
	sender, err := reqString(fields, "sender_number")
	if err != nil {
		return nil, err
	}
	rawTime, err := reqString(fields, "date_time")
	if err != nil {
		return nil, err
	}
	at, err := time.ParseInLocation(listenerTimeLayout, rawTime, bangladeshTime)
	if err != nil {
		return nil, invalidWebhook("date_time", "must be YYYY-MM-DD HH:mm:ss")
	}
	return &mfspay.Event{
		ID:        "eazzpay:trx:" + trxID,
		Provider:  ProviderName,
		Type:      mfspay.EventTransactionReceived,
		Reference: reference,
		Payment: mfspay.Payment{
			Provider: ProviderName,
			Status:   mfspay.StatusPaid,
			Amount:   amount,
			TrxID:    trxID,
			Method:   kit.ParseMethod(wallet),
			Sender:   sender,
			PaidAt:   at.UTC(),
		},
	}, nil
}
