package webhook

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/mfspay/mfspay"
)

// outcome is how one request ended: the answer, and what the log line says.
type outcome struct {
	// kind names the outcome in the log ("delivered", "bad-signature"…).
	kind string
	code int
	// text is the fixed answer body; it never echoes the request.
	text string
	// err is the cause; gatewayErr says it came from a gateway, whose
	// messages may quote what the sender wrote, so only its kind is logged.
	err        error
	gatewayErr bool
}

// The outcomes. Bodies are fixed texts so that nothing the sender wrote, and
// nothing about why authentication failed, is ever reflected back.
var (
	outDelivered = outcome{kind: "delivered", code: http.StatusOK, text: "delivered"}
	outDuplicate = outcome{kind: "duplicate", code: http.StatusOK, text: "duplicate"}
	// outAcknowledged: authentic, and carrying no event to deliver (an SNS
	// subscription handshake).
	outAcknowledged = outcome{kind: "acknowledged", code: http.StatusOK, text: "acknowledged"}
	outRefused      = outcome{kind: "amount-mismatch", code: http.StatusOK, text: "not delivered"}
	outMalformed    = outcome{kind: "malformed", code: http.StatusBadRequest, text: "malformed notification"}
	outUnconfirmed  = outcome{kind: "not-confirmed", code: http.StatusBadRequest, text: "malformed notification"}
	outBadAuth      = outcome{kind: "bad-signature", code: http.StatusUnauthorized, text: "unauthorized"}
	outNoRoute      = outcome{kind: "unknown-provider", code: http.StatusNotFound, text: "unknown provider"}
	outMethod       = outcome{kind: "method-not-allowed", code: http.StatusMethodNotAllowed, text: "method not allowed"}
	outTooLarge     = outcome{kind: "too-large", code: http.StatusRequestEntityTooLarge, text: "notification too large"}
	outMediaType    = outcome{kind: "unsupported-media-type", code: http.StatusUnsupportedMediaType, text: "unsupported media type"}
	outCallback     = outcome{kind: "callback-failed", code: http.StatusInternalServerError, text: "delivery failed, retry later"}
	outHook         = outcome{kind: "mismatch-hook-failed", code: http.StatusInternalServerError, text: "delivery failed, retry later"}
	outInternal     = outcome{kind: "internal-error", code: http.StatusInternalServerError, text: "internal error, retry later"}
	outBusy         = outcome{kind: "in-flight", code: http.StatusServiceUnavailable, text: "in progress, retry later"}
	outStoreDown    = outcome{kind: "store-unavailable", code: http.StatusServiceUnavailable, text: "temporarily unavailable, retry later"}
	outProvider     = outcome{kind: "provider-unavailable", code: http.StatusServiceUnavailable, text: "temporarily unavailable, retry later"}
	outNotYet       = outcome{kind: "claim-ahead-of-provider", code: http.StatusServiceUnavailable, text: "temporarily unavailable, retry later"}
	outMerchant     = outcome{kind: "merchant-unavailable", code: http.StatusServiceUnavailable, text: "temporarily unavailable, retry later"}
)

// with returns o carrying err as its cause.
func (o outcome) with(err error) outcome {
	o.err = err
	return o
}

// withGateway returns o carrying err, an error returned by a gateway.
func (o outcome) withGateway(err error) outcome {
	o.err = err
	o.gatewayErr = true
	return o
}

// write sends the fixed answer, as http.Error would, with Cache-Control:
// no-store. It runs for every notification, so the header values share one
// allocation and the text is written without fmt.
func (o outcome) write(w http.ResponseWriter) {
	h := w.Header()
	if o.code == http.StatusMethodNotAllowed {
		h.Set("Allow", http.MethodPost)
	}
	h.Del("Content-Length")
	v := []string{"no-store", "text/plain; charset=utf-8", "nosniff"}
	h["Cache-Control"], h["Content-Type"], h["X-Content-Type-Options"] = v[0:1:1], v[1:2:2], v[2:3:3]
	w.WriteHeader(o.code)
	_, _ = io.WriteString(w, o.text)
	_, _ = io.WriteString(w, "\n")
}

// logRecord carries what one log line may say: nothing from the headers or
// the body beyond the event's own identifiers.
type logRecord struct {
	provider  string
	event     *mfspay.Event
	confirmed bool
	// source is what brought the event; empty for a notification.
	source Source
}

// log writes one line for the request. Gateway errors are logged by kind and
// field only; the callback's, the hook's and the store's errors are the
// merchant's own and are logged whole.
func (h *Handler) log(ctx context.Context, o outcome, rec logRecord) {
	level := slog.LevelInfo
	switch {
	case o.kind == outBusy.kind:
		// Expected whenever a provider retries quickly; nothing is wrong.
	case o.kind == outNotYet.kind:
		level = slog.LevelWarn
	case o.kind == outLeaseLost.kind, o.kind == outCommitFailed.kind:
		// Answered 200, but the event may reach the callback twice.
		level = slog.LevelError
	case o.code >= 500:
		level = slog.LevelError
	case o.code >= 400 || o.kind == outRefused.kind:
		level = slog.LevelWarn
	}
	if !h.logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("outcome", o.kind), slog.Int("status", o.code))
	if rec.provider != "" {
		attrs = append(attrs, slog.String("provider", rec.provider))
	}
	if rec.source != "" && rec.source != SourceNotification {
		attrs = append(attrs, slog.String("source", string(rec.source)))
	}
	if rec.event != nil {
		attrs = append(attrs,
			slog.String("event_id", rec.event.ID),
			slog.String("event_type", string(rec.event.Type)))
		if rec.confirmed {
			attrs = append(attrs, slog.Bool("confirmed", true))
		}
	}
	switch {
	case o.err == nil:
	case o.gatewayErr:
		kind := "unclassified"
		if k := mfspay.KindOf(o.err); k != nil {
			kind = k.Error()
		}
		attrs = append(attrs, slog.String("error_kind", kind))
		if me := (*mfspay.Error)(nil); errors.As(o.err, &me) && me.Field != "" {
			attrs = append(attrs, slog.String("error_field", me.Field))
		}
	default:
		attrs = append(attrs, slog.String("error", o.err.Error()))
	}
	h.logger.LogAttrs(ctx, level, "webhook", attrs...)
}
