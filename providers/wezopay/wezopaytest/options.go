package wezopaytest

import (
	"time"

	"github.com/mfspay/mfspay/providers/simkit"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	apiKeys       []string
	readOnlyKey   string
	webhookSecret string
	clock         simkit.Clock
	rateLimit     simkit.RateLimit
	expiry        time.Duration
	notifier      simkit.NotifierConfig
}

// WithAPIKeys sets the keys with every ability; the first is the one
// Settings hands out. By default one random "wpk_test_…" key exists.
func WithAPIKeys(keys ...string) Option {
	return func(c *config) { c.apiKeys = append([]string(nil), keys...) }
}

// WithReadOnlyKey sets a key that may verify and list but not create (403).
// By default a random one exists; see ReadOnlyKey.
func WithReadOnlyKey(key string) Option { return func(c *config) { c.readOnlyKey = key } }

// WithWebhookSecret sets the secret webhooks are signed with. By default it
// is random; see WebhookSecret.
func WithWebhookSecret(secret string) Option { return func(c *config) { c.webhookSecret = secret } }

// WithClock makes the server read time from now (for instance a
// simkit.ManualClock's Now, or any func() time.Time) instead of the wall
// clock: expiry, timestamps and rate limits follow it.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithRateLimit limits each API key to burst requests, refilled at burst
// per per; over the limit the API answers 429 with Retry-After. Off by
// default.
func WithRateLimit(burst int, per time.Duration) Option {
	return func(c *config) { c.rateLimit = simkit.RateLimit{Burst: burst, Per: per} }
}

// WithExpiry changes how long a payment stays payable; default 30 minutes.
func WithExpiry(d time.Duration) Option { return func(c *config) { c.expiry = d } }

// WithDelivery sets how many times a webhook is attempted (default 5) and
// the first wait between attempts, doubling after each (default 50ms).
func WithDelivery(attempts int, backoff time.Duration) Option {
	return func(c *config) { c.notifier.Attempts, c.notifier.Backoff = attempts, backoff }
}

// WithDeliveryTimeout bounds one webhook delivery attempt; default 5s.
func WithDeliveryTimeout(d time.Duration) Option {
	return func(c *config) { c.notifier.Timeout = d }
}
