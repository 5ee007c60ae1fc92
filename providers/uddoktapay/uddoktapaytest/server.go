package uddoktapaytest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/simkit"
)

// KeyHeader carries the API key on requests and on every IPN.
const KeyHeader = "RT-UDDOKTAPAY-API-KEY"

var _ simctl.Controller = (*Server)(nil)

// Server is a running simulated UddoktaPay panel. Its methods, the kit's
// included, are safe for concurrent use.
type Server struct {
	*simkit.Server

	key, badKey string
	slug        string
	pending     bool  // "Pending Payment" enabled in the panel
	manualIPN   bool  // IPNs only on ResendIPN
	feeBP       int64 // fee in basis points of the amount
	pages       *httptest.Server

	mu      sync.Mutex
	tokens  map[string]string // payment_url token → invoice_id
	sms     map[string]*SMS   // by transaction id
	returns map[string][]customerReturn
}

// SMS is one incoming-money SMS the panel read from the merchant's phone:
// a submitted transaction id with this amount (what the customer sent, fee
// included) completes one payment.
type SMS struct {
	TrxID  string
	Amount mfspay.Amount
}

// Option configures a Server.
type Option func(*config)

type config struct {
	simkit.Options
	key, slug            string
	noPending, manualIPN bool
	feeBP                int64
	sms                  []SMS
}

// WithAPIKey sets the brand's API key; by default it is random.
func WithAPIKey(key string) Option { return func(c *config) { c.key = key } }

// WithBrandSlug serves the API also under /{slug}/api/… and makes Settings
// hand out that base URL, as for a brand without its own domain.
func WithBrandSlug(slug string) Option { return func(c *config) { c.slug = slug } }

// WithPendingDisabled turns the panel's "Pending Payment" off: an
// unmatched transaction id is refused on the page and the payment stays
// open.
func WithPendingDisabled() Option { return func(c *config) { c.noPending = true } }

// WithManualIPN sends IPNs only when ResendIPN is called (the reading of
// the v2 reference), not after every move to COMPLETED or PENDING.
func WithManualIPN() Option { return func(c *config) { c.manualIPN = true } }

// WithFeeBasisPoints charges the customer a fee of bp/10000 of the amount,
// rounded down to the poisha (150 is 1.5%); values outside 0..10000 are
// clamped to it. The default is no fee.
func WithFeeBasisPoints(bp int) Option {
	return func(c *config) { c.feeBP = int64(min(max(bp, 0), 10000)) }
}

// WithSMS preloads the SMS data the panel matches submissions against.
func WithSMS(sms ...SMS) Option { return func(c *config) { c.sms = append(c.sms, sms...) } }

// WithDelivery shapes IPN retries: see simkit.WithDelivery. The default is
// the first attempt and three retries.
func WithDelivery(attempts int, backoff time.Duration) Option {
	return simkit.WithDelivery[*config](attempts, backoff)
}

// WithClock: see simkit.WithClock.
func WithClock(now func() time.Time) Option { return simkit.WithClock[*config](now) }

// WithRateLimit limits each API key: see simkit.WithRateLimit.
func WithRateLimit(burst int, per time.Duration) Option {
	return simkit.WithRateLimit[*config](burst, per)
}

