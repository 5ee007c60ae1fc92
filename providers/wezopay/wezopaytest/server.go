package wezopaytest

import (
	"cmp"
	"context"
	"crypto/subtle"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/simkit"
)

// APIPrefix is where the API lives under the server's URL.
const APIPrefix = "/api/v1"

// DefaultExpiry is how long a payment stays payable.
const DefaultExpiry = 30 * time.Minute

// The setting names of the WezoPay adapter, as Settings fills them.
const (
	SettingBaseURL        = "base_url"
	SettingAPIKey         = "api_key"
	SettingWebhookSecrets = "webhook_secrets"
)

// Kit types, under the names this package has always used.
type (
	// Payment is a payment as the server holds it.
	Payment = simkit.Payment
	// Request is one API request as the server received it.
	Request = simkit.RequestRecord
	// Delivery is one webhook and its delivery attempts.
	Delivery = simkit.Delivery
)

var (
	// ErrNotPending: the payment has left the pending state and cannot be
	// paid, cancelled or expired.
	ErrNotPending = simkit.ErrNotOpen
	// ErrUnknownPayment: no payment has that token.
	ErrUnknownPayment = simkit.ErrPaymentNotFound
)

var _ simctl.Controller = (*Server)(nil)

// Server is a running simulated WezoPay. Its methods, the kit's included,
// are safe for concurrent use.
type Server struct {
	*simkit.Server

	apiKeys       map[string]bool
	apiKey        string
	readOnlyKey   string
	badKey        string
	webhookSecret string
}

// Option configures a Server.
type Option func(*config)

type config struct {
	simkit.Options
	apiKeys       []string
	readOnlyKey   string
	webhookSecret string
}

// WithAPIKeys sets the keys with every ability; the first is the one
// Settings hands out. By default one random "wpk_test_…" key exists.
func WithAPIKeys(keys ...string) Option {
	return func(c *config) { c.apiKeys = append([]string(nil), keys...) }
}

// WithReadOnlyKey sets a key that may verify and list but not create (403).
func WithReadOnlyKey(key string) Option { return func(c *config) { c.readOnlyKey = key } }

// WithWebhookSecret sets the secret webhooks are signed with; by default it
// is random.
func WithWebhookSecret(secret string) Option { return func(c *config) { c.webhookSecret = secret } }

// WithExpiry changes how long a payment stays payable; default 30 minutes.
func WithExpiry(d time.Duration) Option { return simkit.WithExpiry[*config](d) }

// WithClock: see simkit.WithClock.
func WithClock(now func() time.Time) Option { return simkit.WithClock[*config](now) }

// WithRateLimit limits each API key: see simkit.WithRateLimit.
func WithRateLimit(burst int, per time.Duration) Option {
	return simkit.WithRateLimit[*config](burst, per)
}

// WithDelivery shapes webhook retries: see simkit.WithDelivery.
func WithDelivery(attempts int, backoff time.Duration) Option {
	return simkit.WithDelivery[*config](attempts, backoff)
}

// wallets are the methods the hosted page offers.
var wallets = []simkit.MethodOption{
	{Value: "bkash", Label: "bKash", Method: mfspay.MethodBKash},
	{Value: "nagad", Label: "Nagad", Method: mfspay.MethodNagad},
	{Value: "rocket", Label: "Rocket", Method: mfspay.MethodRocket},
	{Value: "upay", Label: "Upay", Method: mfspay.MethodUpay},
}

