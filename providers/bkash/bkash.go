package bkash

import (
	"context"
	"strings"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// ProviderName is the name the adapter reports from Provider.
const ProviderName = "bkash"

// The API bases of Tokenized Checkout v1.2.0-beta.
const (
	DefaultBaseURL = "https://tokenized.pay.bka.sh/v1.2.0-beta"
	SandboxBaseURL = "https://tokenized.sandbox.bka.sh/v1.2.0-beta"
)

// ReturnInvoiceParam is the query parameter the adapter adds to the
// merchant's ReturnURL to carry the invoice id through bKash's callback.
const ReturnInvoiceParam = "mfspay_invoice"

// The names FromSettings reads, with kit's SettingSNS* names for
// notifications.
const (
	SettingBaseURL   = "base_url"
	SettingUsername  = "username"
	SettingPassword  = "password"
	SettingAppKey    = "app_key"
	SettingAppSecret = "app_secret"
)

// Config configures a bKash gateway.
type Config struct {
	// BaseURL is the API base up to the version; empty means DefaultBaseURL.
	BaseURL string
	// The merchant's credentials, all required.
	Username, Password, AppKey, AppSecret string
	// SNS says which notifications to accept: the SNS topics they may come
	// from (with none, every notification fails authentication), the host
	// of their certificate URLs and the client fetching them. A nil
	// SNS.Clock means Clock.
	SNS kit.SNSConfig
	// Clock tells the time (token lifetimes, return memo, certificate
	// validity); nil means time.Now.
	Clock func() time.Time
	// Resilience configures retries and the circuit breaker.
	Resilience mfspay.Resilience
}

// driver is the bKash driver; New wraps it in the portable layer.
type driver struct {
	base     string // API base with "/tokenized/checkout/"
	cfg      Config // as given: the credentials
	http     *kit.HTTPClient
	clock    func() time.Time
	tokens   kit.TokenSource
	sns      *kit.SNSVerifier
	returns  kit.Flight[mfspay.Event] // by payment, status and invoice
	executes kit.Flight[mfspay.Event] // by payment
}

// New returns a bKash gateway with payment-safe retries and a circuit
// breaker. A bad Config is an ErrInvalidRequest naming the field.
func New(cfg Config) (mfspay.Gateway, error) { return kit.NewGateway(NewDriver, cfg, cfg.Resilience) }

// NewDriver returns the bKash driver alone, for a plugin to serve (the host
// applies the portable layer).
func NewDriver(cfg Config) (mfspay.Driver, error) {
	for _, c := range []struct{ name, value string }{{SettingUsername, cfg.Username},
		{SettingPassword, cfg.Password}, {SettingAppKey, cfg.AppKey}, {SettingAppSecret, cfg.AppSecret}} {
		if c.value == "" || strings.ContainsAny(c.value, "\r\n") {
			return nil, kit.Invalid(ProviderName, "configure", c.name, "is required, on one line")
		}
	}
	base, _, err := kit.ParseBaseURL(ProviderName, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Resilience.Retry.AttemptTimeout == 0 {
		cfg.Resilience.Retry.AttemptTimeout = 30 * time.Second // bKash: "30 seconds for all the APIs"
	}
	d := &driver{base: base + "/tokenized/checkout/", cfg: cfg, clock: cfg.Clock,
		http: kit.NewClient(ProviderName, cfg.Resilience, cfg.Username, cfg.Password, cfg.AppKey, cfg.AppSecret)}
	if d.clock == nil {
		d.clock = time.Now
	}
	now := func() time.Time { return d.clock() }
	if cfg.SNS.Clock == nil {
		cfg.SNS.Clock = now
	}
	d.sns = kit.NewSNSVerifier(ProviderName, cfg.SNS)
	d.tokens = kit.TokenSource{Issuer: issuer{d}, Clock: now,
		Cache: kit.SharedTokenCache(tokenPolicy, base, cfg.Username, cfg.Password, cfg.AppKey, cfg.AppSecret)}
	final := func(ev mfspay.Event) bool { return ev.Payment.Status.Final() }
	d.returns = kit.Flight[mfspay.Event]{Provider: ProviderName, Clock: now, Remember: memoLife, Final: final,
		Left: "call ended by the caller's context; the return goes on being completed"}
	d.executes = kit.Flight[mfspay.Event]{Provider: ProviderName, Clock: now, Remember: memoLife, Final: final,
		Left: "call ended by the caller's context; the execute goes on"}
	return d, nil
}

// FromSettings builds the same gateway as New from string settings: the
// Setting* names and kit's SettingSNS* names.
func FromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
	d, err := DriverFromSettings(settings, r)
	if err != nil {
		return nil, err
	}
	return mfspay.NewGateway(d, r), nil
}

// DriverFromSettings builds the same driver as NewDriver from the settings
// FromSettings reads: what a plugin's ServeConfig.Factory is.
func DriverFromSettings(settings map[string]string, r mfspay.Resilience) (mfspay.Driver, error) {
	sns, err := kit.SNSConfigFromSettings(ProviderName, settings)
	if err != nil {
		return nil, err
	}
	return NewDriver(Config{BaseURL: strings.TrimSpace(settings[SettingBaseURL]), Username: settings[SettingUsername],
		Password: settings[SettingPassword], AppKey: settings[SettingAppKey], AppSecret: settings[SettingAppSecret],
		SNS: sns, Resilience: r})
}

// Provider returns ProviderName.
func (d *driver) Provider() string { return ProviderName }

// Capabilities: verify by payment id only (bKash's query takes nothing
// else), no list, SNS-signed notifications of money received, and returns
// that must be executed. Of the EventTypes, notifications produce only
// transaction.received (naming no payment); the payment.* events come from
// the customer's return. Statuses leave out expired: bKash reports an
// abandoned payment as Initiated for ever; failed and cancelled come only
// from the customer's return and execute's answer, never from a verify,
// which goes on answering pending after them. Built once, as the layer
// reads them on every call: the slices are shared and only ever read.
func (d *driver) Capabilities() mfspay.Capabilities { return capabilities }

var capabilities = mfspay.Capabilities{
	VerifyByPaymentID: true,
	Webhook:           mfspay.WebhookSNS,
	EventTypes: []mfspay.EventType{mfspay.EventTransactionReceived, mfspay.EventPaymentCompleted,
		mfspay.EventPaymentFailed, mfspay.EventPaymentCancelled, mfspay.EventPaymentPending},
	Statuses: []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed, mfspay.StatusCancelled},
	Return:   mfspay.ReturnExecute,
}

// List is never called: bKash has no list API and the capabilities say so.
func (d *driver) List(context.Context, mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return nil, kit.Unsupported(ProviderName, mfspay.OpList)
}

var _ mfspay.ReturnDriver = (*driver)(nil)
