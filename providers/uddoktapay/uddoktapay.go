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

// SandboxBaseURL is UddoktaPay's public sandbox (live panels are the merchants' own).
const SandboxBaseURL = "https://sandbox.uddoktapay.com"

// KeyHeader carries the API key on requests and on IPNs: the key is the IPN's secret.
const KeyHeader = "RT-UDDOKTAPAY-API-KEY"

// The names FromSettings reads.
const (
	SettingBaseURL      = "base_url"
	SettingAPIKey       = "api_key"
	SettingAcceptedKeys = "accepted_api_keys"
)

// defaultAttemptTimeout is what UddoktaPay's own clients wait for a panel.
const defaultAttemptTimeout = 30 * time.Second

// Config configures a UddoktaPay gateway.
type Config struct {
	// BaseURL is the merchant's panel, with the brand's path if the brand
	// has no domain ("https://pay.example.com/brand"). Required.
	BaseURL string
	// APIKey is the brand's API key, also what every IPN carries. Required.
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
	base   string   // panel base without a trailing slash
	keys   []string // every key accepted on IPNs, the API key first
	http   *kit.HTTPClient
	header http.Header // sent with every request; never modified
}

// New returns a UddoktaPay gateway with payment-safe retries and a circuit
// breaker. A bad Config is an ErrInvalidRequest naming the field.
func New(cfg Config) (mfspay.Gateway, error) { return kit.NewGateway(NewDriver, cfg, cfg.Resilience) }

// NewDriver returns the driver alone, for a plugin to serve (the host
// applies the portable layer); cfg.Resilience.Breaker is not used.
func NewDriver(cfg Config) (mfspay.Driver, error) {
	const op = "configure"
	if cfg.BaseURL == "" {
		return nil, kit.Invalid(ProviderName, op, SettingBaseURL, "is required: it is the merchant's own panel")
	}
	base, _, err := kit.ParseBaseURL(ProviderName, cfg.BaseURL, "")
	if err != nil {
		return nil, err
	}
	keys := append([]string{cfg.APIKey}, cfg.AcceptedKeys...)
	for i, k := range keys {
		if !headerSafe(k) {
			field := SettingAcceptedKeys
			if i == 0 {
				field = SettingAPIKey
			}
			return nil, kit.Invalid(ProviderName, op, field, "must be a non-empty key of printable ASCII without spaces")
		}
	}
	r := cfg.Resilience
	if r.Retry.AttemptTimeout == 0 {
		r.Retry.AttemptTimeout = defaultAttemptTimeout
	}
	header := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	header.Set(KeyHeader, cfg.APIKey)
	return &gateway{base: base, keys: keys, http: kit.NewClient(ProviderName, r, keys...), header: header}, nil
}

// headerSafe reports whether s is a key that can travel in a header
// unchanged.
func headerSafe(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r >= 0x7f }) < 0
}

// FromSettings builds the same gateway as New from string settings:
// "base_url" and "api_key" (required) and "accepted_api_keys" (optional,
// comma-separated).
func FromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
	return New(configFromSettings(settings, r))
}

// DriverFromSettings is NewDriver from FromSettings' settings: a plugin's
// ServeConfig.Factory.
func DriverFromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Driver, error) {
	return NewDriver(configFromSettings(settings, r))
}

func configFromSettings(settings map[string]string, r mfspay.Resilience) Config {
	return Config{BaseURL: strings.TrimSpace(settings[SettingBaseURL]), APIKey: settings[SettingAPIKey],
		AcceptedKeys: kit.SettingList(settings[SettingAcceptedKeys]), Resilience: r}
}

// Provider returns ProviderName.
func (g *gateway) Provider() string { return ProviderName }

// Capabilities: verify by UddoktaPay's invoice_id only, no list, IPNs
// authenticated by a static header, a return that names the payment to
// verify, no cancelled or expired status, and a create answer without the
// invoice_id, which arrives with the return or the IPN (see the package
// doc). Built once, as the layer reads them on every call: the slices are
// shared and only ever read.
func (g *gateway) Capabilities() mfspay.Capabilities { return capabilities }

var capabilities = mfspay.Capabilities{
	VerifyByPaymentID: true,
	Webhook:           mfspay.WebhookSharedSecret,
	EventTypes:        []mfspay.EventType{mfspay.EventPaymentPending, mfspay.EventPaymentCompleted, mfspay.EventPaymentFailed},
	Statuses:          []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed},
	Return:            mfspay.ReturnVerify,
	PaymentIDLater:    true,
}

// List is never called: the capabilities declare no list.
func (g *gateway) List(context.Context, mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return nil, kit.Unsupported(ProviderName, mfspay.OpList)
}

var _ mfspay.ReturnDriver = (*gateway)(nil)
