package uddoktapay

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// ProviderName is the name the adapter reports from Provider.
const ProviderName = "uddoktapay"

// SandboxBaseURL is UddoktaPay's public sandbox panel. There is no central
// live host: each merchant runs its own panel, whose URL is the base.
const SandboxBaseURL = "https://sandbox.uddoktapay.com"

// KeyHeader carries the API key on every request to the panel and on every
// IPN the panel sends back: the key is the webhook secret too.
const KeyHeader = "RT-UDDOKTAPAY-API-KEY"

// The names FromSettings reads.
const (
	SettingBaseURL      = "base_url"
	SettingAPIKey       = "api_key"
	SettingAcceptedKeys = "accepted_api_keys"
)

// defaultAttemptTimeout is what UddoktaPay's own clients wait for a
// self-hosted panel, used when the caller sets no attempt timeout.
const defaultAttemptTimeout = 30 * time.Second

// Config configures a UddoktaPay gateway.
type Config struct {
	// BaseURL is the merchant's panel, with a brand's path when the brand
	// has no domain of its own ("https://pay.example.com/brand"); the
	// adapter appends /api/…. Required: UddoktaPay has no central host.
	BaseURL string
	// APIKey is the brand's API key. It authenticates requests and is the
	// secret every IPN must carry. Required.
	APIKey string
	// AcceptedKeys are older keys still accepted on IPNs, so that a key can
	// be rotated without refusing notifications in flight.
	AcceptedKeys []string
	// Resilience configures retries and the circuit breaker. A zero
	// Retry.AttemptTimeout means 30 s, as UddoktaPay's own clients wait.
	Resilience mfspay.Resilience
}

// gateway is the UddoktaPay driver; New wraps it in the portable layer.
type gateway struct {
	base   string // panel base without a trailing slash
	apiKey string
	keys   []string // every key accepted on IPNs, apiKey first
	http   *kit.HTTPClient
	header http.Header // sent with every request; never modified
}

// New returns a UddoktaPay gateway with payment-safe retries and a circuit
// breaker. A bad Config is an ErrInvalidRequest naming the field.
func New(cfg Config) (mfspay.Gateway, error) {
	d, err := newGateway(cfg)
	if err != nil {
		return nil, err
	}
	return mfspay.NewGateway(d, cfg.Resilience), nil
}

// NewDriver returns the UddoktaPay driver alone, for a plugin to serve (the
// host applies the portable layer). cfg.Resilience configures its HTTP
// client; its Breaker is not used.
func NewDriver(cfg Config) (mfspay.Driver, error) { return newGateway(cfg) }

func newGateway(cfg Config) (*gateway, error) {
	const op = "configure"
	if cfg.BaseURL == "" {
		return nil, kit.Invalid(ProviderName, op, SettingBaseURL, "is required: it is the merchant's own panel")
	}
	base, _, err := kit.ParseBaseURL(ProviderName, cfg.BaseURL, "")
	if err != nil {
		return nil, err
	}
	keys := []string{cfg.APIKey}
	for _, k := range cfg.AcceptedKeys {
		if k != "" {
			keys = append(keys, k)
		}
	}
	for i, k := range keys {
		field := SettingAPIKey
		if i > 0 {
			field = SettingAcceptedKeys
		}
		if k == "" {
			return nil, kit.Invalid(ProviderName, op, field, "is required")
		}
		if !headerSafe(k) {
			return nil, kit.Invalid(ProviderName, op, field, "must be printable ASCII without spaces")
		}
	}
	r := cfg.Resilience
	if r.Retry.AttemptTimeout == 0 {
		r.Retry.AttemptTimeout = defaultAttemptTimeout
	}
	return &gateway{
		base:   base,
		apiKey: cfg.APIKey,
		keys:   keys,
		http:   kit.NewClient(ProviderName, r, keys...),
		header: http.Header{
			http.CanonicalHeaderKey(KeyHeader): {cfg.APIKey},
			"Content-Type":                     {"application/json"},
			"Accept":                           {"application/json"},
		},
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
// "base_url" and "api_key" (required) and "accepted_api_keys" (optional,
// comma-separated).
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
		BaseURL:      strings.TrimSpace(settings[SettingBaseURL]),
		APIKey:       settings[SettingAPIKey],
		AcceptedKeys: kit.SettingList(settings[SettingAcceptedKeys]),
		Resilience:   r,
	}
}

// Provider returns ProviderName.
func (g *gateway) Provider() string { return ProviderName }

// Capabilities: verify by UddoktaPay's invoice_id only (nothing can be
// looked up by the merchant's invoice), no list, IPNs authenticated by the
// API key in a header and confirmed with verify, and a return that names
// the payment to verify. UddoktaPay reports pending, completed and failed
// payments only: a customer's cancel is a redirect that changes nothing
// there, and no expiry is documented.
func (g *gateway) Capabilities() mfspay.Capabilities {
	return mfspay.Capabilities{
		VerifyByPaymentID: true,
		Webhook:           mfspay.WebhookSharedSecret,
		EventTypes: []mfspay.EventType{
			mfspay.EventPaymentPending, mfspay.EventPaymentCompleted, mfspay.EventPaymentFailed,
		},
		Statuses: []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed},
		Return:   mfspay.ReturnVerify,
	}
}

// List is never called: UddoktaPay has no list API, and the capabilities
// say so.
func (g *gateway) List(context.Context, mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return nil, kit.Unsupported(ProviderName, mfspay.OpList)
}

var _ mfspay.ReturnDriver = (*gateway)(nil)
