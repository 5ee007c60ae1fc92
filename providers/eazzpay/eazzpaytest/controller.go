package eazzpaytest

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/simkit"
)

var _ simctl.Controller = (*Server)(nil)

// wallets maps neutral methods to EazzPay's names.
var wallets = map[mfspay.Method]string{
	mfspay.MethodBKash: "BKASH", mfspay.MethodNagad: "NAGAD", mfspay.MethodRocket: "ROCKET",
	mfspay.MethodUpay: "UPAY", mfspay.MethodCellfin: "CELLFIN", mfspay.MethodTap: "TAP",
	mfspay.MethodOKWallet: "OK_WALLET", mfspay.MethodIPay: "IPAY", mfspay.MethodBank: PaymentMethodBank,
}

// Settings returns the settings eazzpay.FromSettings takes, and the same
// with a client secret the server rejects.
func (s *Server) Settings(context.Context) (simctl.Settings, error) {
	return simctl.Settings{
		Values:         map[string]string{"base_url": s.BaseURL(), "client_secret": s.secret},
		BadCredentials: map[string]string{"base_url": s.BaseURL(), "client_secret": s.badSecret},
		Secrets:        []string{s.secret, s.badSecret},
	}, nil
}

// Pay completes the payment as the customer would on the hosted page.
// Defaults: bKash, sender 01711111111, a random 10-character transaction id.
func (s *Server) Pay(_ context.Context, paymentID string, p simctl.Payer) error {
	method := "BKASH"
	if p.Method != "" && p.Method != mfspay.MethodUnknown {
		m, ok := wallets[p.Method]
		if !ok {
			return fmt.Errorf("eazzpaytest: EazzPay offers no %q", p.Method)
		}
		method = m
	}
	sender, trxID := p.Sender, p.TrxID
	if sender == "" {
		sender = "01711111111"
	}
	if trxID == "" {
		trxID = simkit.NewID("TX", 4)
	}
	if msg := checkPayer(method, sender, trxID); msg != "" {
		return errors.New("eazzpaytest: " + msg)
	}
	_, err := s.complete(paymentID, method, sender, trxID)
	return controlError(paymentID, err)
}

// Cancel cancels the payment as the customer would: a CANCELED IPN.
func (s *Server) Cancel(_ context.Context, paymentID string) error {
	_, err := s.finish(paymentID, StatusCanceled)
	return controlError(paymentID, err)
}

// Expire stands for EazzPay giving up on an unpaid payment. EazzPay
// documents no expiry, so the payment becomes FAILED, with a FAILED IPN.
func (s *Server) Expire(_ context.Context, paymentID string) error {
	_, err := s.finish(paymentID, StatusFailed)
	return controlError(paymentID, err)
}

func controlError(paymentID string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, simkit.ErrPaymentNotFound):
		return fmt.Errorf("eazzpaytest: no payment %q", paymentID)
	case errors.Is(err, errNotOpen):
		return fmt.Errorf("eazzpaytest: payment %q is already final", paymentID)
	}
	return err
}

// Notifications returns the IPNs and webhook-listener notifications about
// the payment, oldest first, as a receiver gets them: the query is the one
// of the URL they were sent to.
func (s *Server) Notifications(_ context.Context, paymentID string) ([]mfspay.WebhookRequest, error) {
	notes := s.notifier.Notifications(paymentID)
	out := make([]mfspay.WebhookRequest, 0, len(notes))
	for _, n := range notes {
		req := mfspay.WebhookRequest{Header: n.Header, Query: url.Values{}, Body: n.Body}
		if u, err := url.Parse(n.URL); err == nil {
			req.Query = u.Query()
		}
		out = append(out, req)
	}
	return out, nil
}
