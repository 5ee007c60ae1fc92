package plugins

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// Logging crosses the process boundary as hclog JSON lines on the plugin's
// stderr, which go-plugin parses on the host. slogHCLog feeds those lines
// (and go-plugin's own messages) to the host's *slog.Logger at their level;
// hclogHandler lets plugin code log through log/slog into that stream.

// slogLevelTrace is where hclog's Trace lands in slog: below Debug.
const slogLevelTrace = slog.LevelDebug - 4

func toSlogLevel(l hclog.Level) slog.Level {
	switch l {
	case hclog.Trace:
		return slogLevelTrace
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	}
	return slog.LevelInfo
}

func toHCLogLevel(l slog.Level) hclog.Level {
	switch {
	case l < slog.LevelDebug:
		return hclog.Trace
	case l < slog.LevelInfo:
		return hclog.Debug
	case l < slog.LevelWarn:
		return hclog.Info
	case l < slog.LevelError:
		return hclog.Warn
	}
	return hclog.Error
}

// slogHCLog is an hclog.Logger writing to a *slog.Logger.
type slogHCLog struct {
	l       *slog.Logger
	name    string
	implied []any
}

var _ hclog.Logger = (*slogHCLog)(nil)

func newSlogHCLog(l *slog.Logger) *slogHCLog {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return &slogHCLog{l: l}
}

func (h *slogHCLog) Log(level hclog.Level, msg string, args ...any) {
	sl := toSlogLevel(level)
	ctx := context.Background()
	if !h.l.Enabled(ctx, sl) {
		return
	}
	attrs := make([]any, 0, len(h.implied)+len(args)+2)
	if h.name != "" {
		attrs = append(attrs, "logger", h.name)
	}
	attrs = append(attrs, h.implied...)
	attrs = append(attrs, args...)
	h.l.Log(ctx, sl, msg, attrs...)
}

func (h *slogHCLog) Trace(msg string, args ...any) { h.Log(hclog.Trace, msg, args...) }
func (h *slogHCLog) Debug(msg string, args ...any) { h.Log(hclog.Debug, msg, args...) }
func (h *slogHCLog) Info(msg string, args ...any)  { h.Log(hclog.Info, msg, args...) }
func (h *slogHCLog) Warn(msg string, args ...any)  { h.Log(hclog.Warn, msg, args...) }
func (h *slogHCLog) Error(msg string, args ...any) { h.Log(hclog.Error, msg, args...) }

func (h *slogHCLog) enabled(l hclog.Level) bool {
	return h.l.Enabled(context.Background(), toSlogLevel(l))
}

func (h *slogHCLog) IsTrace() bool { return h.enabled(hclog.Trace) }
func (h *slogHCLog) IsDebug() bool { return h.enabled(hclog.Debug) }
func (h *slogHCLog) IsInfo() bool  { return h.enabled(hclog.Info) }
func (h *slogHCLog) IsWarn() bool  { return h.enabled(hclog.Warn) }
func (h *slogHCLog) IsError() bool { return h.enabled(hclog.Error) }

func (h *slogHCLog) ImpliedArgs() []any { return h.implied }

func (h *slogHCLog) With(args ...any) hclog.Logger {
	c := *h
	c.implied = append(append([]any(nil), h.implied...), args...)
	return &c
}

func (h *slogHCLog) Name() string { return h.name }

func (h *slogHCLog) Named(name string) hclog.Logger {
	if h.name != "" {
		name = h.name + "." + name
	}
	return h.ResetNamed(name)
}

func (h *slogHCLog) ResetNamed(name string) hclog.Logger {
	c := *h
	c.name = name
	return &c
}

// SetLevel does nothing: the slog handler decides.
func (h *slogHCLog) SetLevel(hclog.Level) {}

// GetLevel reports the most verbose level the slog handler accepts, so that
// go-plugin skips parsing lines nobody will see.
func (h *slogHCLog) GetLevel() hclog.Level {
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		if h.enabled(l) {
			return l
		}
	}
	return hclog.Off
}

func (h *slogHCLog) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(h.StandardWriter(opts), "", 0)
}

func (h *slogHCLog) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return &lineWriter{log: func(line string) { h.Info(line) }}
}

// lineWriter logs each complete line written to it.
type lineWriter struct {
	log func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	sc := bufio.NewScanner(strings.NewReader(string(p)))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			w.log(line)
		}
	}
	return len(p), nil
}

// hclogHandler is a slog.Handler writing to an hclog.Logger.
type hclogHandler struct {
	l      hclog.Logger
	attrs  []any
	prefix string
}

func newHCLogHandler(l hclog.Logger) *hclogHandler { return &hclogHandler{l: l} }

func (h *hclogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return h.l.GetLevel() <= toHCLogLevel(l)
}

func (h *hclogHandler) Handle(_ context.Context, r slog.Record) error {
	args := append([]any(nil), h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		args = appendAttr(args, h.prefix, a)
		return true
	})
	h.l.Log(toHCLogLevel(r.Level), r.Message, args...)
	return nil
}

func (h *hclogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append([]any(nil), h.attrs...)
	for _, a := range attrs {
		c.attrs = appendAttr(c.attrs, h.prefix, a)
	}
	return &c
}

func (h *hclogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.prefix = h.prefix + name + "."
	return &c
}

