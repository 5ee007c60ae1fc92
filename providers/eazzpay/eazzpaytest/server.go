package eazzpaytest

import (
	"cmp"
	"context"
	"net/http"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/simkit"
)

// APIPrefix is where the API lives under the server's URL.
const APIPrefix = "/api/v1"

// Request is one API request as the simulator received it.
type Request = simkit.RequestRecord

var _ simctl.Controller = (*Server)(nil)

// Server is a running simulated EazzPay. Its methods, the kit's included,
// are safe for concurrent use.
type Server struct {
	*simkit.Server

	secret     string
	badSecret  string
	webhookURL string
}

// Option configures a Server.
type Option func(*config)

// WithClientSecret sets the merchant's API key, which authenticates API
// requests and is sent on every notification. By default it is random.
func WithClientSecret(secret string) Option { return func(c *config) { c.secret = secret } }

// WithWebhookURL sets the merchant webhook URL (configured in EazzPay's
// dashboard) that receives webhook-listener notifications. Without it they
// are recorded but not sent.
func WithWebhookURL(url string) Option { return func(c *config) { c.webhookURL = url } }

// WithDelivery shapes notification retries: see simkit.WithDelivery.
func WithDelivery(attempts int, backoff time.Duration) Option {
	return simkit.WithDelivery[*config](attempts, backoff)
}

// WithClock: see simkit.WithClock.
func WithClock(now func() time.Time) Option { return simkit.WithClock[*config](now) }

// WithRateLimit limits each API key: see simkit.WithRateLimit.
func WithRateLimit(burst int, per time.Duration) Option {
	return simkit.WithRateLimit[*config](burst, per)
}

type config struct {
	simkit.Options
	secret     string
	webhookURL string
}

// methods are what the hosted page offers: the wallets, then a bank.
var methods = []simkit.MethodOption{
	{Value: "BKASH", Label: "bKash", Method: mfspay.MethodBKash},
	{Value: "NAGAD", Label: "Nagad", Method: mfspay.MethodNagad},
	{Value: "ROCKET", Label: "Rocket", Method: mfspay.MethodRocket},
	{Value: "UPAY", Label: "Upay", Method: mfspay.MethodUpay},
	{Value: "CELLFIN", Label: "Cellfin", Method: mfspay.MethodCellfin},
	{Value: "TAP", Label: "Tap", Method: mfspay.MethodTap},
	{Value: "OK_WALLET", Label: "OK Wallet", Method: mfspay.MethodOKWallet},
	{Value: "IPAY", Label: "iPay", Method: mfspay.MethodIPay},
	{Value: PaymentMethodBank, Label: "Bank transfer", Method: mfspay.MethodBank},
}

// NewServer starts a simulated EazzPay on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) *Server {
	var c config
	for _, o := range opts {
		o(&c)
	}
	s := &Server{
		secret:     cmp.Or(c.secret, simkit.NewID("esk_test_", 16)),
		badSecret:  simkit.NewID("esk_wrong_", 16),
		webhookURL: c.webhookURL,
	}
	api := http.NewServeMux()
	api.HandleFunc("POST "+APIPrefix+"/payments/initiate", s.initiate)
	api.HandleFunc(APIPrefix+"/payments/initiate", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
	})
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, http.StatusNotFound, "Route not found") })
	s.Server = simkit.NewServer(simkit.Spec{
		Name: "EazzPay", APIPrefix: APIPrefix, API: api, PagePath: "/checkout/", Methods: methods,
		Open: StatusInitiated, Pending: StatusPending, Paid: StatusCompleted, Cancelled: StatusCanceled,
		// EazzPay documents no expiry: Expire stands for the provider
		// giving up on an unpaid payment, which it reports FAILED.
		Failed: StatusFailed, Expired: StatusFailed,
		CheckPayer: checkPayer, Announce: s.announce, ErrorBody: errorBody, Tampers: tampers, RateKeyHeader: SecretHeader,
	}, c.Options)
	return s
}

// Settings returns the settings eazzpay.FromSettings takes, and the same
// with a client secret the server rejects.
func (s *Server) Settings(context.Context) (simctl.Settings, error) {
	return simctl.Settings{
		Values:         map[string]string{"base_url": s.BaseURL(), "client_secret": s.secret},
		BadCredentials: map[string]string{"base_url": s.BaseURL(), "client_secret": s.badSecret},
		Secrets:        []string{s.secret, s.badSecret},
	}, nil
}

// ClientSecret is the merchant's API key that Settings hands out.
func (s *Server) ClientSecret() string { return s.secret }

// CheckoutURL is the hosted page of the payment.
func (s *Server) CheckoutURL(paymentID string) string { return s.PageURL(paymentID) }

// WaitNotifications blocks until every notification sent so far has been
// delivered or has run out of attempts, or ctx ends.
func (s *Server) WaitNotifications(ctx context.Context) error { return s.WaitDeliveries(ctx) }
