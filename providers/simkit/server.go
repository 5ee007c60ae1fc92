package simkit

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/mfspay/mfspay/conformance/simctl"
)

// Spec is what a simulator tells the kit about its provider: names, routes,
// status words and the hooks that speak the wire format. Everything else
// (store, expiry, hosted pages, dashboard, faults, request log, rate limits,
// notification delivery and the simctl.Controller methods) is the kit's.
type Spec struct {
	// Name is the provider's name as pages and errors show it ("WezoPay").
	Name string
	// APIPrefix is where the API lives ("/api/v1"): every request under it
	// is logged, faulted and rate limited, and served by API.
	APIPrefix string
	API       http.Handler
	// PagePath is where hosted pages live ("/p/"): PagePath+id.
	PagePath string
	// Methods are the wallets the hosted page offers, in order.
	Methods []MethodOption

	// The provider's status words. Open is a new, payable payment; Paid,
	// Cancelled, Failed and Expired are where Pay, Cancel, Decline and
	// Expire take it. Pending, when the provider announces one, is where
	// Pay with simctl.Payer.Pending takes it; it stays payable. An empty
	// Cancelled is a provider that records no cancel: the customer's
	// cancel only sends the browser back. An empty Expired is one where
	// nothing expires: Expire is ErrUnsupported.
	Open, Pending, Paid, Cancelled, Failed, Expired string

	// CheckPayer returns what is wrong with a customer's sending number or
	// transaction id, in the provider's words, or "". Nil accepts any.
	CheckPayer func(sender, trxID string) string
	// Announce sends the provider's notifications about p's new status,
	// through the Notifier. It is called after every status change.
	Announce func(s *Server, p Payment)
	// ErrorBody is the provider's error body for a status fault or a 429.
	ErrorBody func(status int) string
	// RateKeyHeader names the header whose value (the API key) a request
	// counts against when a rate limit is set.
	RateKeyHeader string
	// Tampers are the simctl.Tamper lies the wire format can express.
	Tampers map[simctl.Tamper]TamperFunc
	// ReturnURL is where the hosted page sends the customer's browser
	// after outcome (OutcomePaid, OutcomeCancelled or OutcomeFailed), with
	// whatever the provider appends to the merchant's URL. Nil sends it to
	// p.SuccessURL after a payment and p.CancelURL otherwise, unchanged.
	ReturnURL func(p Payment, outcome string) string

	// PageHooks are for a provider whose hosted page is not the kit's.
	PageHooks
}

// The outcomes of the hosted page, for Spec.ReturnURL.
const (
	OutcomePaid      = "paid"
	OutcomeCancelled = "cancelled"
	OutcomeFailed    = "failed"
)

// Options are the settings every simulator takes from its caller. Zero
// fields take defaults.
type Options struct {
	// Clock tells the time; default the system clock. Expiry, timestamps
	// and rate limits follow it.
	Clock Clock
	// RateLimit limits each caller (Spec.RateKeyHeader); off by default.
	RateLimit RateLimit
	// Delivery shapes notification retries.
	Delivery NotifierConfig
	// Expiry is how long a payment stays payable; 0 means until changed.
	Expiry time.Duration
}

// Server is a running simulated provider on 127.0.0.1. A simulator embeds
// it, so its exported methods (the simctl.Controller ones included) are the
// simulator's. Methods are safe for concurrent use.
type Server struct {
	// URL is the root, "http://127.0.0.1:port", without a trailing slash.
	URL string

	// The parts, for the simulator's own handlers and for tests.
	Store    *Store
	Log      *RequestLog
	Faults   *Faults
	Notifier *Notifier

	spec   Spec
	clock  Clock
	expiry time.Duration
	srv    *httptest.Server
	pages  *httptest.Server // the pages' own listener, with Spec.PagesHost

	// returns holds, per payment, where the customer's browser was sent
	// back to, for simctl.Controller.Returns.
	returnsMu sync.Mutex
	returns   map[string][]Return
}

// NewServer starts a simulated provider on 127.0.0.1. Close it when done.
func NewServer(spec Spec, o Options) *Server {
	o.Clock = o.Clock.orSystem()
	o.Delivery.Clock = o.Clock
	s := &Server{
		Store:    NewStore(),
		Log:      NewRequestLog(o.Clock),
		Faults:   NewFaults(spec.ErrorBody),
		Notifier: NewNotifier(o.Delivery),
		spec:     spec,
		clock:    o.Clock,
		expiry:   o.Expiry,
		returns:  map[string][]Return{},
	}
	s.Faults.Tampers = spec.Tampers
	api := spec.API
	if limiter := NewLimiter(o.RateLimit, o.Clock); limiter != nil {
		keyOf := func(r *http.Request) string { return r.Header.Get(spec.RateKeyHeader) }
		api = limiter.Middleware(keyOf, func(w http.ResponseWriter, _ time.Duration) {
			s.Faults.writeStatus(w, simctl.Fault{Status: http.StatusTooManyRequests})
		}, api)
	}
	mux := http.NewServeMux()
	mux.Handle(spec.APIPrefix+"/", s.Log.Middleware(s.Faults.Middleware(api)))
	mux.HandleFunc("GET /_dashboard", s.dashboard)
	s.servePages(mux)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close ends held answers and notification retries, then shuts the server
// (and the pages' listener) down.
func (s *Server) Close() {
	s.Faults.Close()
	s.Notifier.Close()
	if s.pages != nil {
		s.pages.Close()
	}
	s.srv.Close()
}

// BaseURL is the API's base URL, URL+Spec.APIPrefix: an adapter's base_url.
func (s *Server) BaseURL() string { return s.URL + s.spec.APIPrefix }

// PageURL is the hosted page of the payment.
func (s *Server) PageURL(id string) string { return s.PagesURL() + s.spec.PagePath + id }

// Now is the simulator's clock reading.
func (s *Server) Now() time.Time { return s.clock() }

// Payment returns the payment with id as stored, without expiring it.
func (s *Server) Payment(id string) (Payment, bool) { return s.Store.Get(id) }

// PaymentByInvoice returns the newest payment for invoiceID.
func (s *Server) PaymentByInvoice(invoiceID string) (Payment, bool) {
	return s.Store.ByInvoice(invoiceID)
}

// Requests returns every API request received, oldest first.
func (s *Server) Requests() []RequestRecord { return s.Log.Records() }

// LastRequest returns the newest API request.
func (s *Server) LastRequest() (RequestRecord, bool) { return s.Log.Last() }

// Deliveries returns every notification produced and how its delivery went.
func (s *Server) Deliveries() []Delivery { return s.Notifier.Deliveries() }

// WaitDeliveries blocks until no notification delivery is in progress or
// ctx ends.
func (s *Server) WaitDeliveries(ctx context.Context) error { return s.Notifier.Wait(ctx) }

// dashboard lists payments and notification deliveries.
func (s *Server) dashboard(w http.ResponseWriter, _ *http.Request) {
	RenderDashboard(w, DashboardPage{Provider: s.spec.Name, Payments: s.Store.All(), Deliveries: s.Notifier.Deliveries()})
}

// Closer adapts Close to io.Closer, as plugins.ServeConfig.Simulator wants.
func (s *Server) Closer() io.Closer { return closer(s.Close) }

type closer func()

func (c closer) Close() error { c(); return nil }
