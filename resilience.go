package mfspay

import (
	"log/slog"
	"net/http"
	"time"
)

// Resilience bundles the shared resilience settings an adapter's Config
// carries: the retry policy of its HTTP client and the breaker around the
// gateway. The zero value means the defaults, both on.
type Resilience struct {
	// Retry is the HTTP retry policy; zero fields take DefaultRetryPolicy.
	Retry RetryPolicy
	// Breaker configures the circuit breaker; zero fields take
	// DefaultBreakerSettings. Plugins run with it disabled because the host
	// applies its own: a layer is never applied twice.
	Breaker BreakerSettings
	// Transport carries HTTP requests; nil means a pooled transport.
	Transport http.RoundTripper
	// Logger receives debug lines about attempts; nil logs nothing.
	Logger *slog.Logger
	// OnRetry is told about every retry.
	OnRetry func(RetryEvent)
}

// RetryEvent describes one retry decision, for metrics and tests.
type RetryEvent struct {
	Provider string
	Op       string
	// Attempt is the number of the attempt that just failed, from 1.
	Attempt int
	// Wait is how long the client waits before the next attempt.
	Wait time.Duration
	// StatusCode is the failed attempt's HTTP status, 0 for a network error.
	StatusCode int
	// Reason describes a network error, empty for an HTTP status.
	Reason string
}
