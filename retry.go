package mfspay

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy is the payment-safe retry policy of HTTPClient.
//
// Reads (verify, list) are retried on network errors, timeouts, 429 and 5xx
// other than 501. A create is retried only when the request provably never
// reached the provider (no connection was made) or on 429, never below the
// policy by the transport itself (see HTTPRequest.Idempotent). Waits use full
// jitter: a random duration up to MinBackoff*2^attempt, at most MaxBackoff.
// A Retry-After header on 429 or 503 replaces the jitter; one longer than
// MaxRetryAfter is not waited for: the call fails at once with
// ErrRateLimited (or ErrUnavailable) carrying the provider's RetryAfter, so
// the caller can schedule the retry itself.
type RetryPolicy struct {
	// MaxAttempts counts every attempt, the first included. 1 disables retries.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the jittered wait between attempts.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// MaxRetryAfter caps how long a Retry-After header is honoured.
	MaxRetryAfter time.Duration
	// AttemptTimeout bounds each attempt, response body included. The
	// caller's context bounds the whole call.
	AttemptTimeout time.Duration
}

// DefaultRetryPolicy returns the policy the built-in constructors use:
// 4 attempts, 200ms–5s full-jitter backoff, Retry-After honoured up to 10s,
// 15s per attempt.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:    4,
		MinBackoff:     200 * time.Millisecond,
		MaxBackoff:     5 * time.Second,
		MaxRetryAfter:  10 * time.Second,
		AttemptTimeout: 15 * time.Second,
	}
}

// withDefaults fills zero fields from DefaultRetryPolicy.
func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = d.MinBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = d.MaxBackoff
	}
	if p.MaxBackoff < p.MinBackoff {
		p.MaxBackoff = p.MinBackoff
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	if p.AttemptTimeout <= 0 {
		p.AttemptTimeout = d.AttemptTimeout
	}
	return p
}

// backoff returns the wait before retry number attempt (0-based): the
// provider's Retry-After when it sent one (capped), else full jitter.
func (p RetryPolicy) backoff(attempt int, resp *http.Response, now time.Time) time.Duration {
	if resp != nil {
		if ra, ok := retryAfter(resp, now); ok {
			return min(ra, p.MaxRetryAfter)
		}
	}
	ceiling := p.MaxBackoff
	// MinBackoff<<attempt <= MaxBackoff, written so the shift cannot overflow.
	if attempt < 63 && p.MinBackoff > 0 && p.MinBackoff <= ceiling>>attempt {
		ceiling = p.MinBackoff << attempt
	}
	return rand.N(ceiling + 1)
}

// retryAfter reads a Retry-After header (seconds or HTTP date) from a 429 or
// 503 response.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	return ParseRetryAfter(resp.Header.Get("Retry-After"), now)
}

// ParseRetryAfter parses a Retry-After value: delay seconds or an HTTP date.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
