package eazzpay

import (
	"context"
	"net/http"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// ProviderName is the name the adapter reports from Provider.
const ProviderName = "eazzpay"

// DefaultBaseURL is EazzPay's live API base.
const DefaultBaseURL = "https://pay.eazzpay.com/api/v1"

// SandboxBaseURL is EazzPay's sandbox API base.
const SandboxBaseURL = "https://sandbox.eazzpay.com/api/v1"

// SecretHeader carries the merchant's API key on requests to EazzPay and on
// every notification EazzPay sends back.
const SecretHeader = "eazzpay-client-secret"

// Config configures an EazzPay gateway.
type Config struct {
	// BaseURL is the API base from the merchant dashboard; empty means
	// DefaultBaseURL.
	BaseURL string
	// ClientSecret is the merchant's API key. It authenticates requests and
	// is the secret incoming notifications must carry.
	ClientSecret string
	// AcceptedSecrets are extra secrets accepted on incoming notifications,
	// so that a key can be rotated without rejecting notifications in flight.
	AcceptedSecrets []string
	// Resilience configures retries and the circuit breaker.
	Resilience mfspay.Resilience
}

// driver is the EazzPay driver; New wraps it in the portable layer.
type driver struct {
	base    string
	header  http.Header // of every request, built once and never modified
	secrets []string    // every secret accepted on notifications
	http    *kit.HTTPClient
}

// New returns an EazzPay gateway with retries and a circuit breaker.
func New(cfg Config) (mfspay.Gateway, error) { return kit.NewGateway(NewDriver, cfg, cfg.Resilience) }

// NewDriver returns the EazzPay driver alone, for a plugin to serve (the
// host applies the portable layer). cfg.Resilience configures its HTTP
// client; its Breaker is not used.
func NewDriver(cfg Config) (mfspay.Driver, error) {
	if cfg.ClientSecret == "" || strings.TrimSpace(cfg.ClientSecret) != cfg.ClientSecret {
		return nil, kit.Invalid(ProviderName, "configure", "client_secret", "is required, without surrounding spaces")
	}
	base, _, err := kit.ParseBaseURL(ProviderName, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	secrets := append([]string{cfg.ClientSecret}, cfg.AcceptedSecrets...)
	return &driver{
		base: base,
		header: http.Header{
			"Content-Type": {"application/json"},
			"Accept":       {"application/json"},
			SecretHeader:   {cfg.ClientSecret},
		},
		secrets: secrets,
		http:    kit.NewClient(ProviderName, cfg.Resilience, secrets...),
	}, nil
}

// settingsConfig is the Config that string settings describe.
func settingsConfig(settings map[string]string, r mfspay.Resilience) Config {
	return Config{
		BaseURL:         settings["base_url"],
		ClientSecret:    settings["client_secret"],
		AcceptedSecrets: kit.SettingList(settings["accepted_secrets"]),
		Resilience:      r,
	}
}

// DriverFromSettings is NewDriver from the settings FromSettings reads:
// what a plugin's ServeConfig.Factory is.
func DriverFromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Driver, error) {
	return NewDriver(settingsConfig(settings, r))
}

// FromSettings is New from string settings, as plugins and the
// conformance suite build gateways: "base_url" (optional), "client_secret"
// (required) and "accepted_secrets" (optional, comma-separated).
func FromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
	return New(settingsConfig(settings, r))
}

// Provider returns ProviderName.
func (d *driver) Provider() string { return ProviderName }

// Capabilities: EazzPay documents neither a lookup nor a list, so the
// layer answers those ErrUnsupported itself; it notifies a payment's
// pending, completed, failed and cancelled states (an expiry comes as
// FAILED) and money received, with a shared-secret header. Built once, as
// the layer reads them on every call: the slices are shared, only read.
func (d *driver) Capabilities() mfspay.Capabilities { return capabilities }

var capabilities = mfspay.Capabilities{
	Webhook: mfspay.WebhookSharedSecret,
	EventTypes: []mfspay.EventType{mfspay.EventPaymentPending, mfspay.EventPaymentCompleted, mfspay.EventPaymentFailed,
		mfspay.EventPaymentCancelled, mfspay.EventTransactionReceived},
	Statuses: []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed, mfspay.StatusCancelled},
}

// Verify is never called: the capabilities declare no lookup.
func (d *driver) Verify(context.Context, mfspay.PaymentRef) (*mfspay.Payment, error) {
	return nil, kit.Unsupported(ProviderName, mfspay.OpVerify)
}

// List is never called: the capabilities declare no list.
func (d *driver) List(context.Context, mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return nil, kit.Unsupported(ProviderName, mfspay.OpList)
}
