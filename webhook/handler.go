package webhook

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/mfspay/mfspay"
)

// Func is the merchant's callback. It receives each authenticated event
// once (see the package documentation for the exact guarantee) and returns
// nil once the event is durably handled; an error makes the provider
// deliver it again. It must be idempotent: a crash between its return and
// the de-duplication mark, an expired mark, or two replicas with separate
// stores can deliver an event twice.
type Func func(ctx context.Context, e *mfspay.Event) error

// Handler receives notifications for one or several gateways. Make it with
// New; it is safe for concurrent use.
type Handler struct {
	callback   Func
	byProvider map[string]*route
	only       *route // the route used when the path names no provider
	config            // the options, store and logger set to their defaults
}

// New returns a handler delivering events to callback from the gateways
// registered with Route. It panics on a programming error, as
// http.ServeMux does: a nil callback or gateway, no gateway, an empty
// provider name or one containing "/", or a provider routed twice.
//
// A gateway's Capabilities are read for each request, never at New, so a
// gateway may be routed before it is configured: a plugin opened without
// settings reports no capabilities until Client.Configure, answers its
// notifications 400 until then, and is confirmed (with Confirm) from its
// first notification after. New therefore accepts a gateway whose
// Capabilities are empty: through the Gateway interface "not configured
// yet" looks exactly like "cannot verify", which is a valid gateway.
func New(callback Func, opts ...Option) *Handler {
	if callback == nil {
		panic("webhook: New with a nil callback")
	}
	c := config{
		maxBody:      DefaultMaxBodyBytes,
		readTimeout:  DefaultReadTimeout,
		dedupTTL:     DefaultDedupTTL,
		lease:        DefaultLease,
		pathWildcard: "provider",
	}
	for _, o := range opts {
		o(&c)
	}
	h := &Handler{callback: callback, byProvider: map[string]*route{}, config: c}
	if h.store == nil {
		h.store = NewMemoryStore()
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if len(c.routes) == 0 {
		panic("webhook: New without a gateway; pass webhook.Route(gw)")
	}
	for i := range c.routes {
		r := &c.routes[i]
		if r.gw == nil {
			panic("webhook: Route with a nil gateway")
		}
		r.provider = r.gw.Provider()
		if r.provider == "" || strings.Contains(r.provider, "/") {
			panic("webhook: gateway provider name must be non-empty and contain no '/'")
		}
		if _, dup := h.byProvider[r.provider]; dup {
			panic("webhook: provider " + r.provider + " routed twice")
		}
		h.byProvider[r.provider] = r
	}
	if len(c.routes) == 1 {
		h.only = &c.routes[0]
	}
	return h
}

// ServeHTTP receives a notification for the provider named by the path
// wildcard (see PathWildcard), as in mux.Handle("/webhooks/{provider}", h).
// When the path names none and only one gateway is routed, that gateway
// receives it. An unknown provider is answered 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rt := h.routeOf(w, r); rt != nil {
		h.serve(w, r, rt)
	}
}

// routeOf returns the route the path names, or the only one when it names
// none; when there is none it answers 404 and returns nil.
func (h *Handler) routeOf(w http.ResponseWriter, r *http.Request) *route {
	name := r.PathValue(h.pathWildcard)
	rt := h.byProvider[name]
	if rt == nil && name == "" {
		rt = h.only
	}
	if rt == nil {
		h.finish(r.Context(), w, outNoRoute, logRecord{})
	}
	return rt
}

// For returns a handler receiving every request as a notification for
// provider, whatever its path: mux.Handle("/wezopay/ipn", h.For("wezopay")).
// It panics if provider was not routed.
func (h *Handler) For(provider string) http.Handler {
	rt := h.byProvider[provider]
	if rt == nil {
		panic("webhook: For(" + provider + "): provider not routed")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, rt) })
}

