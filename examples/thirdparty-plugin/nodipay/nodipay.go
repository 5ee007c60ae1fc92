package nodipay

import (
	"net/http"
	"strings"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// ProviderName is the name the adapter reports from Provider, and the
// <name> of its plugin binary, mfspay-plugin-nodipay.
const ProviderName = "nodipay"

// DefaultBaseURL is NodiPay's API base.
const DefaultBaseURL = "https://api.nodipay.example/v1"

// SignatureHeader carries a webhook's timestamp and signatures.
const SignatureHeader = "Nodi-Signature"

// DefaultWebhookTolerance is how far a webhook's signed time may be from
// the receiver's clock, either way.
const DefaultWebhookTolerance = 5 * time.Minute

// The names FromSettings reads.
const (
	SettingBaseURL          = "base_url"
	SettingAPIKey           = "api_key"
	SettingWebhookSecrets   = "webhook_secrets"
	SettingWebhookTolerance = "webhook_tolerance"
)

// Config configures a NodiPay gateway.
type Config struct {
	// BaseURL is the API base, ending in /v1; empty means DefaultBaseURL.
	BaseURL string
	// APIKey is the merchant's secret key ("nsk_…"). Required.
	APIKey string
	// WebhookSecrets verify incoming webhooks; any of them is accepted, so a
	// secret can be rotated without rejecting webhooks in flight. With none,
	// every webhook fails authentication.
	WebhookSecrets []string
	// WebhookTolerance bounds the age (and clock skew) of a webhook; zero
	// means DefaultWebhookTolerance.
	WebhookTolerance time.Duration
	// Now tells the time for webhook checks; nil means time.Now.
	Now func() time.Time
	// Resilience configures retries and the circuit breaker.
	Resilience mfspay.Resilience
}

// gateway is the NodiPay driver; New wraps it in the portable layer.
type gateway struct {
	base      string // API base without a trailing slash
	apiKey    string
	secrets   []string
	tolerance time.Duration
	now       func() time.Time
	http      *kit.HTTPClient
}

// New returns a NodiPay gateway with payment-safe retries and a circuit
// breaker. A bad Config is an ErrInvalidRequest naming the field.
func New(cfg Config) (mfspay.Gateway, error) {
	g, err := newGateway(cfg)
	if err != nil {
		return nil, err
	}
	return mfspay.NewGateway(g, cfg.Resilience), nil
}

func newGateway(cfg Config) (*gateway, error) {
	const op = "configure"
	if cfg.APIKey == "" {
		return nil, kit.Invalid(ProviderName, op, SettingAPIKey, "is required")
	}
	for i := 0; i < len(cfg.APIKey); i++ {
		if c := cfg.APIKey[i]; c <= ' ' || c >= 0x7f {
			// Said without quoting the key, which is a secret.
			return nil, kit.Invalid(ProviderName, op, SettingAPIKey, "must be printable ASCII without spaces")
		}
	}
	base, _, err := kit.ParseBaseURL(ProviderName, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.WebhookTolerance < 0 {
		return nil, kit.Invalid(ProviderName, op, SettingWebhookTolerance, "must not be negative")
	}
	g := &gateway{
		base:      base,
		apiKey:    cfg.APIKey,
		tolerance: cfg.WebhookTolerance,
		now:       cfg.Now,
	}
	if g.tolerance == 0 {
		g.tolerance = DefaultWebhookTolerance
	}
	if g.now == nil {
		g.now = time.Now
	}
	for _, s := range cfg.WebhookSecrets {
		if s != "" {
			g.secrets = append(g.secrets, s)
		}
	}
	// The client scrubs the key and every secret from the provider text it
	// keeps in errors.
	g.http = kit.NewClient(ProviderName, cfg.Resilience, append([]string{cfg.APIKey}, g.secrets...)...)
	return g, nil
}

// FromSettings builds the same gateway as New from string settings:
// "base_url" (optional), "api_key" (required), "webhook_secrets"
// (comma-separated, spaces around each ignored) and "webhook_tolerance"
// (optional, a Go duration such as "5m"). Other keys are ignored.
func FromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
	cfg, err := configFromSettings(settings, r)
	if err != nil {
		return nil, err
	}
	return New(cfg)
}

// DriverFromSettings builds the bare driver from the settings FromSettings
// reads. It is the plugin's factory: the host wraps it in the portable
// layer.
func DriverFromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Driver, error) {
	cfg, err := configFromSettings(settings, r)
	if err != nil {
		return nil, err
	}
	return newGateway(cfg)
}

func configFromSettings(settings map[string]string, r mfspay.Resilience) (Config, error) {
	cfg := Config{
		BaseURL:    strings.TrimSpace(settings[SettingBaseURL]),
		APIKey:     settings[SettingAPIKey],
		Resilience: r,
	}
	cfg.WebhookSecrets = kit.SettingList(settings[SettingWebhookSecrets])
	if v := strings.TrimSpace(settings[SettingWebhookTolerance]); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, kit.Invalid(ProviderName, "configure", SettingWebhookTolerance, "must be a positive duration such as 5m")
		}
		cfg.WebhookTolerance = d
	}
	return cfg, nil
}

// Provider returns ProviderName.
func (g *gateway) Provider() string { return ProviderName }

// maxPerPage is NodiPay's page-size limit.
const maxPerPage = 100

// WebhookTimestampedHMAC names NodiPay's webhook scheme: an HMAC-SHA256 over
// the delivery time and the raw body, with a freshness window. mfspay names
// no such scheme, so the conformance suite forges it through the header's
// name (Nodi-Signature), and since mfspay cannot know that it binds the body
// (WebhookAuth.BodyAuthenticated is false) receivers confirm what its
// notifications claim with NodiPay before trusting it.
const WebhookTimestampedHMAC mfspay.WebhookAuth = "hmac-sha256-timestamped"

// Capabilities: verify by invoice or payment id, list with a status filter,
// signed webhooks for every final status, and every status but unknown.
func (g *gateway) Capabilities() mfspay.Capabilities {
	return mfspay.Capabilities{
		VerifyByInvoice:   true,
		VerifyByPaymentID: true,
		List:              true,
		ListByStatus:      true,
		MaxPerPage:        maxPerPage,
		Webhook:           WebhookTimestampedHMAC,
		EventTypes: []mfspay.EventType{
			mfspay.EventPaymentCompleted,
			mfspay.EventPaymentFailed,
			mfspay.EventPaymentCancelled,
			mfspay.EventPaymentExpired,
		},
		Statuses: []mfspay.Status{
			mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed, mfspay.StatusCancelled, mfspay.StatusExpired,
		},
	}
}

// headers are sent with every API request.
func (g *gateway) headers(withBody bool) http.Header {
	h := http.Header{
		"Authorization": {"Bearer " + g.apiKey},
		"Accept":        {"application/json"},
	}
	if withBody {
		h["Content-Type"] = []string{"application/json"}
	}
	return h
}

var _ mfspay.Driver = (*gateway)(nil)
