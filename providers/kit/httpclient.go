package kit

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/mfspay/mfspay"
)

// DefaultMaxResponseBytes bounds how much of a provider response is read.
const DefaultMaxResponseBytes = 1 << 20

// HTTPConfig configures an HTTPClient.
type HTTPConfig struct {
	// Provider names the gateway in errors and logs.
	Provider string
	// Retry is the retry policy; zero fields take DefaultRetryPolicy values.
	Retry mfspay.RetryPolicy
	// Transport carries the requests; nil means a pooled http.Transport.
	Transport http.RoundTripper
	// Logger receives one debug line per attempt (method, path without query,
	// status, duration) and nothing else; nil logs nothing.
	Logger *slog.Logger
	// Secrets are scrubbed from any provider text kept in an error.
	Secrets []string
	// OnRetry, when set, is told about every retry before its wait.
	OnRetry func(mfspay.RetryEvent)
	// MaxResponseBytes bounds a response body; 0 means DefaultMaxResponseBytes.
	MaxResponseBytes int64
}

// HTTPRequest is one logical call to a provider's API.
type HTTPRequest struct {
	// Op names the operation ("create", "verify", "list") in errors and logs.
	Op     string
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Idempotent marks a read that may be repeated freely. A request that is
	// not idempotent (a create) is retried only when it provably never reached
	// the provider, or on 429, and only by the retry policy: the transport is
	// given no way to rewind its body and re-send it by itself.
	Idempotent bool
}

// HTTPResponse is the provider's final answer, whatever its status code.
type HTTPResponse struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Attempts is how many attempts the call took.
	Attempts int
	// idempotent remembers the request's kind for StatusError.
	idempotent bool
}

// OK reports a 2xx status.
func (r *HTTPResponse) OK() bool { return r.StatusCode >= 200 && r.StatusCode < 300 }

// DuplicateKind is the kind of an answer saying that a create's invoice id
// is taken. Answering the call's first attempt it is ErrDuplicate; answering
// a retry it is ErrOutcomeUnknown, because an earlier attempt may have made
// the very payment it reports (the provider acted, then answered 429 or
// timed out), so the adapter must look the invoice up rather than refuse
// its own payment. Every duplicate classification goes through it:
// StatusError for 409, and adapters for their own duplicate answers.
func (r *HTTPResponse) DuplicateKind() error {
	if !r.idempotent && r.Attempts > 1 {
		return mfspay.ErrOutcomeUnknown
	}
	return mfspay.ErrDuplicate
}

// HTTPClient is the payment-safe HTTP client every adapter shares: retries by
// go-retryablehttp under RetryPolicy, a per-attempt timeout, bounded response
// bodies, and errors that never carry URLs, headers or secrets.
type HTTPClient struct {
	provider string
	policy   mfspay.RetryPolicy
	http     *http.Client
	logger   *slog.Logger
	secrets  []string
	onRetry  func(mfspay.RetryEvent)
	maxBody  int64
	agent    string
}

// NewHTTPClient returns an HTTPClient for one provider.
func NewHTTPClient(cfg HTTPConfig) *HTTPClient {
	base := cfg.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		base = t
	}
	policy := withDefaults(cfg.Retry)
	maxBody := cfg.MaxResponseBytes
	if maxBody <= 0 {
		maxBody = DefaultMaxResponseBytes
	}
	return &HTTPClient{
		provider: cfg.Provider,
		policy:   policy,
		http: &http.Client{
			Transport: &traceTransport{base: base, logger: cfg.Logger, provider: cfg.Provider},
			Timeout:   policy.AttemptTimeout,
			// A payment API has no business redirecting; following one could
			// turn a POST into something else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		logger:  cfg.Logger,
		secrets: append([]string(nil), cfg.Secrets...),
		onRetry: cfg.OnRetry,
		maxBody: maxBody,
		agent:   "mfspay/" + mfspay.Version + " (" + cfg.Provider + ")",
	}
}

// Policy returns the effective retry policy.
func (c *HTTPClient) Policy() mfspay.RetryPolicy { return c.policy }

// CloseIdleConnections closes idle keep-alive connections.
func (c *HTTPClient) CloseIdleConnections() { c.http.CloseIdleConnections() }

// callState follows one logical call across its attempts.
type callState struct {
	idempotent bool
	attempts   atomic.Int32
	// connected says the current attempt got a connection, so its bytes may
	// have reached the provider.
	connected  atomic.Bool
	body       []byte
	lastStatus int
	lastErr    error
}

type callStateKey struct{}

