package mfspay

import (
	"bytes"
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
)

// Kinds lists every error kind, in a fixed order.
var Kinds = []error{
	ErrInvalidRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrDuplicate,
	ErrRateLimited, ErrUnavailable, ErrCircuitOpen, ErrUnsupported,
	ErrInvalidSignature, ErrOutcomeUnknown,
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

// Invalid returns an ErrInvalidRequest naming field.
func Invalid(provider, op, field, message string) *Error {
	return &Error{Kind: ErrInvalidRequest, Provider: provider, Op: op, Field: field, Message: message}
}

// Unsupported returns an ErrUnsupported for op.
func Unsupported(provider, op string) *Error {
	return &Error{Kind: ErrUnsupported, Provider: provider, Op: op, Message: "the provider offers no such operation"}
}

// KindForStatus maps an HTTP status code from a provider to an error kind:
// 400 and 422 invalid request, 401 unauthorized, 403 forbidden, 404 not
// found, 409 duplicate, 429 rate limited, 5xx unavailable. Other 4xx are
// invalid requests. It returns nil for 1xx-3xx.
func KindForStatus(status int) error {
	switch {
	case status == 401:
		return ErrUnauthorized
	case status == 403:
		return ErrForbidden
	case status == 404:
		return ErrNotFound
	case status == 409:
		return ErrDuplicate
	case status == 429:
		return ErrRateLimited
	case status >= 500:
		return ErrUnavailable
	case status >= 400:
		return ErrInvalidRequest
	}
	return nil
}

// Redact replaces every occurrence of each non-empty secret in s with
// "[REDACTED]". Adapters pass provider text through it before it can reach an
// error or a log.
//
// A secret is found in every form provider text may carry it in: as is,
// JSON-escaped (\/, \", \u0026, \uXXXX for any character), URL-encoded
// (%XX in either case, + for a space) or HTML-escaped (&amp;, &#39;, &#x27;),
// and two of these layered; the whole escaped form is replaced. Text holding
// no secret is returned unchanged, escapes included.
//
// Occurrences that overlap or touch (one secret inside another, or two
// sharing characters) are replaced as one run, so no part of any secret is
// left visible.
func Redact(s string, secrets ...string) string {
	var hidden []bool
	hide := func(from, to int) {
		if hidden == nil {
			hidden = make([]bool, len(s))
		}
		for k := from; k < to; k++ {
			hidden[k] = true
		}
	}
	some := false
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		some = true
		for i := 0; ; {
			j := strings.Index(s[i:], sec)
			if j < 0 {
				break
			}
			hide(i+j, i+j+len(sec))
			i += j + 1
		}
	}
	if !some {
		return s
	}
	forEachDecoding(s, func(v *decodedView) {
		for _, sec := range secrets {
			for i := 0; sec != ""; {
				j := bytes.Index(v.text[i:], []byte(sec))
				if j < 0 {
					break
				}
				hide(v.span(i+j, i+j+len(sec)))
				i += j + 1
			}
		}
	})
	if hidden == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if !hidden[i] {
			b.WriteByte(s[i])
			continue
		}
		b.WriteString("[REDACTED]")
		for i+1 < len(s) && hidden[i+1] {
			i++
		}
	}
	return b.String()
}