// NewServer starts a simulated WezoPay on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) *Server {
	var c config
	for _, o := range opts {
		o(&c)
	}
	if len(c.apiKeys) == 0 {
		c.apiKeys = []string{simkit.NewID("wpk_test_", 12)}
	}
	if c.Expiry <= 0 {
		c.Expiry = DefaultExpiry
	}
	s := &Server{
		apiKeys:       map[string]bool{},
		apiKey:        c.apiKeys[0],
		readOnlyKey:   cmp.Or(c.readOnlyKey, simkit.NewID("wpk_ro_", 12)),
		badKey:        simkit.NewID("wpk_wrong_", 12),
		webhookSecret: cmp.Or(c.webhookSecret, simkit.NewID("whsec_", 16)),
	}
	for _, k := range c.apiKeys {
		s.apiKeys[k] = true
	}
	s.Server = simkit.NewServer(simkit.Spec{
		Name: "WezoPay", APIPrefix: APIPrefix, API: s.routes(), PagePath: "/p/", Methods: wallets,
		Open: StatusPending, Pending: StatusPending, Paid: StatusPaid,
		Cancelled: StatusCancelled, Failed: StatusFailed, Expired: StatusExpired,
		CheckPayer: checkPayer, Announce: s.announce, ErrorBody: errorBody, Tampers: tampers,
		RateKeyHeader: keyHeader,
	}, c.Options)
	return s
}

// Settings returns the adapter settings for this server: base_url,
// api_key and webhook_secrets, plus the same with an api_key it rejects.
func (s *Server) Settings(context.Context) (simctl.Settings, error) {
	values := s.SettingsMap()
	bad := maps.Clone(values)
	bad[SettingAPIKey] = s.badKey
	secrets := append([]string{s.readOnlyKey, s.badKey, s.webhookSecret}, slices.Collect(maps.Keys(s.apiKeys))...)
	return simctl.Settings{Values: values, BadCredentials: bad, Secrets: secrets}, nil
}

// SettingsMap returns the settings wezopay.FromSettings takes to talk to
// this server.
func (s *Server) SettingsMap() map[string]string {
	return map[string]string{SettingBaseURL: s.BaseURL(), SettingAPIKey: s.apiKey, SettingWebhookSecrets: s.webhookSecret}
}

// APIKey is the key with every ability that Settings hands out.
func (s *Server) APIKey() string { return s.apiKey }

// ReadOnlyKey is a valid key that may verify and list but not create.
func (s *Server) ReadOnlyKey() string { return s.readOnlyKey }

// WebhookSecret is the secret webhooks are signed with.
func (s *Server) WebhookSecret() string { return s.webhookSecret }

// PaymentURL is the hosted page of the payment with token.
func (s *Server) PaymentURL(token string) string { return s.PageURL(token) }

// Decline marks the pending payment failed, as when the wallet rejects it,
// and sends the payment.failed webhook.
func (s *Server) Decline(token string) error { return s.Server.Decline(context.Background(), token) }

// SetStatus forces the payment's status to any string, without a webhook,
// so that tests can show an adapter a status it does not know.
func (s *Server) SetStatus(token, status string) error {
	_, err := s.Store.Update(token, func(p *Payment) error {
		p.Status = status
		return nil
	})
	return err
}

// keyHeader carries the API key.
const keyHeader = "X-API-Key"

// authed checks X-API-Key (401 when missing or unknown, 403 when a
// read-only key asks to create), then runs h.
func (s *Server) authed(create bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(keyHeader)
		full := false
		for k := range s.apiKeys { // every key compared, in constant time
			full = subtle.ConstantTimeCompare([]byte(k), []byte(key)) == 1 || full
		}
		readOnly := subtle.ConstantTimeCompare([]byte(s.readOnlyKey), []byte(key)) == 1
		switch {
		case key == "":
			writeError(w, http.StatusUnauthorized, "Unauthenticated. Missing API key.", nil)
		case !full && !readOnly:
			writeError(w, http.StatusUnauthorized, "Invalid API key.", nil)
		case create && !full:
			writeError(w, http.StatusForbidden, "This API key lacks the payments:create ability.", nil)
		default:
			h(w, r)
		}
	}
}

// routes is the API: create, verify and list, behind the key check.
func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST "+APIPrefix+"/payments/create", s.authed(true, s.create))
	api.HandleFunc("GET "+APIPrefix+"/payments/verify", s.authed(false, s.verify))
	api.HandleFunc("GET "+APIPrefix+"/payments/list", s.authed(false, s.list))
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Route not found", nil)
	})
	return api
}