// appendAttr flattens a into key/value pairs, groups as dotted keys.
func appendAttr(args []any, prefix string, a slog.Attr) []any {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, ga := range v.Group() {
			args = appendAttr(args, p, ga)
		}
		return args
	case slog.KindDuration:
		return append(args, prefix+a.Key, v.Duration().String())
	case slog.KindTime:
		return append(args, prefix+a.Key, v.Time().Format(time.RFC3339Nano))
	}
	if a.Key == "" {
		return args
	}
	return append(args, prefix+a.Key, v.Any())
}

// The host scrubs secrets from everything it logs, the plugin's lines
// included: a plugin is third-party code and may log what it was given.
// The host cannot know which settings a plugin treats as secrets, so it
// takes the values of every setting whose name says it holds a credential
// (see credentialNames), each entry of a comma-separated list too, and
// scrubs them in every encoding kit.Redact knows.

// credentialNames are the parts of a setting's name that mark its value as
// a credential: api_key, webhook_secrets, client_secret, token, password,
// merchant_pin, ...
var credentialNames = []string{"key", "secret", "token", "pass", "pin", "credential", "auth", "sign", "private", "cookie", "session"}

// minCredentialLen is the shortest value scrubbed: a shorter one cannot be
// told from ordinary text, and is no credential.
const minCredentialLen = 4

// logSecrets is the set of secrets the host's log scrubs. It only grows:
// a credential replaced by Configure is still a credential.
type logSecrets struct {
	mu   sync.RWMutex
	list []string
}

// add takes the credentials among settings.
func (s *logSecrets) add(settings map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, value := range settings {
		if !isCredentialName(name) {
			continue
		}
		for _, v := range append([]string{value}, kit.SettingList(value)...) {
			if len(v) >= minCredentialLen && !slices.Contains(s.list, v) {
				s.list = append(s.list, v)
			}
		}
	}
}

func isCredentialName(name string) bool {
	name = strings.ToLower(name)
	for _, part := range credentialNames {
		if strings.Contains(name, part) {
			return true
		}
	}
	return false
}

func (s *logSecrets) redact(text string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return kit.Redact(text, s.list...)
}

// scrub removes the secrets from the text of an error a plugin sent, as
// from its log lines: a plugin is third-party code and may put what it
// was given in its errors, which callers print and log.
func (s *logSecrets) scrub(e *mfspay.Error) {
	e.Provider, e.Op, e.Field = s.redact(e.Provider), s.redact(e.Op), s.redact(e.Field)
	e.Code, e.Message = s.redact(e.Code), s.redact(e.Message)
	if c, ok := e.Err.(*remoteCause); ok {
		c.text = s.redact(c.text)
	}
}

// redactError returns err with the secrets scrubbed from its text: err
// itself when its text holds none, else its scrubbed text. That still
// matches the sentinels callers test with errors.Is, but no longer
// reaches the original error, which would print them.
func (s *logSecrets) redactError(err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	scrubbed := s.redact(text)
	if scrubbed == text {
		return err
	}
	out := &redactedError{text: scrubbed}
	for _, sentinel := range redactedSentinels {
		if errors.Is(err, sentinel) {
			out.is = append(out.is, sentinel)
		}
	}
	return out
}

// redactedSentinels are the errors a scrubbed error still matches.
var redactedSentinels = append([]error{ErrHandshake, ErrIncompatible, ErrChecksumMismatch, errExited, errClosed,
	errNotStarted, context.Canceled, context.DeadlineExceeded}, mfspay.Kinds...)

// redactedError is an error whose text held a secret, scrubbed.
type redactedError struct {
	text string
	is   []error
}

func (e *redactedError) Error() string   { return e.text }
func (e *redactedError) Unwrap() []error { return e.is }

// redactingHandler hands every record to next with the secrets scrubbed
// from its message, attribute keys and values, and group names.
type redactingHandler struct {
	next    slog.Handler
	secrets *logSecrets
}

// redactingLogger returns l writing through a redactingHandler.
func redactingLogger(l *slog.Logger, secrets *logSecrets) *slog.Logger {
	return slog.New(&redactingHandler{next: l.Handler(), secrets: secrets})
}

func (h *redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.secrets.redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	scrubbed := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		scrubbed[i] = h.attr(a)
	}
	return &redactingHandler{next: h.next.WithAttrs(scrubbed), secrets: h.secrets}
}

func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{next: h.next.WithGroup(h.secrets.redact(name)), secrets: h.secrets}
}

// attr scrubs one attribute. Values that are not text (an error, bytes, a
// map decoded from the plugin's JSON line) are checked as the handler
// would print them and become that text, scrubbed, when it held a secret.
func (h *redactingHandler) attr(a slog.Attr) slog.Attr {
	a.Key = h.secrets.redact(a.Key)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.secrets.redact(v.String()))
	case slog.KindGroup:
		group := v.Group()
		scrubbed := make([]slog.Attr, len(group))
		for i, ga := range group {
			scrubbed[i] = h.attr(ga)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(scrubbed...)}
	case slog.KindAny:
		var text string
		switch x := v.Any().(type) {
		case []byte:
			text = string(x) // not as numbers or base64, which Redact cannot see through
		case error:
			text = x.Error()
		default:
			text = fmt.Sprint(x)
		}
		if scrubbed := h.secrets.redact(text); scrubbed != text || isBytes(v.Any()) {
			return slog.String(a.Key, scrubbed)
		}
	}
	a.Value = v
	return a
}

func isBytes(v any) bool {
	_, ok := v.([]byte)
	return ok
}
