package wezopaytest

import (
	"context"
	"fmt"
	"maps"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/simkit"
)

var _ simctl.Controller = (*Server)(nil)

// The setting names of the WezoPay adapter, as Settings fills them.
const (
	SettingBaseURL        = "base_url"
	SettingAPIKey         = "api_key"
	SettingWebhookSecrets = "webhook_secrets"
)

// Settings returns the adapter settings for this server: base_url,
// api_key and webhook_secrets, plus the same with an api_key it rejects.
func (s *Server) Settings(context.Context) (simctl.Settings, error) {
	values := s.SettingsMap()
	bad := maps.Clone(values)
	bad[SettingAPIKey] = s.badKey
	secrets := []string{s.readOnlyKey, s.badKey, s.webhookSecret}
	for k := range s.apiKeys {
		secrets = append(secrets, k)
	}
	return simctl.Settings{Values: values, BadCredentials: bad, Secrets: secrets}, nil
}

// SettingsMap returns the settings wezopay.FromSettings takes to talk to
// this server.
func (s *Server) SettingsMap() map[string]string {
	return map[string]string{
		SettingBaseURL:        s.BaseURL(),
		SettingAPIKey:         s.apiKey,
		SettingWebhookSecrets: s.webhookSecret,
	}
}

// Pay completes the payment as the customer would on the hosted page. A
// zero Method means bKash; an empty Sender or TrxID gets a made-up one.
func (s *Server) Pay(_ context.Context, paymentID string, p simctl.Payer) error {
	payer := payerInfo{method: string(p.Method), sender: p.Sender, trxID: p.TrxID}
	if p.Method == "" || p.Method == mfspay.MethodUnknown {
		payer.method = string(mfspay.MethodBKash)
	}
	if payer.sender == "" {
		payer.sender = "01700000000"
	}
	if payer.trxID == "" {
		payer.trxID = simkit.NewID("TRX", 5)
	}
	if msg := checkPayer(payer.method, payer.sender, payer.trxID); msg != "" {
		return fmt.Errorf("wezopaytest: %s", msg)
	}
	_, err := s.move(paymentID, StatusPaid, &payer)
	return err
}

// Cancel cancels the payment as the customer would on the hosted page.
func (s *Server) Cancel(_ context.Context, paymentID string) error {
	_, err := s.move(paymentID, StatusCancelled, nil)
	return err
}

// Expire makes the pending payment expire now.
func (s *Server) Expire(_ context.Context, paymentID string) error {
	_, err := s.move(paymentID, StatusExpired, nil)
	return err
}

// Notifications returns every webhook produced about the payment, in
// order, as the receiver gets it (headers and raw body).
func (s *Server) Notifications(_ context.Context, paymentID string) ([]mfspay.WebhookRequest, error) {
	notes := s.notifier.Notifications(paymentID)
	out := make([]mfspay.WebhookRequest, 0, len(notes))
	for _, n := range notes {
		out = append(out, mfspay.WebhookRequest{Header: n.Header, Body: n.Body})
	}
	return out, nil
}
