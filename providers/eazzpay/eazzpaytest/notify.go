package eazzpaytest

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/simkit"
)

// errNotOpen: the payment is no longer INITIATED.
var errNotOpen = errors.New("eazzpaytest: payment can no longer change")

// The demo bank account a BANK payment reports.
const (
	demoBankName    = "Demo Bank PLC"
	demoBranchName  = "Motijheel"
	demoAccountType = "PERSONAL"
)

// bangladeshTime is UTC+6 all year; the listener's date_time is in it.
var bangladeshTime = time.FixedZone("BST", 6*60*60)

// complete marks the payment COMPLETED with what the customer entered and
// sends its IPN and, for a wallet, the webhook-listener notification.
func (s *Server) complete(id, method, sender, trxID string) (simkit.Payment, error) {
	now := s.now()
	p, err := s.store.Update(id, func(p *simkit.Payment) error {
		if p.Status != StatusInitiated {
			return errNotOpen
		}
		p.Status, p.Method, p.Sender, p.TrxID = StatusCompleted, method, sender, trxID
		p.PaidAt, p.UpdatedAt = now, now
		if method == PaymentMethodBank {
			p.Extra[extraBank] = demoBankName
		} else {
			p.Extra[extraAccount] = demoAccountType
		}
		return nil
	})
	if err != nil {
		return p, err
	}
	s.sendIPN(p)
	if method != PaymentMethodBank {
		s.sendListener(p)
	}
	return p, nil
}

// finish moves an open payment to a final status without payment and
// sends its IPN.
func (s *Server) finish(id, status string) (simkit.Payment, error) {
	now := s.now()
	p, err := s.store.Update(id, func(p *simkit.Payment) error {
		if p.Status != StatusInitiated {
			return errNotOpen
		}
		p.Status, p.UpdatedAt = status, now
		return nil
	})
	if err != nil {
		return p, err
	}
	s.sendIPN(p)
	return p, nil
}

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

// sendIPN sends the documented IPN to ipn_url with ipn_method.
func (s *Server) sendIPN(p simkit.Payment) {
	fee := transactionFee(p.Amount)
	body := ipnBody{
		PaymentID:      p.ID,
		Reference:      p.Extra[extraReference],
		Amount:         p.Amount.Number(),
		TransactionFee: fee.Number(),
		Total:          (p.Amount + fee).Number(), // initiate refused amounts whose total overflows.
		Metadata:       p.Extra[extraMetadata],
		Status:         p.Status,
	}
	switch {
	case p.Method == PaymentMethodBank:
		body.PaymentMethod = PaymentMethodBank
		body.AccountName = p.CustomerName
		body.AccountNumber = p.Sender
		body.BranchName = demoBranchName
		body.BankName = p.Extra[extraBank]
	case p.Method != "":
		body.PaymentMethod = PaymentMethodMobileBanking
		body.MFSPaymentMethod = p.Method
		body.MFSPaymentAccountType = p.Extra[extraAccount]
	}
	s.send(p.ID, p.Extra[extraIPNMethod], p.WebhookURL, body)
}

// sendListener sends the webhook-listener notification for the money
// received to the merchant webhook URL.
func (s *Server) sendListener(p simkit.Payment) {
	body := listenerBody{
		Amount:        p.Amount.String(),
		PaymentMethod: p.Method,
		SenderNumber:  p.Sender,
		TransactionID: p.TrxID,
		DateTime:      p.PaidAt.In(bangladeshTime).Format("2006-01-02 15:04:05"),
	}
	if n := len(p.InvoiceID); n >= 6 && n <= 15 {
		body.Reference = p.InvoiceID
	}
	s.send(p.ID, http.MethodPost, s.webhookURL, body)
}

func (s *Server) send(paymentID, method, url string, body any) {
	b, _ := json.Marshal(body) // the bodies hold only strings and json.Numbers.
	s.notifier.Send(simkit.Notification{
		PaymentID: paymentID,
		Method:    method,
		URL:       url,
		Header: http.Header{
			"Content-Type":                        {"application/json"},
			"Accept":                              {"application/json"},
			"User-Agent":                          {"EazzPay-Webhook/1.0"},
			http.CanonicalHeaderKey(SecretHeader): {s.secret},
		},
		Body: b,
	})
}
