// Package bkashtest runs a simulated bKash Tokenized Checkout on
// 127.0.0.1, on the public simulator kit (providers/simkit), faithful to
// the wire specification: token grant and refresh with expiry, create,
// execute, query, the hosted page (wallet, OTP, PIN, with the sandbox
// wallets and their failures), and AWS SNS notifications signed with the
// simulator's own key under its own certificate authority.
//
// It is three hosts, as bKash is: the API (Server.URL), the payment page
// (PagesURL, bkashURL's host) and an HTTPS stand-in for the SNS host
// (Server.SNS, the kit's simkit.SNSHost), which serves the signing
// certificate and confirms subscriptions. Settings hands the adapter
// everything, the CA included.
//
// The customer's side follows bKash: approving on the page (or Pay) only
// makes the payment executable; it stays Initiated until the merchant
// executes it after the return, and the SNS notification follows a
// successful execute. Cancel, Decline and Expire leave it Initiated too.
//
// The page is one form per step, for browsers and browser tests alike: an
// input named wallet, then otp (OTP), then pin (PIN), each submitted with
// the button action=confirm; action=close cancels at any step.
package bkashtest

import (
	"context"
	"crypto/rand"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/simkit"
)

// APIPrefix is the API's version segment; the adapter's base_url is
// URL+APIPrefix.
const APIPrefix = "/v1.2.0-beta"

// The sandbox's test values (bKash's PGW guide).
const (
	OTP                 = "123456"
	PIN                 = "12121"
	InsufficientBalance = "01823074817" // approves, then execute answers 2023
	DebitBlocked        = "01823074818" // approves, then execute answers 2037
)

// The simulator's internal payment states. On the wire every one but
// Completed is transactionStatus Initiated; Approved and Completed have
// verificationStatus Complete.
const (
	StateInitiated = "Initiated"
	StateApproved  = "Approved"
	StateCompleted = "Completed"
	StateCancelled = "Cancelled"
	StateFailed    = "Failed"
	StateExpired   = "Expired"
)

// PaymentLife is how long a payment can be approved and executed.
const PaymentLife = 24 * time.Hour

// The setting names of the bKash adapter, as Settings fills them (the SNS
// host adds kit's SettingSNS* ones).
const (
	settingBaseURL, settingUsername, settingPassword = "base_url", "username", "password"
	settingAppKey, settingAppSecret                  = "app_key", "app_secret"
)

var _ simctl.Controller = (*Server)(nil)

// Server is a running simulated bKash. Its methods, the kit's included,
// are safe for concurrent use.
type Server struct {
	*simkit.Server
	// SNS is the stand-in for the SNS host: it signs the notifications,
	// serves the signing certificate and confirms subscriptions.
	SNS *simkit.SNSHost
	cfg config

	tokens *simkit.Tokens

	mu          sync.Mutex
	hangExecute time.Duration
}

// Option configures a Server.
type Option func(*config)

type config struct {
	simkit.Options
	username, password, appKey, appSecret string
	tokenLife, refreshLife                time.Duration
	tokenLimit                            int // token calls per hour; 0 is none
	rawNewline                            bool
	listener, sigVersion                  string
}

// WithClock: see simkit.WithClock. Token lifetimes and the 24-hour
// payment life follow it.
func WithClock(now func() time.Time) Option { return simkit.WithClock[*config](now) }

// WithDelivery shapes SNS retries: see simkit.WithDelivery (default 4
// attempts: SNS's first and three retries).
func WithDelivery(attempts int, backoff time.Duration) Option {
	return simkit.WithDelivery[*config](attempts, backoff)
}

// WithTokenLife sets the id_token's life (default 3600s) and the refresh
// token's (default 28 days).
func WithTokenLife(id, refresh time.Duration) Option {
	return func(c *config) { c.tokenLife, c.refreshLife = id, refresh }
}

// WithTokenLimit answers 429 to token calls beyond n an hour, as bKash
// blocks credentials that ask too often.
func WithTokenLimit(n int) Option { return func(c *config) { c.tokenLimit = n } }

// WithRawNewlineCredentialsError answers bad credentials as the sandbox
// does: malformed JSON with a raw newline inside statusMessage.
func WithRawNewlineCredentialsError() Option { return func(c *config) { c.rawNewline = true } }

// WithListener sends SNS messages to url (the merchant's webhook).
func WithListener(url string) Option { return func(c *config) { c.listener = url } }

// WithSignatureVersion signs SNS messages with version "1" (SHA1, the
// default) or "2" (SHA256).
func WithSignatureVersion(v string) Option { return func(c *config) { c.sigVersion = v } }

