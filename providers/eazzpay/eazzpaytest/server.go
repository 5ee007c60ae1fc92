package eazzpaytest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/mfspay/mfspay/providers/simkit"
	"github.com/mfspay/mfspay/webhook"
)

// APIPrefix is where the API lives under the server's URL.
const APIPrefix = "/api/v1"

// Server is a running simulated EazzPay. Its methods are safe for
// concurrent use.
type Server struct {
	// URL is the server's root, "http://127.0.0.1:port", with no trailing
	// slash. The API base URL is URL+APIPrefix.
	URL string

	secret     string
	badSecret  string
	webhookURL string
	clock      simkit.Clock

	store    *simkit.Store
	log      *simkit.RequestLog
	faults   *simkit.Faults
	limiter  *simkit.Limiter
	notifier *simkit.Notifier
	srv      *httptest.Server

	// Controls answers Fail, ClearFaults, RequestCount and PaymentCount.
	simkit.Controls
}

// NewServer starts a simulated EazzPay on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) *Server {
	var c config
	for _, o := range opts {
		o(&c)
	}
	if c.secret == "" {
		c.secret = simkit.NewID("esk_test_", 16)
	}
	if c.clock == nil {
		c.clock = simkit.SystemClock
	}
	c.notifier.Clock = c.clock

	s := &Server{
		secret:     c.secret,
		badSecret:  simkit.NewID("esk_wrong_", 16),
		webhookURL: c.webhookURL,
		clock:      c.clock,
		store:      simkit.NewStore(),
		log:        simkit.NewRequestLog(c.clock),
		faults:     simkit.NewFaults(errorBody),
		limiter:    simkit.NewLimiter(c.rateLimit, c.clock),
		notifier:   simkit.NewNotifier(c.notifier),
	}
	s.Controls = simkit.NewControls(s.store, s.log, s.faults)
	s.srv = httptest.NewServer(s.routes())
	s.URL = s.srv.URL
	return s
}

// routes puts the API behind the request log, fault injection and the rate
// limiter, and the customer-facing pages beside it.
func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST "+APIPrefix+"/payments/initiate", s.initiate)
	api.HandleFunc(APIPrefix+"/payments/initiate", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
	})
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Route not found")
	})
	limited := s.limiter.Middleware(func(r *http.Request) string { return r.Header.Get(SecretHeader) },
		func(w http.ResponseWriter, _ time.Duration) {
			writeError(w, http.StatusTooManyRequests, "Too Many Requests")
		},
		api)

	mux := http.NewServeMux()
	mux.Handle("/api/", s.log.Middleware(s.faults.Middleware(limited)))
	mux.HandleFunc("GET /checkout/{id}", s.page)
	mux.HandleFunc("POST /checkout/{id}", s.submit)
	mux.HandleFunc("GET /_dashboard", s.dashboard)
	return mux
}

// Close stops notification retries and shuts the server down.
func (s *Server) Close() {
	s.notifier.Close()
	s.srv.Close()
}

// BaseURL is the API base URL: the base_url setting of the adapter.
func (s *Server) BaseURL() string { return s.URL + APIPrefix }

// ClientSecret is the merchant's API key that Settings hands out.
func (s *Server) ClientSecret() string { return s.secret }

// CheckoutURL is the hosted page of the payment.
func (s *Server) CheckoutURL(paymentID string) string { return s.URL + "/checkout/" + paymentID }

// WaitNotifications blocks until every notification sent so far has been
// delivered or has run out of attempts, or ctx ends.
func (s *Server) WaitNotifications(ctx context.Context) error { return s.notifier.Wait(ctx) }

// Request is one API request as the simulator received it.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	// Status is the answered status code, 0 when the connection was dropped.
	Status int
}

// Requests returns every API request received, oldest first, faulted ones
// included, for request-shape assertions.
func (s *Server) Requests() []Request {
	recs := s.log.Records()
	out := make([]Request, len(recs))
	for i, r := range recs {
		out[i] = Request{Method: r.Method, Path: r.Path, Header: r.Header, Body: r.Body, Status: r.Status}
	}
	return out
}

func (s *Server) now() time.Time { return s.clock() }

// authentic checks the API key in constant time.
func (s *Server) authentic(r *http.Request) bool {
	return webhook.CheckSharedSecret(r.Header.Get(SecretHeader), []string{s.secret})
}

func (s *Server) dashboard(w http.ResponseWriter, _ *http.Request) {
	simkit.RenderDashboard(w, simkit.DashboardPage{
		Provider:   "EazzPay",
		Payments:   s.store.All(),
		Deliveries: s.notifier.Deliveries(),
	})
}
