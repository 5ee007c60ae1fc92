package wezopaytest

import (
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/mfspay/mfspay/providers/simkit"
)

// APIPrefix is where the API lives under the server's URL.
const APIPrefix = "/api/v1"

// DefaultExpiry is how long a payment stays payable.
const DefaultExpiry = 30 * time.Minute

// Server is a running simulated WezoPay. Its methods are safe for
// concurrent use.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:port", with no trailing
	// slash. The API base URL is URL+APIPrefix.
	URL string

	apiKeys       map[string]bool
	apiKey        string
	readOnlyKey   string
	badKey        string
	webhookSecret string
	expiry        time.Duration
	clock         simkit.Clock

	store    *simkit.Store
	log      *simkit.RequestLog
	faults   *simkit.Faults
	limiter  *simkit.Limiter
	notifier *simkit.Notifier
	srv      *httptest.Server

	// Controls answers Fail, ClearFaults, RequestCount and PaymentCount.
	simkit.Controls
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
	if c.readOnlyKey == "" {
		c.readOnlyKey = simkit.NewID("wpk_ro_", 12)
	}
	if c.webhookSecret == "" {
		c.webhookSecret = simkit.NewID("whsec_", 16)
	}
	if c.clock == nil {
		c.clock = simkit.SystemClock
	}
	if c.expiry <= 0 {
		c.expiry = DefaultExpiry
	}
	c.notifier.Clock = c.clock

	s := &Server{
		apiKeys:       map[string]bool{},
		apiKey:        c.apiKeys[0],
		readOnlyKey:   c.readOnlyKey,
		badKey:        simkit.NewID("wpk_wrong_", 12),
		webhookSecret: c.webhookSecret,
		expiry:        c.expiry,
		clock:         c.clock,
		store:         simkit.NewStore(),
		log:           simkit.NewRequestLog(c.clock),
		faults:        simkit.NewFaults(errorBody),
		limiter:       simkit.NewLimiter(c.rateLimit, c.clock),
		notifier:      simkit.NewNotifier(c.notifier),
	}
	for _, k := range c.apiKeys {
		s.apiKeys[k] = true
	}
	s.Controls = simkit.NewControls(s.store, s.log, s.faults)
	s.srv = httptest.NewServer(s.routes())
	s.URL = s.srv.URL
	return s
}

// routes puts the API behind the request log and fault injection, and the
// customer-facing pages beside it.
func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.Handle("POST "+APIPrefix+"/payments/create", s.authed(true, s.create))
	api.Handle("GET "+APIPrefix+"/payments/verify", s.authed(false, s.verify))
	api.Handle("GET "+APIPrefix+"/payments/list", s.authed(false, s.list))
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Route not found", nil)
	})

	mux := http.NewServeMux()
	mux.Handle("/api/", s.log.Middleware(s.faults.Middleware(api)))
	mux.HandleFunc("GET /p/{token}", s.page)
	mux.HandleFunc("POST /p/{token}", s.submit)
	mux.HandleFunc("GET /_dashboard", s.dashboard)
	return mux
}

// Close stops webhook retries and shuts the server down.
func (s *Server) Close() {
	s.notifier.Close()
	s.srv.Close()
}

// BaseURL is the API base URL: the base_url setting of the adapter.
func (s *Server) BaseURL() string { return s.URL + APIPrefix }

// APIKey is the key with every ability that Settings hands out.
func (s *Server) APIKey() string { return s.apiKey }

// ReadOnlyKey is a valid key that may verify and list but not create.
func (s *Server) ReadOnlyKey() string { return s.readOnlyKey }

// WebhookSecret is the secret webhooks are signed with.
func (s *Server) WebhookSecret() string { return s.webhookSecret }

// PaymentURL is the hosted page of the payment with token.
func (s *Server) PaymentURL(token string) string { return s.URL + "/p/" + token }

func (s *Server) now() time.Time { return s.clock() }
