package bkashtest

import (
	"encoding/json"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

// notify sends the webhook (Instant Payment Notification) of an executed
// payment: an SNS Notification whose Message is bKash's JSON, the amount
// as the create sent it.
func (s *Server) notify(p simkit.Payment) {
	msg, _ := json.Marshal(map[string]string{"dateTime": p.PaidAt.In(kit.BangladeshTime).Format("20060102150405"),
		"debitMSISDN": "88" + p.Sender, "creditOrganizationName": "bkashtest merchant", "creditShortCode": "ORG001",
		"trxID": p.TrxID, "transactionStatus": "Completed", "transactionType": "10002294", "amount": p.Extra["amount"],
		"currency": "BDT", "merchantInvoiceNumber": p.InvoiceID})
	body, header := s.SNS.Notification(string(msg), s.Now())
	s.Notifier.Send(simkit.Notification{PaymentID: p.ID, URL: s.cfg.listener, Header: header, Body: body})
}

// SubscriptionConfirmation makes the message SNS sends when the merchant's
// endpoint is subscribed to the topic, sends it to the listener when there
// is one, and returns it. Its SubscribeURL, on the SNS host, confirms once
// visited (SNS.Confirmations counts).
func (s *Server) SubscriptionConfirmation() mfspay.WebhookRequest {
	body, header := s.SNS.SubscriptionConfirmation(s.Now())
	s.Notifier.Send(simkit.Notification{URL: s.cfg.listener, Header: header, Body: body})
	return mfspay.WebhookRequest{Header: header, Body: body}
}