// Do performs the call under the retry policy. It returns the final response
// for any HTTP status (map non-2xx with StatusError), or an *Error when no
// response came: ErrUnavailable, or ErrOutcomeUnknown for a non-idempotent
// request that may have reached the provider. The caller's context bounds
// everything, backoff waits included.
func (c *HTTPClient) Do(ctx context.Context, r HTTPRequest) (*HTTPResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: c.provider, Op: r.Op,
			Message: "call ended by the caller's context before it was sent", Err: &endedBeforeSending{err}}
	}
	st := &callState{idempotent: r.Idempotent}
	ctx = context.WithValue(ctx, callStateKey{}, st)
	// Traced once for every attempt, rather than by cloning each attempt's
	// request in the transport.
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { st.connected.Store(true) }})

	var body any
	if r.Body != nil {
		body = r.Body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, &mfspay.Error{Kind: mfspay.ErrInvalidRequest, Provider: c.provider, Op: r.Op, Message: "cannot build request"}
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.agent)
	}
	req.SetResponseHandler(func(resp *http.Response) error {
		b, err := c.readBody(resp)
		st.body = b
		return err
	})

	rc := &retryablehttp.Client{
		HTTPClient:   c.http,
		RetryWaitMin: c.policy.MinBackoff,
		RetryWaitMax: c.policy.MaxBackoff,
		RetryMax:     c.policy.MaxAttempts - 1,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			return c.checkRetry(ctx, st, resp, err)
		},
		Backoff: func(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
			wait := backoff(c.policy, attempt, resp, time.Now())
			if c.onRetry != nil {
				ev := mfspay.RetryEvent{Provider: c.provider, Op: r.Op, Attempt: attempt + 1, Wait: wait, StatusCode: st.lastStatus}
				if st.lastErr != nil {
					ev.StatusCode, ev.Reason = 0, c.describe(st.lastErr)
				}
				c.onRetry(ev)
			}
			return wait
		},
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) { return resp, err },
	}

	resp, err := rc.Do(req)
	attempts := int(st.attempts.Load())
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, c.transportError(ctx, r.Op, st, err)
	}
	out := &HTTPResponse{StatusCode: resp.StatusCode, Header: resp.Header, Body: st.body, Attempts: attempts, idempotent: r.Idempotent}
	if st.body == nil {
		// The retries ran out on a retryable status: the response handler did
		// not run, so read the final body here.
		b, err := c.readBody(resp)
		if err != nil && !r.Idempotent {
			return nil, c.transportError(ctx, r.Op, st, err)
		}
		out.Body = b
	}
	return out, nil
}

func (c *HTTPClient) readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > c.maxBody {
		return b[:c.maxBody], errResponseTooLarge
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

var errResponseTooLarge = errors.New("response body too large")

// endedBeforeSending is the cause of a call whose context had ended before
// any request was sent. It unwraps to the context's error, which callers
// test for; the breaker recognises it by its NotSent method (mfspay's
// notSent) as saying nothing about the provider, unlike a deadline that
// expires while a request is outstanding.
type endedBeforeSending struct{ ctxErr error }

func (e *endedBeforeSending) Error() string { return e.ctxErr.Error() }
func (e *endedBeforeSending) Unwrap() error { return e.ctxErr }

// NotSent reports that no request was sent, for the circuit breaker.
func (e *endedBeforeSending) NotSent() bool { return true }

// checkRetry is the payment-safe retry decision.
func (c *HTTPClient) checkRetry(ctx context.Context, st *callState, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		st.lastErr = err
		if !retryableTransportError(err) {
			return false, nil
		}
		// A read may be repeated; a create only if no connection was made.
		return st.idempotent || !st.connected.Load(), nil
	}
	st.lastErr, st.lastStatus = nil, resp.StatusCode
	retryable := resp.StatusCode == http.StatusTooManyRequests ||
		st.idempotent && resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented
	if !retryable {
		return false, nil
	}
	if ra, ok := retryAfter(resp, time.Now()); ok && ra > c.policy.MaxRetryAfter {
		return false, nil // not worth waiting here; the caller gets RetryAfter.
	}
	// The provider answered and turned the attempt down (a create is only
	// retried on 429), so nothing happened: if the caller gives up during
	// the wait, the outcome is known, not ErrOutcomeUnknown.
	st.connected.Store(false)
	return true, nil
}

// retryableTransportError rules out errors that a retry cannot mend.
func retryableTransportError(err error) bool {
	if errors.Is(err, errResponseTooLarge) {
		return false
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return false
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) && urlErr.Op != "" && errors.Is(urlErr.Err, http.ErrSchemeMismatch) {
		return false
	}
	return true
}

// transportError maps a failure with no usable response to an *Error.
func (c *HTTPClient) transportError(ctx context.Context, op string, st *callState, err error) *mfspay.Error {
	kind := mfspay.ErrUnavailable
	if !st.idempotent && st.connected.Load() {
		kind = mfspay.ErrOutcomeUnknown
	}
	e := &mfspay.Error{Kind: kind, Provider: c.provider, Op: op}
	if ctxErr := ctx.Err(); ctxErr != nil {
		// Only the caller's own cancellation or deadline unwraps to the
		// context errors; a per-attempt timeout stays ErrUnavailable.
		e.Err = ctxErr
		e.Message = "call ended by the caller's context"
		return e
	}
	e.Message = c.describe(err)
	return e
}

