package nodipaytest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// The setting names of package nodipay's FromSettings.
const (
	settingBaseURL        = "base_url"
	settingAPIKey         = "api_key"
	settingWebhookSecrets = "webhook_secrets"
)

var _ simctl.Controller = (*Server)(nil)

func errNoPayment(id string) error { return fmt.Errorf("nodipaytest: no payment %q", id) }

// Settings returns the settings of a gateway against this server: its API
// base, key and webhook secrets; BadCredentials carry a key it refuses.
func (s *Server) Settings(context.Context) (simctl.Settings, error) {
	good := map[string]string{
		settingBaseURL:        s.URL + "/v1",
		settingAPIKey:         s.apiKey,
		settingWebhookSecrets: strings.Join(s.secrets, ","),
	}
	bad := map[string]string{
		settingBaseURL:        good[settingBaseURL],
		settingAPIKey:         s.badKey,
		settingWebhookSecrets: good[settingWebhookSecrets],
	}
	secrets := append([]string{s.apiKey, s.badKey}, s.secrets...)
	return simctl.Settings{Values: good, BadCredentials: bad, Secrets: secrets}, nil
}

// Pay completes the payment as the customer would on the checkout page. An
// empty Method pays with bKash; an empty Sender or TrxID is made up.
func (s *Server) Pay(_ context.Context, paymentID string, p simctl.Payer) error {
	if p.Method == "" || p.Method == mfspay.MethodUnknown {
		p.Method = mfspay.MethodBKash
	}
	if p.Sender == "" {
		p.Sender = "01700000000"
	}
	if p.TrxID == "" {
		p.TrxID = strings.ToUpper("NP" + randomHex(5))
	}
	return s.transition(paymentID, statusSucceeded, p)
}

// Cancel cancels the payment as the customer would on the checkout page.
func (s *Server) Cancel(_ context.Context, paymentID string) error {
	return s.transition(paymentID, statusAbandoned, simctl.Payer{})
}

// Expire makes the payment lapse now.
func (s *Server) Expire(_ context.Context, paymentID string) error {
	return s.transition(paymentID, statusLapsed, simctl.Payer{})
}

// Decline makes the wallet refuse the payment, which NodiPay announces as
// payment.declined. It is not part of simctl.Controller.
func (s *Server) Decline(_ context.Context, paymentID string) error {
	return s.transition(paymentID, statusDeclined, simctl.Payer{})
}

// transition moves an open payment to a final status.
func (s *Server) transition(paymentID, status string, payer simctl.Payer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.byID[paymentID]
	if p == nil {
		return errNoPayment(paymentID)
	}
	s.settle(p)
	if p.status != statusOpen {
		return fmt.Errorf("nodipaytest: payment %s is %s, not open", paymentID, p.status)
	}
	if status == statusSucceeded {
		p.wallet, p.walletNumber, p.trxID = string(payer.Method), payer.Sender, payer.TrxID
		p.paidAt = s.now().UTC()
	}
	s.finish(p, status)
	return nil
}

// Fail makes the next f.Count API requests fail as f describes.
func (s *Server) Fail(_ context.Context, f simctl.Fault) error {
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		return errors.New("nodipaytest: a fault's Status must be an HTTP status code")
	}
	if f.Count < 0 || f.Delay < 0 || f.RetryAfter < 0 {
		return errors.New("nodipaytest: a fault's Count, Delay and RetryAfter must not be negative")
	}
	s.faults.add(f)
	return nil
}

// ClearFaults drops every pending fault.
func (s *Server) ClearFaults(context.Context) error {
	s.faults.clear()
	return nil
}

// RequestCount is how many API requests arrived, faulted ones included and
// checkout pages excluded.
func (s *Server) RequestCount(context.Context) (int, error) { return int(s.requests.Load()), nil }

// PaymentCount is how many payments NodiPay holds for the invoice: at most
// one, since an invoice id names one payment for ever.
func (s *Server) PaymentCount(_ context.Context, invoiceID string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.payments {
		if p.invoiceID == invoiceID {
			n++
		}
	}
	return n, nil
}
