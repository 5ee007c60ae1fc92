package mfspay

import (
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