// NewServer starts a simulated bKash. Close it when done.
func NewServer(opts ...Option) *Server {
	c := config{tokenLife: time.Hour, refreshLife: 28 * 24 * time.Hour, sigVersion: "1",
		username: simkit.NewID("sandboxUser", 5), password: simkit.NewID("pw_", 8),
		appKey: simkit.NewID("key_", 10), appSecret: simkit.NewID("secret_", 12)}
	c.Delivery.Attempts = 4
	for _, o := range opts {
		o(&c)
	}
	c.Expiry = PaymentLife
	s := &Server{cfg: c, tokens: simkit.NewTokens(c.tokenLife, c.refreshLife, c.tokenLimit)}
	s.Server = simkit.NewServer(simkit.Spec{
		Name: "bKash", APIPrefix: APIPrefix, API: s.routes(), PagePath: "/",
		Methods: []simkit.MethodOption{{Value: "bkash", Label: "bKash", Method: mfspay.MethodBKash}},
		Open:    StateInitiated, Paid: StateApproved, Cancelled: StateCancelled, Failed: StateFailed, Expired: StateExpired,
		CheckPayer: checkPayer, Announce: func(*simkit.Server, simkit.Payment) {}, ErrorBody: errorBody,
		Tampers: tampers, ReturnURL: returnURL,
		// bKash's own page (wallet, OTP, PIN), on its own host as bkashURL is.
		PageHooks: simkit.PageHooks{PagesHost: true, Page: http.HandlerFunc(s.page)},
	}, c.Options)
	s.SNS = simkit.NewSNSHost("arn:aws:sns:ap-southeast-1:354285753755:bpt_"+rand.Text()[:10], c.sigVersion)
	return s
}

// Close stops the API, the page and the SNS host.
func (s *Server) Close() {
	s.Server.Close()
	s.SNS.Close()
}

// Settings returns the adapter settings for this server, and the same with
// a password bKash refuses.
func (s *Server) Settings(context.Context) (simctl.Settings, error) {
	values := s.SNS.Settings()
	maps.Copy(values, map[string]string{settingBaseURL: s.BaseURL(), settingUsername: s.cfg.username,
		settingPassword: s.cfg.password, settingAppKey: s.cfg.appKey, settingAppSecret: s.cfg.appSecret})
	bad := maps.Clone(values)
	bad[settingPassword] = "wrong-" + s.cfg.password
	return simctl.Settings{Values: values, BadCredentials: bad,
		Secrets: []string{s.cfg.username, s.cfg.password, s.cfg.appKey, s.cfg.appSecret, bad[settingPassword]}}, nil
}

// TokenCalls says how many grants and refreshes bKash answered with a token.
func (s *Server) TokenCalls() (grants, refreshes int) { return s.tokens.Counts() }

// ExpireTokens makes every id_token issued so far expired, as if its hour
// were up: the next call with one answers 401 "The incoming token has
// expired".
func (s *Server) ExpireTokens() { s.tokens.ExpireAll() }

// HangNextExecute makes the next execute complete the payment and then
// hold its answer for d (or until the client gives up): the "execute timed
// out, query says Completed" case.
func (s *Server) HangNextExecute(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangExecute = d
}

// Approve takes the payment through the page as the customer with wallet
// would (OTP and PIN right): it becomes executable, and the return to the
// success URL is recorded.
func (s *Server) Approve(paymentID, wallet string) error {
	return s.Pay(context.Background(), paymentID, simctl.Payer{Method: mfspay.MethodBKash, Sender: wallet})
}

// returnURL is where the page sends the browser: the callbackURL with
// paymentID, status, signature and apiVersion appended, as bKash does.
func returnURL(p simkit.Payment, outcome string) string {
	status := map[string]string{simkit.OutcomePaid: "success", simkit.OutcomeFailed: "failure"}[outcome]
	if status == "" {
		status = "cancel"
	}
	return callbackURL(p, status) + "&apiVersion=1.2.0-beta/"
}

func callbackURL(p simkit.Payment, status string) string {
	sep := "?"
	if strings.Contains(p.SuccessURL, "?") {
		sep = "&"
	}
	return p.SuccessURL + sep + "paymentID=" + p.ID + "&status=" + status + "&signature=" + p.Extra["signature"]
}

// wallets are bKash account numbers: 01, an operator digit, eight digits.
var wallets = regexp.MustCompile(`^01[3-9][0-9]{8}$`)

func checkPayer(sender, _ string) string {
	if !wallets.MatchString(sender) {
		return "Enter a valid bKash account number (01XXXXXXXXX)."
	}
	return ""
}
