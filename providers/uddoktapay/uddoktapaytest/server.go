package uddoktapaytest

import (
	"cmp"
	"context"
	"net/http"
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

	mu     sync.Mutex
	tokens map[string]string // payment_url token → invoice_id
	sms    map[string]*SMS   // by transaction id
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

// pagePath is where the hosted pages live: payment_url is
// {pages}/payment/{token}.
const pagePath = "/payment/"

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
		tokens: map[string]string{}, sms: map[string]*SMS{},
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
		Name: "UddoktaPay", APIPrefix: "", API: api, PagePath: pagePath, Methods: methods,
		// UddoktaPay has no cancelled or expired status: a cancel leaves the
		// payment as it was, and nothing expires.
		Open: StatusInitiated, Paid: StatusCompleted, Failed: StatusError,
		CheckPayer: checkPayer, Announce: func(*simkit.Server, simkit.Payment) {},
		ErrorBody: errorBody, Tampers: tampers, RateKeyHeader: KeyHeader, ReturnURL: returnURL,
		// The page is on its own host, asks for the fee too, matches the
		// submission against SMS data (submit) and sends the browser back
		// as return_type says.
		PageHooks: simkit.PageHooks{PagesHost: true, Resolve: s.resolve, Submit: s.submit, Charge: charge,
			ReturnForm: returnForm},
	}, c.Options)
	return s
}

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

// PaymentURL is the hosted page of the payment named by handle (see
// resolve).
func (s *Server) PaymentURL(handle string) (string, error) {
	p, err := s.Find(handle)
	if err != nil {
		return "", err
	}
	return s.PagesURL() + pagePath + p.Extra[extraToken], nil
}

// AddSMS adds an incoming-money SMS the panel can match a submission to.
func (s *Server) AddSMS(m SMS) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sms[m.TrxID] = &m
}

// resolve names the payment of a handle that is not its invoice_id (the
// neutral PaymentID): UddoktaPay's create answer has no id, so a caller may
// name it by the token of its payment_url (payment_url itself the kit
// resolves), or by the merchant's invoice id (the newest charge for it).
func (s *Server) resolve(handle string) (string, bool) {
	s.mu.Lock()
	id, ok := s.tokens[handle]
	s.mu.Unlock()
	if ok {
		return id, true
	}
	p, ok := s.Store.ByInvoice(handle)
	return p.ID, ok && handle != ""
}
