package mfspay

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The error kinds. Every error a Gateway returns is an *Error whose Kind is one
// of these, so callers write errors.Is(err, mfspay.ErrNotFound). Kinds survive
// the plugin boundary.
var (
	// ErrInvalidRequest: the request is malformed; nothing was (or should be)
	// sent. Not retryable as is.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrUnauthorized: the credentials were missing or wrong.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: the credentials lack the ability for this operation.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: the provider knows no such payment.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: the invoice id was already used for another payment.
	ErrDuplicate = errors.New("duplicate")
	// ErrRateLimited: the provider asked us to slow down; see Error.RetryAfter.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable: the provider could not be reached or failed (5xx,
	// network, timeout, plugin crash). Reads may be retried later.
	ErrUnavailable = errors.New("unavailable")
	// ErrCircuitOpen: the circuit breaker is open; no request was sent.
	ErrCircuitOpen = errors.New("circuit open")
	// ErrUnsupported: the gateway does not offer this operation.
	ErrUnsupported = errors.New("unsupported")
	// ErrInvalidSignature: a notification failed authentication.
	ErrInvalidSignature = errors.New("invalid signature")
	// ErrOutcomeUnknown: a create may or may not have happened at the
	// provider. Do not create again blindly; verify by invoice first.
	ErrOutcomeUnknown = errors.New("outcome unknown")
	// ErrNoEvent: an authentic notification that carries no payment event
	// (a subscription handshake, a provider's ping). The webhook handler
	// answers it 200 and delivers nothing.
	ErrNoEvent = errors.New("no event")
)

// Kinds lists every error kind, in a fixed order.
var Kinds = []error{
	ErrInvalidRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrDuplicate,
	ErrRateLimited, ErrUnavailable, ErrCircuitOpen, ErrUnsupported,
	ErrInvalidSignature, ErrOutcomeUnknown, ErrNoEvent,
}

// KindOf returns the kind of err, or nil if err carries none.
func KindOf(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Kind != nil {
		return e.Kind
	}
	for _, k := range Kinds {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// KindByName returns the kind whose Error() is name, for decoding kinds that
// crossed a process boundary.
func KindByName(name string) error {
	for _, k := range Kinds {
		if k.Error() == name {
			return k
		}
	}
	return nil
}

// Error is the one error type of mfspay.
//
// Its text never contains an API key or webhook secret: adapters build Message
// from provider bodies only after scrubbing their configured secrets.
type Error struct {
	// Kind is one of the sentinel kinds above.
	Kind error
	// Provider and Op say where it happened ("wezopay", "verify").
	Provider string
	Op       string
	// HTTPStatus is the provider's status code, 0 if no response came.
	HTTPStatus int
	// Code and Message are the provider's own error code and text.
	Code    string
	Message string
	// Field names the offending request field for ErrInvalidRequest.
	Field string
	// RetryAfter is how long the provider asked us to wait, if it said.
	RetryAfter time.Duration
	// Err is the underlying cause, if any.
	Err error
}

// Error formats the error as "provider op: kind: message (HTTP n, code c): cause".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Provider != "" {
		b.WriteString(e.Provider)
	}
	if e.Op != "" {
		if e.Provider != "" {
			b.WriteByte(' ')
		}
		b.WriteString(e.Op)
	}
	if e.Provider != "" || e.Op != "" {
		b.WriteString(": ")
	}
	if e.Kind != nil {
		b.WriteString(e.Kind.Error())
	} else {
		b.WriteString("error")
	}
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.HTTPStatus != 0 || e.Code != "" {
		b.WriteString(" (")
		if e.HTTPStatus != 0 {
			b.WriteString("HTTP ")
			b.WriteString(strconv.Itoa(e.HTTPStatus))
		}
		if e.Code != "" {
			if e.HTTPStatus != 0 {
				b.WriteString(", ")
			}
			b.WriteString("code ")
			b.WriteString(e.Code)
		}
		b.WriteByte(')')
	}
	if e.RetryAfter > 0 {
		b.WriteString(" retry after ")
		b.WriteString(e.RetryAfter.String())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Is reports whether target is e's kind. errors.Is consults it before
// Unwrap, so the usual errors.Is(err, mfspay.ErrNotFound) allocates nothing.
func (e *Error) Is(target error) bool { return e.Kind != nil && e.Kind == target }

// Unwrap exposes both the kind and the cause to errors.Is and errors.As.
// The returned slice must not be modified.
func (e *Error) Unwrap() []error {
	switch {
	case e.Kind != nil && e.Err != nil:
		return []error{e.Kind, e.Err}
	case e.Kind != nil:
		for i, k := range kindList {
			if k == e.Kind {
				return kindList[i : i+1 : i+1] // shared, so a kind alone costs no allocation.
			}
		}
		return []error{e.Kind}
	case e.Err != nil:
		return []error{e.Err}
	}
	return nil
}

// kindList is a private copy of Kinds that callers cannot change.
var kindList = slices.Clone(Kinds)

// invalid returns an ErrInvalidRequest naming field, as the shared
// validation reports it.
func invalid(op, field, message string) *Error {
	return &Error{Kind: ErrInvalidRequest, Op: op, Field: field, Message: message}
}
