package ledger

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit bounds the reconciler's calls to one provider: on average one
// per Interval, with up to Burst at once.
type RateLimit struct {
	Interval time.Duration
	Burst    int
}

// DefaultRateLimit is the limit of a provider the configuration does not
// name: 10 calls a second, 10 at once.
var DefaultRateLimit = RateLimit{Interval: 100 * time.Millisecond, Burst: 10}

// throttle holds each provider's rate limiter and the pause a 429 asked
// for. Limiters read the Clock, so a manual clock drives them in tests.
type throttle struct {
	clock    Clock
	limits   map[string]RateLimit
	fallback RateLimit

	mu        sync.Mutex
	providers map[string]*providerThrottle
}

type providerThrottle struct {
	limiter *rate.Limiter
	mu      sync.Mutex
	until   time.Time // no call before this: the provider said 429
}

func newThrottle(clock Clock, limits map[string]RateLimit, fallback RateLimit) *throttle {
	return &throttle{clock: clock, limits: limits, fallback: fallback, providers: map[string]*providerThrottle{}}
}

func (t *throttle) of(provider string) *providerThrottle {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.providers[provider]
	if !ok {
		l, named := t.limits[provider]
		if !named {
			l = t.fallback
		}
		if l.Interval <= 0 {
			l.Interval = DefaultRateLimit.Interval
		}
		p = &providerThrottle{limiter: rate.NewLimiter(rate.Every(l.Interval), max(l.Burst, 1))}
		t.providers[provider] = p
	}
	return p
}

// errPaused is wait's answer while the provider is paused after a 429: the
// caller does not wait, but gives the work back until pausedUntil.
var errPaused = errors.New("ledger: provider paused after a 429")

// wait returns when a call to provider may be made within the rate limit,
// or errPaused at once while the provider is paused (also when a pause
// began while it waited for the limit).
func (t *throttle) wait(ctx context.Context, provider string) error {
	p := t.of(provider)
	now := t.clock.Now()
	if now.Before(p.pausedUntil()) {
		return errPaused
	}
	if err := t.clock.Sleep(ctx, p.limiter.ReserveN(now, 1).DelayFrom(now)); err != nil {
		return err
	}
	if t.clock.Now().Before(p.pausedUntil()) {
		return errPaused
	}
	return nil
}

// pausedUntil is when the pause a 429 asked of provider ends (zero or past:
// none).
func (t *throttle) pausedUntil(provider string) time.Time {
	return t.of(provider).pausedUntil()
}

func (p *providerThrottle) pausedUntil() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.until
}

// pause stops calls to provider for d from now.
func (t *throttle) pause(provider string, d time.Duration) {
	p := t.of(provider)
	until := t.clock.Now().Add(d)
	p.mu.Lock()
	if until.After(p.until) {
		p.until = until
	}
	p.mu.Unlock()
}
