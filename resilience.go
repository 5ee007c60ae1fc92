package mfspay

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
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

// HTTPClient returns an HTTPClient for provider under these settings,
// scrubbing secrets from every error it builds.
func (r Resilience) HTTPClient(provider string, secrets ...string) *HTTPClient {
	return NewHTTPClient(HTTPConfig{
		Provider:  provider,
		Retry:     r.Retry,
		Transport: r.Transport,
		Logger:    r.Logger,
		Secrets:   secrets,
		OnRetry:   r.OnRetry,
	})
}

// ReconcileCreate makes a create safe to repeat for providers that can look
// a payment up by invoice id. It calls create; when the outcome is unknown
// (the request may have reached the provider), it asks lookup before trying
// again: a payment that exists is returned instead of creating a second one,
// ErrNotFound allows one more create, and anything else leaves the outcome
// unknown. A duplicate-invoice answer on the repeat is resolved the same way,
// as the HTTP client already resolves one that answers a retry within a
// create (HTTPResponse.DuplicateKind makes it ErrOutcomeUnknown): whatever
// layer repeated the create, the earlier try may have made the payment now
// reported as taken. lookup returns the existing checkout for the invoice,
// an ErrNotFound, or an ErrDuplicate when the invoice belongs to a payment
// that does not match the request (another amount).
func ReconcileCreate(ctx context.Context, attempts int,
	create func(context.Context) (*Checkout, error),
	lookup func(context.Context) (*Checkout, error),
) (*Checkout, error) {
	if attempts < 1 {
		attempts = 1
	}
	var lastErr error
	for i := 0; i < attempts; i++ {
		co, err := create(ctx)
		if err == nil {
			return co, nil
		}
		retried := i > 0
		if !errors.Is(err, ErrOutcomeUnknown) && !(retried && errors.Is(err, ErrDuplicate)) {
			return nil, err
		}
		lastErr = err
		if ctx.Err() != nil {
			return nil, err
		}
		found, lerr := lookup(ctx)
		if lerr == nil && found == nil { // a lookup that answers nothing settles nothing.
			lerr = errors.New("lookup returned no checkout")
		}
		switch {
		case lerr == nil:
			return found, nil
		case errors.Is(lerr, ErrNotFound):
			continue // it never happened: creating again is safe.
		case errors.Is(lerr, ErrDuplicate):
			return nil, lerr
		default:
			return nil, outcomeUnknown(err, lerr)
		}
	}
	return nil, outcomeUnknown(lastErr, nil)
}

// outcomeUnknown keeps the create's error as the cause and says why the
// outcome could not be settled.
func outcomeUnknown(createErr, lookupErr error) error {
	var e *Error
	if !errors.As(createErr, &e) {
		return &Error{Kind: ErrOutcomeUnknown, Err: createErr}
	}
	out := *e
	out.Kind = ErrOutcomeUnknown
	if lookupErr != nil {
		out.Message = "the create may have happened and the lookup by invoice failed too"
	} else {
		out.Message = "the create may have happened; verify by invoice before trying again"
	}
	return &out
}
