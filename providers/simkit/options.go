package simkit

import "time"

// Configurable is a simulator's configuration that embeds Options: the
// option constructors below set it, so that every simulator offers the same
// options without writing them again.
type Configurable interface{ kitOptions() *Options }

func (o *Options) kitOptions() *Options { return o }

// WithClock makes the simulator read time from now (a ManualClock's Now,
// say) instead of the wall clock: expiry, timestamps and rate limits
// follow it.
func WithClock[C Configurable](now func() time.Time) func(C) {
	return func(c C) { c.kitOptions().Clock = now }
}

// WithRateLimit limits each caller to burst requests, refilled at burst per
// per; over it the API answers 429 with Retry-After. Off by default.
func WithRateLimit[C Configurable](burst int, per time.Duration) func(C) {
	return func(c C) { c.kitOptions().RateLimit = RateLimit{Burst: burst, Per: per} }
}

// WithDelivery sets how many times a notification is attempted (default 5)
// and the first wait between attempts, doubling after each (default 50ms).
func WithDelivery[C Configurable](attempts int, backoff time.Duration) func(C) {
	return func(c C) { c.kitOptions().Delivery.Attempts, c.kitOptions().Delivery.Backoff = attempts, backoff }
}

// WithDeliveryTimeout bounds one delivery attempt; default 5s.
func WithDeliveryTimeout[C Configurable](d time.Duration) func(C) {
	return func(c C) { c.kitOptions().Delivery.Timeout = d }
}

// WithExpiry sets how long a payment stays payable.
func WithExpiry[C Configurable](d time.Duration) func(C) {
	return func(c C) { c.kitOptions().Expiry = d }
}
