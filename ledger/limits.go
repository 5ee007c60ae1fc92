package ledger

import (
	"context"
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

// wait returns when a call to provider may be made: after any pause, and
// within the rate limit.
func (t *throttle) wait(ctx context.Context, provider string) error {
	p := t.of(provider)
	for {
		now := t.clock.Now()
		p.mu.Lock()
		until := p.until
		p.mu.Unlock()
		if now.Before(until) {
			if err := t.clock.Sleep(ctx, until.Sub(now)); err != nil {
				return err
			}
			continue
		}
		return t.clock.Sleep(ctx, p.limiter.ReserveN(now, 1).DelayFrom(now))
	}
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
