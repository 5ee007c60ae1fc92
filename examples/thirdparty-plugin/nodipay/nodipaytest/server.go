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
// other.
package nodipaytest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultCheckoutTTL is how long a payment stays open.
const DefaultCheckoutTTL = 30 * time.Minute

// maxBody bounds an API request body.
const maxBody = 64 << 10

// Server is a running NodiPay. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's origin, http://127.0.0.1:port; the API lives
	// under URL + "/v1" and checkout pages under URL + "/pay/".
	URL string

	apiKey  string
	badKey  string
	secrets []string
	ttl     time.Duration
	now     func() time.Time

	srv    *http.Server
	ctx    context.Context // ends with Close: held answers, deliveries
	cancel context.CancelFunc
	client *http.Client
	wg     sync.WaitGroup // deliveries in flight

	faults   faultQueue
	requests atomic.Int64

	mu       sync.Mutex
	closed   bool
	payments []*payment // creation order
	byID     map[string]*payment
	byInv    map[string]*payment
	notes    map[string][]note // by payment id, in order
}

// Option configures a Server.
type Option func(*Server)

// WithAPIKey sets the secret key the API accepts; the default is random.
func WithAPIKey(key string) Option { return func(s *Server) { s.apiKey = key } }

// WithWebhookSecrets sets the secrets webhooks are signed with, each giving
// one v1 signature; the default is one random secret.
func WithWebhookSecrets(secrets ...string) Option {
	return func(s *Server) { s.secrets = append([]string(nil), secrets...) }
}

// WithCheckoutTTL sets how long a payment stays open before it lapses.
func WithCheckoutTTL(d time.Duration) Option { return func(s *Server) { s.ttl = d } }

// WithClock sets the server's clock (payment times, expiry, signatures).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// NewServer starts a NodiPay on a free port of 127.0.0.1. It panics if it
// cannot listen, as httptest.NewServer does. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		apiKey:  "nsk_test_" + randomHex(16),
		badKey:  "nsk_test_" + randomHex(16),
		secrets: []string{"nwhsec_" + randomHex(16)},
		ttl:     DefaultCheckoutTTL,
		now:     time.Now,
		byID:    map[string]*payment{},
		byInv:   map[string]*payment{},
		notes:   map[string][]note{},
	}
	for _, o := range opts {
		o(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("nodipaytest: listening on 127.0.0.1: " + err.Error())
	}
	s.URL = "http://" + ln.Addr().String()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.client = &http.Client{Timeout: 5 * time.Second}
	s.srv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln) //nolint:errcheck // ends with http.ErrServerClosed on Close.
	return s
}

// Close stops the server: held answers and webhook deliveries end, and
// Close waits for them.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.srv.Close()
	s.client.CloseIdleConnections()
	s.wg.Wait()
}

// routes mounts the API (counted, faulted, authenticated) and the hosted
// checkout pages (none of those).
func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST /v1/payments", s.createPayment)
	api.HandleFunc("GET /v1/payments", s.listPayments)
	api.HandleFunc("GET /v1/payments/{id}", s.getPayment)
	api.HandleFunc("GET /v1/invoices/{invoice}/payment", s.getByInvoice)
	api.HandleFunc("/v1/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "no_route", "no such endpoint", "")
	})
	authed := s.authenticate(api)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /pay/{id}", s.checkoutPage)
	mux.HandleFunc("POST /pay/{id}", s.checkoutAction)
	mux.Handle("/v1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.faults.apply(s.ctx, w, r, authed)
	}))
	return mux
}

// authenticate lets through requests bearing the API key.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !constantTimeEqual(key, s.apiKey) {
			writeError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong API key", "")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms.
	}
	return hex.EncodeToString(b)
}
