package wezopay

import (
	"net/http"
	"slices"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

const (
	// ProviderName is the name the adapter reports from Provider.
	ProviderName = "wezopay"
	// DefaultBaseURL is WezoPay's documented API base.
	DefaultBaseURL = "https://wezopay.com/api/v1"
	// SignatureHeader carries the hex HMAC-SHA256 of a webhook's raw body.
	SignatureHeader = "X-WezoPay-Signature"
)

// The names FromSettings reads.
const (
	SettingBaseURL        = "base_url"
	SettingAPIKey         = "api_key"
	SettingWebhookSecrets = "webhook_secrets"
)

// Config configures a WezoPay gateway.
type Config struct {
	// BaseURL is the API base; empty means DefaultBaseURL.
	BaseURL string
	// APIKey is the merchant's key ("wpk_…"), sent as X-API-Key. Required.
	APIKey string
	// WebhookSecrets verify incoming webhooks. Any of them is accepted, so
	// a secret can be rotated without rejecting webhooks in flight. With
	// none, every webhook fails authentication.
	WebhookSecrets []string
	// Resilience configures retries and the circuit breaker.
	Resilience mfspay.Resilience
}

// driver is the WezoPay driver; New wraps it in the portable layer.
type driver struct {
	base, pages string // the API base without a trailing slash; scheme://host of the hosted pages
	http        *kit.HTTPClient
	verifier    *kit.HMACSHA256Verifier
	noSecret    bool
	// The headers of a read and of a request with a body, built once and
	// never modified (the client copies them).
	readHeader, jsonHeader http.Header
}

// New returns a WezoPay gateway with payment-safe retries and a circuit
// breaker. A bad Config is an ErrInvalidRequest naming the field.
func New(cfg Config) (mfspay.Gateway, error) { return kit.NewGateway(NewDriver, cfg, cfg.Resilience) }

// FromSettings is New for plugins and the conformance suite: "base_url"
// (optional), "api_key" (required) and "webhook_secrets" (comma-separated;
// spaces around each are ignored). Other keys are ignored.
func FromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
	return New(configFromSettings(settings, r))
}

// NewDriver returns the WezoPay driver alone, for a plugin to serve (the
// host applies the portable layer). cfg.Resilience configures its HTTP
// client; its Breaker is not used.
func NewDriver(cfg Config) (mfspay.Driver, error) {
	if cfg.APIKey == "" || strings.ContainsFunc(cfg.APIKey, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return nil, kit.Invalid(ProviderName, "configure", SettingAPIKey, "is required, printable ASCII without spaces")
	}
	base, u, err := kit.ParseBaseURL(ProviderName, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	read := http.Header{"X-Api-Key": {cfg.APIKey}, "Accept": {"application/json"}}
	withJSON := read.Clone()
	withJSON.Set("Content-Type", "application/json")
	return &driver{
		base:       base,
		pages:      u.Scheme + "://" + u.Host,
		http:       kit.NewClient(ProviderName, cfg.Resilience, append([]string{cfg.APIKey}, cfg.WebhookSecrets...)...),
		verifier:   kit.NewHMACSHA256Verifier(cfg.WebhookSecrets),
		noSecret:   !slices.ContainsFunc(cfg.WebhookSecrets, func(s string) bool { return s != "" }),
		readHeader: read,
		jsonHeader: withJSON,
	}, nil
}

// DriverFromSettings is NewDriver from the settings FromSettings reads:
// what a plugin's ServeConfig.Factory is.
func DriverFromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Driver, error) {
	return NewDriver(configFromSettings(settings, r))
}

func configFromSettings(settings map[string]string, r mfspay.Resilience) Config {
	return Config{
		BaseURL:        strings.TrimSpace(settings[SettingBaseURL]),
		APIKey:         settings[SettingAPIKey],
		WebhookSecrets: kit.SettingList(settings[SettingWebhookSecrets]),
		Resilience:     r,
	}
}

// Provider returns ProviderName.
func (d *driver) Provider() string { return ProviderName }

// Capabilities: verify by invoice or token, a list by status of at most
// 100 a page, signed webhooks, five statuses each announced by its event.
// Built once, as the layer reads them on every call: the slices are shared
// and only ever read.
func (d *driver) Capabilities() mfspay.Capabilities { return capabilities }

var capabilities = mfspay.Capabilities{
	VerifyByInvoice: true, VerifyByPaymentID: true, List: true, ListByStatus: true, MaxPerPage: 100,
	Webhook: mfspay.WebhookHMACSHA256,
	EventTypes: []mfspay.EventType{mfspay.EventPaymentPending, mfspay.EventPaymentCompleted,
		mfspay.EventPaymentFailed, mfspay.EventPaymentCancelled, mfspay.EventPaymentExpired},
	Statuses: []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed,
		mfspay.StatusCancelled, mfspay.StatusExpired},
}