// describe renders a transport error without the URL (and so without any
// query string) and without secrets.
func (c *HTTPClient) describe(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	return Redact(err.Error(), c.secrets...)
}

// StatusError maps a non-2xx response to an *Error: the kind from the status
// code (see KindForStatus), the provider's code and message scrubbed of
// secrets, and Retry-After when sent. A 5xx or unexpected (1xx, 3xx) answer
// to a request that is not idempotent is ErrOutcomeUnknown: the provider, or
// whatever answered for it, may have acted before failing. So is a 409 to a
// create's retry (see HTTPResponse.DuplicateKind).
func (c *HTTPClient) StatusError(op string, resp *HTTPResponse, code, message string) *mfspay.Error {
	e := &mfspay.Error{
		Kind:       KindForStatus(resp.StatusCode),
		Provider:   c.provider,
		Op:         op,
		HTTPStatus: resp.StatusCode,
		Code:       Redact(code, c.secrets...),
		Message:    c.ErrorText(message),
	}
	switch e.Kind {
	case nil:
		e.Kind = mfspay.ErrUnavailable
		e.Message = fmt.Sprintf("unexpected status %d", resp.StatusCode)
	case mfspay.ErrDuplicate:
		e.Kind = resp.DuplicateKind()
	}
	// Only 5xx and unexpected statuses are ErrUnavailable here; for a create
	// either may follow the provider's work (a framework redirecting after a
	// POST, say), so neither may read as "nothing happened".
	if e.Kind == mfspay.ErrUnavailable && !resp.idempotent {
		e.Kind = mfspay.ErrOutcomeUnknown
	}
	if ra, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = ra
	}
	return e
}

// Redact scrubs the client's secrets from s.
func (c *HTTPClient) Redact(s string) string { return Redact(s, c.secrets...) }

// ErrorText is provider text fit to keep in an error's message: scrubbed of
// the client's secrets, then cut to 512 bytes on a rune boundary. It is
// scrubbed before it is cut: a cut could split a secret and leave its
// first characters unrecognised.
func (c *HTTPClient) ErrorText(s string) string { return truncate(c.Redact(s), 512) }

// truncate shortens s to at most n bytes, cutting on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// traceTransport marks, per attempt, whether a connection was obtained (the
// line between "never reached the provider" and "may have") and logs one
// line per attempt without query strings or headers.
type traceTransport struct {
	base     http.RoundTripper
	logger   *slog.Logger
	provider string
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the base
// transport.
func (t *traceTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

func (t *traceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	st, _ := req.Context().Value(callStateKey{}).(*callState)
	if st != nil {
		st.attempts.Add(1)
		st.connected.Store(false) // until Do's trace sees this attempt get a connection
	}
	if (st == nil || !st.idempotent) && req.GetBody != nil {
		// A transport that can rewind the body may send it again by itself
		// within one attempt, unseen by the policy: Go's HTTP/2 client does
		// when the provider resets the stream (PROTOCOL_ERROR) after the
		// whole body arrived, and its HTTP/1.1 client when a reused
		// connection breaks under a POST it deems replayable (one with an
		// Idempotency-Key header). Only the payment-safe policy may repeat
		// a create, so the transport gets a body it cannot rewind and
		// returns the error instead; the policy then retries the create
		// only if no connection was made.
		req = req.WithContext(req.Context()) // a shallow copy: RoundTrip must not change req
		req.GetBody = nil
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if t.logger != nil && t.logger.Enabled(req.Context(), slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("provider", t.provider),
			slog.String("method", req.Method),
			slog.String("path", req.URL.Path),
			slog.Duration("duration", time.Since(start)),
		}
		if st != nil {
			attrs = append(attrs, slog.Int("attempt", int(st.attempts.Load())))
		}
		if err != nil {
			attrs = append(attrs, slog.Bool("network_error", true))
		} else {
			attrs = append(attrs, slog.Int("status", resp.StatusCode))
		}
		t.logger.LogAttrs(req.Context(), slog.LevelDebug, "mfspay http attempt", attrs...)
	}
	return resp, err
}

// NewClient returns the HTTPClient of provider under the resilience an
// adapter's Config carries (retry policy, transport, logger, OnRetry),
// scrubbing secrets from every error it builds.
func NewClient(provider string, r mfspay.Resilience, secrets ...string) *HTTPClient {
	return NewHTTPClient(HTTPConfig{
		Provider:  provider,
		Retry:     r.Retry,
		Transport: r.Transport,
		Logger:    r.Logger,
		Secrets:   secrets,
		OnRetry:   r.OnRetry,
	})
}