// NewServer starts a simulated UddoktaPay on 127.0.0.1, its hosted pages on
// a second listener. Close it when done.
func NewServer(opts ...Option) *Server {
	c := config{}
	c.Delivery.Attempts = 4
	for _, o := range opts {
		o(&c)
	}
	s := &Server{
		key: cmp.Or(c.key, simkit.NewID("", 20)), badKey: simkit.NewID("", 20), slug: c.slug,
		pending: !c.noPending, manualIPN: c.manualIPN, feeBP: c.feeBP,
		tokens: map[string]string{}, sms: map[string]*SMS{}, returns: map[string][]customerReturn{},
	}
	for _, m := range c.sms {
		s.AddSMS(m)
	}
	api := http.NewServeMux()
	for _, prefix := range []string{"", "/{slug}"} {
		api.HandleFunc("POST "+prefix+"/api/checkout-v2", s.checkout)
		api.HandleFunc("POST "+prefix+"/api/verify-payment", s.verify)
	}
	api.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { writeError(w, http.StatusNotFound, "Not Found") })
	s.Server = simkit.NewServer(simkit.Spec{
		Name: "UddoktaPay", APIPrefix: "", API: api, PagePath: "/_kit/payment/", Methods: methods,
		// UddoktaPay has no cancelled or expired status: a cancel leaves the
		// payment as it was, and nothing expires.
		Open: StatusInitiated, Paid: StatusCompleted, Failed: StatusError, Cancelled: StatusInitiated,
		// The kit's generic page cannot pay: only this simulator's page
		// does the SMS matching.
		CheckPayer: func(string, string) string { return "Pay on the page at payment_url." },
		Announce:   func(*simkit.Server, simkit.Payment) {},
		ErrorBody:  errorBody, Tampers: tampers, RateKeyHeader: KeyHeader,
		ReturnURL: func(p simkit.Payment, outcome string) string {
			if outcome == simkit.OutcomeCancelled {
				return p.CancelURL
			}
			return withInvoice(p.SuccessURL, p.ID)
		},
	}, c.Options)
	pages := http.NewServeMux()
	pages.HandleFunc("GET /payment/{token}", s.page)
	pages.HandleFunc("POST /payment/{token}", s.submitPage)
	s.pages = httptest.NewServer(pages)
	return s
}

// Close shuts the API and the hosted pages down.
func (s *Server) Close() {
	s.pages.Close()
	s.Server.Close()
}

// Closer adapts Close to io.Closer, as plugins.ServeConfig.Simulator wants.
func (s *Server) Closer() io.Closer { return closer(s.Close) }

type closer func()

func (c closer) Close() error { c(); return nil }

// Settings returns what uddoktapay.FromSettings takes, and the same with an
// API key the panel refuses.
func (s *Server) Settings(context.Context) (simctl.Settings, error) {
	base := s.BaseURL()
	if s.slug != "" {
		base += "/" + s.slug
	}
	return simctl.Settings{
		Values:         map[string]string{"base_url": base, "api_key": s.key},
		BadCredentials: map[string]string{"base_url": base, "api_key": s.badKey},
		Secrets:        []string{s.key, s.badKey},
	}, nil
}

// APIKey is the brand's API key, which the IPNs carry.
func (s *Server) APIKey() string { return s.key }

// PaymentURL is the hosted page of the payment named by handle.
func (s *Server) PaymentURL(handle string) (string, error) {
	p, err := s.lookup(handle)
	if err != nil {
		return "", err
	}
	return s.pages.URL + "/payment/" + p.Extra[extraToken], nil
}

// AddSMS adds an incoming-money SMS the panel can match a submission to.
func (s *Server) AddSMS(m SMS) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sms[m.TrxID] = &m
}

// lookup finds the payment a controller call names. UddoktaPay's create
// answer has no id, so besides the invoice_id (the neutral PaymentID) a
// caller may name it by its payment_url (Checkout.RedirectURL), the token
// in it, or the merchant's invoice id (the newest charge for it).
func (s *Server) lookup(handle string) (simkit.Payment, error) {
	if p, ok := s.Store.Get(handle); ok {
		return p, nil
	}
	token := handle
	if u, err := url.Parse(handle); err == nil && strings.HasPrefix(u.Path, "/payment/") {
		token = strings.TrimPrefix(u.Path, "/payment/")
	}
	s.mu.Lock()
	id, ok := s.tokens[token]
	s.mu.Unlock()
	if p, found := s.Store.Get(id); ok && found {
		return p, nil
	}
	if p, ok := s.Store.ByInvoice(handle); ok && handle != "" {
		return p, nil
	}
	return simkit.Payment{}, fmt.Errorf("%w: %q", simkit.ErrPaymentNotFound, handle)
}

// errNotOpen: the payment is past what the call needs.
var errNotOpen = errors.New("uddoktapaytest: the payment is not in a state that allows this")
