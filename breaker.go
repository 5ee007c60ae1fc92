package mfspay

import (
	"context"
	"errors"
	"time"

	"github.com/sony/gobreaker/v2"
)

// BreakerState is the state of a circuit breaker.
type BreakerState int

// The breaker states.
const (
	BreakerClosed BreakerState = iota
	BreakerHalfOpen
	BreakerOpen
)

// String returns "closed", "half-open" or "open".
func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerHalfOpen:
		return "half-open"
	case BreakerOpen:
		return "open"
	}
	return "unknown"
}

// BreakerSettings configures the circuit breaker around a gateway.
//
// Outcomes of kind ErrUnavailable or ErrOutcomeUnknown count as failures,
// and so does a caller's deadline that expires while the provider has not
// answered: a hung provider must open the breaker even when every caller
// bounds its calls. Every other outcome, 4xx answers included, counts as
// success because the provider answered. The caller's own cancellation,
// ErrRateLimited, and a call that sent no request (its context had ended
// before a driver's kit.HTTPClient sent one, or its plugin client was
// closed) count as neither.
type BreakerSettings struct {
	// Disabled turns the breaker off.
	Disabled bool
	// FailureThreshold is how many consecutive failures open the breaker.
	FailureThreshold uint32
	// OpenTimeout is how long the breaker stays open before a probe.
	OpenTimeout time.Duration
	// HalfOpenProbes is how many successful probes close it again; while
	// they run, other calls fail fast.
	HalfOpenProbes uint32
	// OnStateChange, when set, is told about every transition, in order. It
	// runs while the breaker holds its lock: it must return quickly and must
	// not call back into the breaker or the gateway (State, BreakerStateOf,
	// any Gateway method), which would deadlock.
	OnStateChange func(provider string, from, to BreakerState)
}

// DefaultBreakerSettings returns the settings the built-in constructors use:
// open after 5 consecutive failures, probe after 30s, close after 1 success.
func DefaultBreakerSettings() BreakerSettings {
	return BreakerSettings{FailureThreshold: 5, OpenTimeout: 30 * time.Second, HalfOpenProbes: 1}
}

func (s BreakerSettings) withDefaults() BreakerSettings {
	d := DefaultBreakerSettings()
	if s.FailureThreshold == 0 {
		s.FailureThreshold = d.FailureThreshold
	}
	if s.OpenTimeout <= 0 {
		s.OpenTimeout = d.OpenTimeout
	}
	if s.HalfOpenProbes == 0 {
		s.HalfOpenProbes = d.HalfOpenProbes
	}
	return s
}

// breaker is the circuit breaker of one gateway instance, on gobreaker v2.
// NewGateway puts one around every driver.
type breaker struct {
	provider string
	cb       *gobreaker.CircuitBreaker[struct{}]
	// open holds one prebuilt error per operation so that failing fast
	// allocates nothing. Callers must not modify returned errors.
	open map[string]*Error
}

// The operations a breaker guards.
const (
	OpCreate = "create"
	OpVerify = "verify"
	OpList   = "list"
	// OpReturn is CompleteReturn, which acts at the provider (execute,
	// verify) and so is guarded like the others.
	OpReturn = "return"
)

// newBreaker returns a breaker for provider.
func newBreaker(provider string, s BreakerSettings) *breaker {
	s = s.withDefaults()
	b := &breaker{provider: provider, open: map[string]*Error{}}
	for _, op := range []string{OpCreate, OpVerify, OpList, OpReturn} {
		b.open[op] = &Error{Kind: ErrCircuitOpen, Provider: provider, Op: op,
			Message: "the provider is failing; no request was sent"}
	}
	threshold := s.FailureThreshold
	b.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        provider,
		MaxRequests: s.HalfOpenProbes,
		Timeout:     s.OpenTimeout,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= threshold },
		IsExcluded:  excludedFromBreaker,
		IsSuccessful: func(err error) bool {
			return !errors.Is(err, ErrUnavailable) && !errors.Is(err, ErrOutcomeUnknown) &&
				!errors.Is(err, context.DeadlineExceeded)
		},
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if s.OnStateChange != nil {
				s.OnStateChange(provider, breakerState(from), breakerState(to))
			}
		},
	})
	return b
}

// excludedFromBreaker reports outcomes that say nothing about the
// provider's health: the caller's own cancellation, a rate limit (the
// provider answered, and will again) and a call that ended before any
// request was sent (see notSent). A deadline that expires while a request
// is outstanding is not among them: the provider did not answer in time.
// (A call whose context had ended before the driver ran never reaches the
// breaker: the portable layer answers it.)
func excludedFromBreaker(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, ErrRateLimited) {
		return true
	}
	var ns notSent
	return errors.As(err, &ns) && ns.NotSent()
}

// notSent is implemented by the causes of calls that ended before any
// request was sent: kit's HTTP client when the context had ended before it
// sent one (a driver may make several requests per call), and a closed
// plugin client. Nothing reached the provider, so nothing is learnt of its
// health. The method is exported so that other packages can implement it;
// the interface stays private, being no promise to callers.
type notSent interface{ NotSent() bool }

func breakerState(s gobreaker.State) BreakerState {
	switch s {
	case gobreaker.StateHalfOpen:
		return BreakerHalfOpen
	case gobreaker.StateOpen:
		return BreakerOpen
	}
	return BreakerClosed
}

// State returns the breaker's current state.
func (b *breaker) State() BreakerState { return breakerState(b.cb.State()) }

// guard runs fn through breaker b for operation op (OpCreate, OpVerify or
// OpList). When the breaker is open it returns ErrCircuitOpen at once without
// calling fn. A nil b runs fn directly.
func guard[T any](b *breaker, op string, fn func() (T, error)) (T, error) {
	var out T
	if b == nil {
		return fn()
	}
	if b.cb.State() == gobreaker.StateOpen {
		return out, b.openError(op)
	}
	_, err := b.cb.Execute(func() (struct{}, error) {
		var err error
		out, err = fn()
		return struct{}{}, err
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return out, b.openError(op)
	}
	return out, err
}

func (b *breaker) openError(op string) error {
	if e, ok := b.open[op]; ok {
		return e
	}
	return &Error{Kind: ErrCircuitOpen, Provider: b.provider, Op: op}
}

// BreakerStateOf returns the state of g's circuit breaker, and false if g has
// none (its breaker is disabled, or g was not made by NewGateway).
func BreakerStateOf(g Gateway) (BreakerState, bool) {
	if bg, ok := g.(interface{ BreakerState() (BreakerState, bool) }); ok {
		return bg.BreakerState()
	}
	return BreakerClosed, false
}
