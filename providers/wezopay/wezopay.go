package wezopay

import (
	"net/http"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// ProviderName is the name the adapter reports from Provider.
const ProviderName = "wezopay"

// DefaultBaseURL is WezoPay's documented API base.
const DefaultBaseURL = "https://wezopay.com/api/v1"

// SignatureHeader carries the hex HMAC-SHA256 of a webhook's raw body.
const SignatureHeader = "X-WezoPay-Signature"

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

// gateway is the WezoPay driver; New wraps it in the portable layer.
type gateway struct {
	base    string // API base without a trailing slash
	pages   string // scheme://host where hosted pages live
	apiKey  string
	secrets []string
	// verifier checks webhook signatures under secrets.
	verifier *kit.HMACSHA256Verifier
	http     *kit.HTTPClient
	// readHeaders and jsonHeaders are what headers returns.
	readHeaders, jsonHeaders http.Header
}

// New returns a WezoPay gateway with payment-safe retries and a circuit
// breaker. A bad Config is an ErrInvalidRequest naming the field.
func New(cfg Config) (mfspay.Gateway, error) {
	d, err := NewDriver(cfg)
	if err != nil {
		return nil, err
	}
	return mfspay.NewGateway(d, cfg.Resilience), nil
}

// NewDriver returns the WezoPay driver alone, for a plugin to serve (the
// host applies the portable layer). cfg.Resilience configures its HTTP
// client; its Breaker is not used.
func NewDriver(cfg Config) (mfspay.Driver, error) {
	return newGateway(cfg)
}

func newGateway(cfg Config) (*gateway, error) {
	const op = "configure"
	if cfg.APIKey == "" {
		return nil, kit.Invalid(ProviderName, op, SettingAPIKey, "is required")
	}
	if !headerSafe(cfg.APIKey) {
		return nil, kit.Invalid(ProviderName, op, SettingAPIKey, "must be printable ASCII without spaces")
	}
	base, u, err := kit.ParseBaseURL(ProviderName, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	var secrets []string
	for _, s := range cfg.WebhookSecrets {
		if s != "" {
			secrets = append(secrets, s)
		}
	}
	readHeaders, jsonHeaders := buildHeaders(cfg.APIKey)
	return &gateway{
		readHeaders: readHeaders,
		jsonHeaders: jsonHeaders,
		base:        base,
		pages:       u.Scheme + "://" + u.Host,
		apiKey:      cfg.APIKey,
		secrets:     secrets,
		verifier:    kit.NewHMACSHA256Verifier(secrets),
		http:        kit.NewClient(ProviderName, cfg.Resilience, append([]string{cfg.APIKey}, secrets...)...),
	}, nil
}

// headerSafe reports whether s can travel in a header unchanged.
func headerSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// FromSettings builds the same gateway as New from string settings:
// "base_url" (optional), "api_key" (required) and "webhook_secrets"
// (comma-separated; spaces around each are ignored). Other keys are
// ignored.
func FromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
	return New(configFromSettings(settings, r))
}

// DriverFromSettings builds the same driver as NewDriver from the settings
// FromSettings reads: what a plugin's ServeConfig.Factory is.
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
func (g *gateway) Provider() string { return ProviderName }

// maxPerPage is WezoPay's documented page-size limit.
const maxPerPage = 100

// Capabilities: verify by invoice or token, list with a status filter, and
// HMAC-SHA256 signed webhooks.
func (g *gateway) Capabilities() mfspay.Capabilities {
	return mfspay.Capabilities{
		VerifyByInvoice:   true,
		VerifyByPaymentID: true,
		List:              true,
		ListByStatus:      true,
		MaxPerPage:        maxPerPage,
		Webhook:           mfspay.WebhookHMACSHA256,
		EventTypes: []mfspay.EventType{
			mfspay.EventPaymentCompleted,
			mfspay.EventPaymentFailed,
			mfspay.EventPaymentCancelled,
			mfspay.EventPaymentExpired,
			mfspay.EventPaymentPending,
		},
	}
}

// headers are sent with every API request: built once, never modified
// (the HTTP client copies them into each request).
func (g *gateway) headers(json bool) http.Header {
	if json {
		return g.jsonHeaders
	}
	return g.readHeaders
}

// buildHeaders returns the headers of reads and of requests with a JSON body.
func buildHeaders(apiKey string) (read, withJSON http.Header) {
	read = http.Header{
		"X-Api-Key": {apiKey},
		"Accept":    {"application/json"},
	}
	withJSON = read.Clone()
	withJSON["Content-Type"] = []string{"application/json"}
	return read, withJSON
}

var _ mfspay.Driver = (*gateway)(nil)
