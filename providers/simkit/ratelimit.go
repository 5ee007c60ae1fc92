package simkit

import (
	"net/http"
	"sync"
	"time"
)

// RateLimit is a token bucket: Burst requests at once, refilled at Burst per
// Per. The zero value means no limit.
type RateLimit struct {
	Burst int
	Per   time.Duration
}

// Limiter enforces a RateLimit per key (an API key). A nil *Limiter allows
// everything, so simulators keep it off by default.
type Limiter struct {
	clock    Clock
	interval time.Duration // one token's worth of time
	burst    time.Duration // how far ahead of now the schedule may run
	mu       sync.Mutex
	tat      map[string]time.Time // theoretical arrival time per key
}

// NewLimiter returns a limiter for rl, or nil when rl is the zero value.
func NewLimiter(rl RateLimit, clock Clock) *Limiter {
	if rl.Burst <= 0 || rl.Per <= 0 {
		return nil
	}
	interval := max(rl.Per/time.Duration(rl.Burst), 1)
	return &Limiter{
		clock:    clock.orSystem(),
		interval: interval,
		burst:    interval * time.Duration(rl.Burst),
		tat:      map[string]time.Time{},
	}
}

// Allow takes a token for key. When none is left it reports false and how
// long until one is.
//
// It is the generic cell rate algorithm, an exact token bucket kept as one
// timestamp per key: integers only, no refill loop.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	if l == nil {
		return true, 0
	}
	now := l.clock()
	l.mu.Lock()
	defer l.mu.Unlock()
	tat := l.tat[key]
	if tat.Before(now) {
		tat = now
	}
	next := tat.Add(l.interval)
	if wait := next.Sub(now) - l.burst; wait > 0 {
		return false, wait
	}
	l.tat[key] = next
	return true, 0
}

// Middleware answers 429 with Retry-After (and deny's body, when given) to
// requests over the limit of the key that keyOf extracts.
func (l *Limiter) Middleware(keyOf func(*http.Request) string, deny func(w http.ResponseWriter, retryAfter time.Duration), next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := l.Allow(keyOf(r)); !ok {
			WriteTooManyRequests(w, wait, deny)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// WriteTooManyRequests answers 429 with a Retry-After header. deny, when
// set, writes the answer in the provider's format (Retry-After is already
// set; deny writes the status and body).
func WriteTooManyRequests(w http.ResponseWriter, wait time.Duration, deny func(http.ResponseWriter, time.Duration)) {
	w.Header().Set("Retry-After", RetryAfterSeconds(wait))
	if deny != nil {
		deny(w, wait)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	w.Write([]byte(`{"error":"Too Many Requests"}`))
}
