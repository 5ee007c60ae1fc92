// Package nodipaytest runs a faithful NodiPay on 127.0.0.1, in the manner of
// net/http/httptest: the API of package nodipay's documentation, a hosted
// checkout page, signed webhook deliveries, and a simctl.Controller so that
// tests and the conformance suite can play the customer and break the
// provider on purpose.
//
//	sim := nodipaytest.NewServer()
//	defer sim.Close()
//	st, _ := sim.Settings(ctx)
//	gw, _ := nodipay.FromSettings(st.Values, mfspay.Resilience{})
//
// It is written from the API documentation alone and shares no code with
// the adapter, so that a misreading in one shows up as a failure in the
// other. Everything that is not NodiPay's wire format (the payment store,
// expiry, the checkout page, fault injection, the request log, webhook
// retries and most of simctl.Controller) comes from mfspay's public
// simulator kit, providers/simkit: this package is what a provider's author
// writes.
package nodipaytest

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

// DefaultCheckoutTTL is how long a payment stays open.
const DefaultCheckoutTTL = 30 * time.Minute

var _ simctl.Controller = (*Server)(nil)

// Server is a running NodiPay. Its methods, the kit's included, are safe
// for concurrent use.
type Server struct {
	*simkit.Server

	apiKey  string
	badKey  string
	secrets []string
}

// Option configures a Server.
type Option func(*config)

type config struct {
	simkit.Options
	apiKey  string
	secrets []string
}

// WithAPIKey sets the secret key the API accepts; the default is random.
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithWebhookSecrets sets the secrets webhooks are signed with, each giving
// one v1 signature; the default is one random secret.
func WithWebhookSecrets(secrets ...string) Option {
	return func(c *config) { c.secrets = append([]string(nil), secrets...) }
}

// WithCheckoutTTL sets how long a payment stays open before it lapses.
func WithCheckoutTTL(d time.Duration) Option { return simkit.WithExpiry[*config](d) }

// WithClock sets the server's clock (payment times, expiry, signatures).
func WithClock(now func() time.Time) Option { return simkit.WithClock[*config](now) }

// wallets are the wallets NodiPay takes, named as mfspay names them.
var wallets = []simkit.MethodOption{
	{Value: "bkash", Label: "bKash", Method: mfspay.MethodBKash},
	{Value: "nagad", Label: "Nagad", Method: mfspay.MethodNagad},
	{Value: "rocket", Label: "Rocket", Method: mfspay.MethodRocket},
	{Value: "upay", Label: "Upay", Method: mfspay.MethodUpay},
	{Value: "cellfin", Label: "Cellfin", Method: mfspay.MethodCellfin},
	{Value: "tap", Label: "Tap", Method: mfspay.MethodTap},
	{Value: "okwallet", Label: "OK Wallet", Method: mfspay.MethodOKWallet},
	{Value: "ipay", Label: "iPay", Method: mfspay.MethodIPay},
}

// NewServer starts a NodiPay on a free port of 127.0.0.1. Close it when
// done.
func NewServer(opts ...Option) *Server {
	c := config{
		Options: simkit.Options{Expiry: DefaultCheckoutTTL, Delivery: simkit.NotifierConfig{Attempts: 3, Backoff: 100 * time.Millisecond}},
		apiKey:  simkit.NewID("nsk_test_", 16),
		secrets: []string{simkit.NewID("nwhsec_", 16)},
	}
	for _, o := range opts {
		o(&c)
	}
	s := &Server{apiKey: c.apiKey, badKey: simkit.NewID("nsk_test_", 16), secrets: c.secrets}
	api := http.NewServeMux()
	api.HandleFunc("POST /v1/payments", s.create)
	api.HandleFunc("GET /v1/payments", s.list)
	api.HandleFunc("GET /v1/payments/{id}", s.get)
	api.HandleFunc("GET /v1/invoices/{invoice}/payment", s.get)
	api.HandleFunc("/v1/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "no_route", "no such endpoint", "")
	})
	s.Server = simkit.NewServer(simkit.Spec{
		Name: "NodiPay", APIPrefix: "/v1", API: s.authenticate(api), PagePath: "/pay/",
		Methods: wallets,
		// NodiPay announces final statuses only: no Pending.
		Open: statusOpen, Paid: statusSucceeded, Cancelled: statusAbandoned, Failed: statusDeclined, Expired: statusLapsed,
		Announce: s.announce, Tampers: tampers,
		ErrorBody: func(status int) string {
			return `{"error":{"code":"fault","message":"` + http.StatusText(status) + `"}}`
		},
	}, c.Options)
	return s
}

// authenticate lets through requests bearing the API key.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !bearer || !kit.CheckSharedSecret(key, []string{s.apiKey}) {
			writeError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong API key", "")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Settings returns the settings of a gateway against this server: its API
// base, key and webhook secrets; BadCredentials carry a key it refuses.
func (s *Server) Settings(context.Context) (simctl.Settings, error) {
	good := map[string]string{"base_url": s.BaseURL(), "api_key": s.apiKey, "webhook_secrets": strings.Join(s.secrets, ",")}
	bad := map[string]string{"base_url": s.BaseURL(), "api_key": s.badKey, "webhook_secrets": good["webhook_secrets"]}
	secrets := append([]string{s.apiKey, s.badKey}, s.secrets...)
	return simctl.Settings{Values: good, BadCredentials: bad, Secrets: secrets}, nil
}