// serve runs the checks that need no body, reads it, and hands over.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, rt *route) {
	rec := logRecord{provider: rt.provider}
	if r.Method != http.MethodPost {
		h.finish(r.Context(), w, outMethod, rec)
		return
	}
	if !rt.acceptsContentType(r.Header.Get("Content-Type")) {
		h.finish(r.Context(), w, outMediaType, rec)
		return
	}
	body, o, ok := h.readBody(w, r)
	if !ok {
		h.finish(r.Context(), w, o, rec)
		return
	}
	ev, err := rt.gw.ParseWebhook(r.Context(), mfspay.WebhookRequest{
		Header: r.Header,
		Query:  r.URL.Query(),
		Body:   body,
	})
	if err != nil {
		h.finish(r.Context(), w, parseOutcome(err), rec)
		return
	}
	if ev == nil || ev.ID == "" {
		// The adapter broke its contract; a retry may meet a fixed one.
		h.finish(r.Context(), w, outInternal.with(errors.New("gateway returned an event without an ID")), rec)
		return
	}
	o, rec = h.process(r.Context(), rt, ev, SourceNotification)
	h.finish(r.Context(), w, o, rec)
}

// readBody reads the raw body once, under the size limit and within the
// read timeout.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, outcome, bool) {
	if r.ContentLength > h.maxBody {
		return nil, outTooLarge, false
	}
	// Without deadline support (a wrapping ResponseWriter without Unwrap)
	// only the server's own ReadTimeout bounds the read.
	rc := http.NewResponseController(w)
	bounded := rc.SetReadDeadline(time.Now().Add(h.readTimeout)) == nil
	body, err := readAll(http.MaxBytesReader(w, r.Body, h.maxBody), r.ContentLength)
	if err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return nil, outTooLarge, false
		case bounded && errors.Is(err, os.ErrDeadlineExceeded):
			// The deadline stays expired: net/http then closes the
			// connection rather than wait on this sender to drain the rest.
			return nil, outReadTimeout.with(errReadTimeout), false
		}
		return nil, outMalformed.with(err), false
	}
	if bounded {
		_ = rc.SetReadDeadline(time.Time{})
	}
	return body, outcome{}, true
}

// outReadTimeout answers a body not received within the read timeout: 408,
// so that a genuine provider retries.
var outReadTimeout = outcome{kind: "read-timeout", code: http.StatusRequestTimeout, text: "request timeout"}

var errReadTimeout = errors.New("the body was not received within the read timeout")

// readAll is io.ReadAll starting with a buffer of the declared length, so
// that a notification is read into one allocation of its size.
func readAll(r io.Reader, declared int64) ([]byte, error) {
	if declared <= 0 || declared > 64<<10 {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, declared+1) // +1: room to see the end without growing
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// parseOutcome maps a ParseWebhook error to its answer.
func parseOutcome(err error) outcome {
	switch {
	case errors.Is(err, mfspay.ErrInvalidSignature), errors.Is(err, mfspay.ErrUnauthorized):
		return outBadAuth.withGateway(err)
	case errors.Is(err, mfspay.ErrInvalidRequest):
		return outMalformed.withGateway(err)
	case errors.Is(err, mfspay.ErrNoEvent):
		return outAcknowledged.withGateway(err)
	case transient(err):
		// A plugin that crashed or timed out: the provider should retry.
		return outProvider.withGateway(err)
	}
	return outInternal.withGateway(err)
}

// transient reports whether err is worth retrying later.
func transient(err error) bool {
	return errors.Is(err, mfspay.ErrUnavailable) || errors.Is(err, mfspay.ErrCircuitOpen) ||
		errors.Is(err, mfspay.ErrRateLimited) || errors.Is(err, mfspay.ErrOutcomeUnknown) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

func (h *Handler) finish(ctx context.Context, w http.ResponseWriter, o outcome, rec logRecord) {
	o.write(w)
	h.log(ctx, o, rec)
}
