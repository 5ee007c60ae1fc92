package bkash

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"regexp"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"

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

// DefaultCertHost is the host a SigningCertURL must have: AWS SNS in any
// region, as bKash's own webhook sample checks it.
const DefaultCertHost = `^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$`

// ReturnInvoiceParam is the query parameter the adapter adds to the
// merchant's ReturnURL to carry the invoice id through bKash's callback.
const ReturnInvoiceParam = "mfspay_invoice"

// The names FromSettings reads.
const (
	SettingBaseURL   = "base_url"
	SettingUsername  = "username"
	SettingPassword  = "password"
	SettingAppKey    = "app_key"
	SettingAppSecret = "app_secret"
	// SettingTopicARNs lists the SNS topics notifications may come from
	// (comma-separated); SettingCertHost overrides DefaultCertHost;
	// SettingCertRoots is PEM: when set, certificate URLs are fetched
	// trusting only these roots (a simulator's own CA in tests).
	SettingTopicARNs = "sns_topic_arns"
	SettingCertHost  = "sns_cert_host"
	SettingCertRoots = "sns_cert_roots"
)

// Config configures a bKash gateway.
type Config struct {
	// BaseURL is the API base up to the version; empty means DefaultBaseURL.
	BaseURL string
	// The merchant's credentials, all required.
	Username, Password, AppKey, AppSecret string
	// TopicARNs are the SNS topics notifications may come from; with none,
	// every notification fails authentication.
	TopicARNs []string
	// CertHost must match the whole host (port included) of a
	// SigningCertURL and a SubscribeURL; nil means DefaultCertHost.
	CertHost *regexp.Regexp
	// CertClient fetches signing certificates and confirms SNS
	// subscriptions; nil means a client with the system roots.
	CertClient *http.Client
	// Clock tells the time (token lifetimes, return memo); nil means
	// time.Now.
	Clock func() time.Time
	// Resilience configures retries and the circuit breaker.
	Resilience mfspay.Resilience
}

// driver is the bKash driver; New wraps it in the portable layer.
type driver struct {
	base     string // API base with "/tokenized/checkout/"
	appKey   string
	http     *kit.HTTPClient
	clock    func() time.Time
	tokens   *tokenSource
	topics   map[string]bool
	certHost *regexp.Regexp
	certs    *certCache
	flights  singleflight.Group // returns, by payment, status and invoice
	memo     memo
}

// New returns a bKash gateway with payment-safe retries and a circuit
// breaker. A bad Config is an ErrInvalidRequest naming the field.
func New(cfg Config) (mfspay.Gateway, error) {
	d, err := NewDriver(cfg)
	if err != nil {
		return nil, err
	}
	return mfspay.NewGateway(d, cfg.Resilience), nil
}

// NewDriver returns the bKash driver alone, for a plugin to serve (the host
// applies the portable layer).
func NewDriver(cfg Config) (mfspay.Driver, error) { return newDriver(cfg) }

func newDriver(cfg Config) (*driver, error) {
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
	if cfg.CertHost == nil {
		cfg.CertHost = regexp.MustCompile(DefaultCertHost)
	}
	d := &driver{
		base:     base + "/tokenized/checkout/",
		appKey:   cfg.AppKey,
		http:     kit.NewClient(ProviderName, cfg.Resilience, cfg.Username, cfg.Password, cfg.AppKey, cfg.AppSecret),
		clock:    cfg.Clock,
		topics:   map[string]bool{},
		certHost: regexp.MustCompile("^(?:" + cfg.CertHost.String() + ")$"), // the whole host
		certs:    newCertCache(cfg.CertClient),
	}
	if d.clock == nil {
		d.clock = time.Now
	}
	for _, t := range cfg.TopicARNs {
		d.topics[t] = true
	}
	d.tokens = sharedTokens(base, cfg)
	return d, nil
}

// FromSettings builds the same gateway as New from string settings: the
// Setting* names; sns_topic_arns is comma-separated.
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
	cfg := Config{
		BaseURL: strings.TrimSpace(settings[SettingBaseURL]), Username: settings[SettingUsername],
		Password: settings[SettingPassword], AppKey: settings[SettingAppKey], AppSecret: settings[SettingAppSecret],
		TopicARNs: kit.SettingList(settings[SettingTopicARNs]), Resilience: r,
	}
	if p := settings[SettingCertHost]; p != "" {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, kit.Invalid(ProviderName, "configure", SettingCertHost, "is not a regular expression")
		}
		cfg.CertHost = re
	}
	if pem := settings[SettingCertRoots]; pem != "" {
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM([]byte(pem)) {
			return nil, kit.Invalid(ProviderName, "configure", SettingCertRoots, "holds no PEM certificate")
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		cfg.CertClient = &http.Client{Transport: tr, Timeout: certTimeout}
	}
	return newDriver(cfg)
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
// which goes on answering pending after them.
func (d *driver) Capabilities() mfspay.Capabilities {
	return mfspay.Capabilities{
		VerifyByPaymentID: true,
		Webhook:           mfspay.WebhookSNS,
		EventTypes: []mfspay.EventType{mfspay.EventTransactionReceived, mfspay.EventPaymentCompleted,
			mfspay.EventPaymentFailed, mfspay.EventPaymentCancelled, mfspay.EventPaymentPending},
		Statuses: []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed, mfspay.StatusCancelled},
		Return:   mfspay.ReturnExecute,
	}
}

// List is never called: bKash has no list API and the capabilities say so.
func (d *driver) List(context.Context, mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return nil, kit.Unsupported(ProviderName, mfspay.OpList)
}

var _ mfspay.ReturnDriver = (*driver)(nil)
