package bkash

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// The Code of the mfspay.ErrNoEvent that ParseNotification answers for an
// authentic SNS message that is not a notification: the subscription was
// confirmed (or its end acknowledged) and there is no event to deliver.
// webhook.Handler answers such messages 200.
const (
	CodeSubscriptionConfirmed   = kit.CodeSNSSubscriptionConfirmed
	CodeUnsubscribeConfirmation = kit.CodeSNSUnsubscribeConfirmation
)

// opWebhook names notification parsing in errors.
const opWebhook = "webhook"

// ParseNotification authenticates an SNS message (kit.SNSVerifier) and
// only then reads it (see "Notifications" in the package doc).
func (d *driver) ParseNotification(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	m, err := d.sns.Notification(ctx, req)
	if err != nil {
		return nil, err
	}
	// transactionReference is not read: the customer types it in the app.
	var n struct {
		DateTime, DebitMSISDN, TrxID, TransactionStatus, Currency, MerchantInvoiceNumber string
		Amount                                                                           mfspay.Amount
	}
	switch {
	case json.Unmarshal([]byte(m.Message), &n) != nil:
		return nil, kit.Invalid(ProviderName, opWebhook, "Message", "is not the bKash notification JSON")
	case n.TransactionStatus != "Completed":
		return nil, kit.Invalid(ProviderName, opWebhook, "transactionStatus", "is not Completed")
	case n.Amount <= 0 || n.TrxID == "" || n.Currency != "BDT":
		return nil, kit.Invalid(ProviderName, opWebhook, "Message", "lacks a positive BDT amount or a trxID")
	}
	if len(n.DebitMSISDN) == 13 && strings.HasPrefix(n.DebitMSISDN, "8801") {
		n.DebitMSISDN = n.DebitMSISDN[2:]
	}
	return &mfspay.Event{ID: m.MessageId, Provider: ProviderName, Type: mfspay.EventTransactionReceived,
		Reference: n.MerchantInvoiceNumber,
		Payment: mfspay.Payment{Provider: ProviderName, Status: mfspay.StatusPaid, Amount: n.Amount, TrxID: n.TrxID,
			Method: mfspay.MethodBKash, Sender: n.DebitMSISDN, PaidAt: parseTime(n.DateTime)}}, nil
}
