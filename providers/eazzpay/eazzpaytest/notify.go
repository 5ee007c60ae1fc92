package eazzpaytest

import (
	"encoding/json"
	"math"
	"net/http"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

// The demo bank account a BANK payment reports, and the account type of
// every wallet.
const (
	demoBankName    = "Demo Bank PLC"
	demoBranchName  = "Motijheel"
	demoAccountType = "PERSONAL"
)

// transactionFee is 1.85% of a non-negative amount, rounded down to the
// poisha. Splitting a into whole ten-thousands and the rest keeps every
// product below 185*a/10000 + 185*9999, so no amount can overflow it, and the
// result is exactly floor(a*185/10000).
func transactionFee(a mfspay.Amount) mfspay.Amount {
	return a/10000*185 + a%10000*185/10000
}

// total is the amount plus its fee; ok is false when that is more than an
// Amount holds, which initiate refuses.
func total(a mfspay.Amount) (mfspay.Amount, bool) {
	fee := transactionFee(a)
	return a + fee, a <= math.MaxInt64-fee
}

// announce sends the IPN for p's status to ipn_url with ipn_method and, for
// a wallet payment completed, the webhook-listener notification for the
// money to the merchant webhook URL.
func (s *Server) announce(_ *simkit.Server, p simkit.Payment) {
	fee := transactionFee(p.Amount)
	sum, _ := total(p.Amount) // initiate refused amounts whose total overflows.
	ipn := ipnBody{
		PaymentID:      p.ID,
		Reference:      p.Extra[extraReference],
		Amount:         p.Amount.Number(),
		TransactionFee: fee.Number(),
		Total:          sum.Number(),
		Metadata:       p.Extra[extraMetadata],
		Status:         p.Status,
	}
	switch p.Method {
	case "":
	case PaymentMethodBank:
		ipn.PaymentMethod, ipn.AccountName, ipn.AccountNumber = PaymentMethodBank, p.CustomerName, p.Sender
		ipn.BranchName, ipn.BankName = demoBranchName, demoBankName
	default:
		ipn.PaymentMethod, ipn.MFSPaymentMethod, ipn.MFSPaymentAccountType = PaymentMethodMobileBanking, p.Method, demoAccountType
	}
	s.send(p.ID, p.Extra[extraIPNMethod], p.WebhookURL, ipn)
	if p.Status != StatusCompleted || p.Method == PaymentMethodBank {
		return
	}
	listener := listenerBody{
		Amount:        p.Amount.String(),
		PaymentMethod: p.Method,
		SenderNumber:  p.Sender,
		TransactionID: p.TrxID,
		DateTime:      p.PaidAt.In(kit.BangladeshTime).Format("2006-01-02 15:04:05"),
	}
	if n := len(p.InvoiceID); n >= 6 && n <= 15 { // the documented reference length
		listener.Reference = p.InvoiceID
	}
	s.send(p.ID, http.MethodPost, s.webhookURL, listener)
}

// send records and delivers one notification, carrying the client secret
// as EazzPay's only authentication.
func (s *Server) send(paymentID, method, url string, body any) {
	b, _ := json.Marshal(body) // the bodies hold only strings and json.Numbers.
	s.Notifier.Send(simkit.Notification{PaymentID: paymentID, Method: method, URL: url, Body: b, Header: http.Header{
		"Content-Type": {"application/json"},
		"Accept":       {"application/json"},
		"User-Agent":   {"EazzPay-Webhook/1.0"},
		SecretHeader:   {s.secret},
	}})
}
