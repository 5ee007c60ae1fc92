package eazzpaytest

import (
	"time"

	"github.com/mfspay/mfspay/providers/simkit"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	secret     string
	webhookURL string
	clock      simkit.Clock
	rateLimit  simkit.RateLimit
	notifier   simkit.NotifierConfig
}

// WithClientSecret sets the merchant's API key, which authenticates API
// requests and is sent on every notification. By default it is random; see
// ClientSecret.
func WithClientSecret(secret string) Option { return func(c *config) { c.secret = secret } }

// WithWebhookURL sets the merchant webhook URL (configured in EazzPay's
// dashboard) that receives webhook-listener notifications. Without it they
// are recorded but not sent.
func WithWebhookURL(url string) Option { return func(c *config) { c.webhookURL = url } }

// WithClock makes the server read time from now (for instance a
// simkit.ManualClock's Now, or any func() time.Time) instead of the wall
// clock: timestamps and rate limits follow it.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithRateLimit limits each API key to burst requests, refilled at burst
// per per; over the limit the API answers 429 with Retry-After. Off by
// default.
func WithRateLimit(burst int, per time.Duration) Option {
	return func(c *config) { c.rateLimit = simkit.RateLimit{Burst: burst, Per: per} }
}

// WithDelivery sets how many times a notification is attempted (default 5)
// and the first wait between attempts, doubling after each (default 50ms).
func WithDelivery(attempts int, backoff time.Duration) Option {
	return func(c *config) { c.notifier.Attempts, c.notifier.Backoff = attempts, backoff }
}

// WithDeliveryTimeout bounds one notification delivery attempt; default 5s.
func WithDeliveryTimeout(d time.Duration) Option {
	return func(c *config) { c.notifier.Timeout = d }
}
