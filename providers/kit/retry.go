package kit

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/mfspay/mfspay"
)

// withDefaults fills the zero fields of p from mfspay.DefaultRetryPolicy.
func withDefaults(p mfspay.RetryPolicy) mfspay.RetryPolicy {
	d := mfspay.DefaultRetryPolicy()
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
func backoff(p mfspay.RetryPolicy, attempt int, resp *http.Response, now time.Time) time.Duration {
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
