package webhook

import (
	"context"
	"log/slog"
	"time"

	"github.com/mfspay/mfspay"
)

// Defaults of a Handler made without the matching options.
const (
	// DefaultMaxBodyBytes bounds a notification body (1 MiB).
	DefaultMaxBodyBytes = 1 << 20
	// DefaultDedupTTL is how long a delivered event is remembered. Providers
	// retry for minutes to days; a re-delivery later than this reaches the
	// callback again (with Confirm, as the provider's current state).
	DefaultDedupTTL = 72 * time.Hour
	// DefaultLease bounds the work on one delivery: confirmation, the
	// amount check and the callback. It is also how long a crashed
	// replica's claim on an event blocks its re-delivery.
	DefaultLease = time.Minute
	// DefaultReadTimeout bounds reading a notification's body. Providers
	// send a few hundred bytes at once; only a slow or hostile sender takes
	// longer.
	DefaultReadTimeout = 10 * time.Second
)

// Option configures a Handler.
type Option func(*config)

type config struct {
	routes       []route
	store        Store
	logger       *slog.Logger
	maxBody      int64
	readTimeout  time.Duration
	dedupTTL     time.Duration
	lease        time.Duration
	confirm      bool
	expect       ExpectedAmountFunc
	onMismatch   func(context.Context, AmountMismatch) error
	pathWildcard string
	returnTo     func(context.Context, *mfspay.Event) string
}

// Route registers gw: its notifications are authenticated and parsed by
// gw.ParseWebhook and confirmed (with Confirm) by gw.VerifyPayment. Each
// provider name may be routed once.
func Route(gw mfspay.Gateway, opts ...RouteOption) Option {
	return func(c *config) {
		r := route{gw: gw, contentTypes: []string{"application/json"}}
		for _, o := range opts {
			o(&r)
		}
		c.routes = append(c.routes, r)
	}
}

// WithStore replaces the default de-duplication store (a MemoryStore with
// DefaultMaxEntries). Use a shared store when several replicas serve the
// same webhook URL.
func WithStore(s Store) Option {
	return func(c *config) { c.store = s }
}

// WithLogger logs one line per request: outcome, provider, event id and
// status code, never a header, a secret or the body. The default logs
// nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// MaxBodyBytes bounds the notification body (default DefaultMaxBodyBytes);
// a larger one is answered 413. Values below 1 are ignored.
func MaxBodyBytes(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// ReadTimeout bounds how long reading a notification's body may take
// (default DefaultReadTimeout), counted from when the handler starts
// reading it, so that senders trickling a body cannot hold handlers before
// anything is authenticated. A body not received in time is answered 408
// Request Timeout (a genuine provider retries), nothing is delivered, the
// connection is closed, and the line logged names the outcome
// "read-timeout" without any of the body. Values below 1 are ignored.
//
// It is enforced with http.ResponseController.SetReadDeadline, which
// net/http's HTTP/1 and HTTP/2 servers support; a ResponseWriter wrapped by
// middleware must implement Unwrap, or only the server's own ReadTimeout
// bounds the read. Set the server's ReadHeaderTimeout and ReadTimeout too:
// this option covers the body, not the headers before it.
func ReadTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.readTimeout = d
		}
	}
}

// DedupTTL sets how long a delivered event is remembered (default
// DefaultDedupTTL). Values below 1 are ignored.
func DedupTTL(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.dedupTTL = d
		}
	}
}

// Lease bounds the work on one delivery (default DefaultLease): the context
// given to the callback ends when the lease does, and a delivery that never
// finished (a crashed replica) blocks re-deliveries of its event for at most
// this long. Keep it well below the provider's retry horizon. Values below
// 1 are ignored.
func Lease(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.lease = d
		}
	}
}

// Confirm re-reads every payment event from the provider with
// VerifyPayment before delivering it, for gateways whose Capabilities say
// they can verify, and delivers the provider's answer instead of the
// notification's claim. Capabilities are read for each request, so a
// gateway configured after New (a plugin) is confirmed from then on. See
// the package documentation for what happens when the two disagree and for
// gateways that cannot verify.
func Confirm() Option {
	return func(c *config) { c.confirm = true }
}

// ExpectedAmountFunc returns what the merchant expects to be paid for
// invoiceID at provider: ok is false when the merchant knows no such invoice;
// an error means the merchant's own store is unavailable (answered 503).
type ExpectedAmountFunc func(ctx context.Context, provider, invoiceID string) (expected mfspay.Amount, ok bool, err error)

// ExpectAmount checks every payment.completed event against what the
// merchant expects for its invoice. A completed payment for another amount,
// or for an invoice the merchant does not know, is never delivered: the
// OnAmountMismatch hook is told instead and the notification is answered 200.
func ExpectAmount(f ExpectedAmountFunc) Option {
	return func(c *config) { c.expect = f }
}

// AmountMismatch describes a completed payment that ExpectAmount refused.
type AmountMismatch struct {
	// Event is the event as it would have been delivered (confirmed, with
	// Confirm).
	Event mfspay.Event
	// Expected is what the merchant expects; zero when Known is false.
	Expected mfspay.Amount
	// Known is false when the merchant knows no such invoice.
	Known bool
}

// OnAmountMismatch sets the hook told about every completed payment that
// ExpectAmount refused. When it returns an error the notification is
// answered 500 and the provider's retry tells it again.
func OnAmountMismatch(f func(ctx context.Context, m AmountMismatch) error) Option {
	return func(c *config) { c.onMismatch = f }
}

// PathWildcard names the path wildcard ServeHTTP reads the provider from
// (default "provider", as in the pattern "/webhooks/{provider}").
func PathWildcard(name string) Option {
	return func(c *config) {
		if name != "" {
			c.pathWildcard = name
		}
	}
}
