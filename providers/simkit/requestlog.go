package simkit

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// maxLoggedBody bounds how much of a request body the log keeps.
const maxLoggedBody = 1 << 20

// RequestRecord is one API request as the simulator received it.
type RequestRecord struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	// Body is the raw request body (at most 1 MiB of it).
	Body []byte
	Time time.Time
	// Status is the answered status code; 0 while the request is in flight
	// or when the connection was dropped without an answer.
	Status int
}

// RequestLog records every API request a simulator receives, faulted ones
// included. RequestCount and request-shape assertions read it.
type RequestLog struct {
	clock Clock
	mu    sync.Mutex
	recs  []*RequestRecord
}

// NewRequestLog returns an empty log stamping records with clock (nil
// means the system clock).
func NewRequestLog(clock Clock) *RequestLog { return &RequestLog{clock: clock.orSystem()} }

// Middleware records each request before passing it to next, and its
// answered status afterwards. Put it outermost on the API routes so that
// faults and rate limits are counted too.
func (l *RequestLog) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(io.LimitReader(r.Body, maxLoggedBody))
			// Hand the handler the whole body: what was logged plus the rest.
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		}
		rec := &RequestRecord{
			Method: r.Method,
			Path:   r.URL.Path,
			Query:  r.URL.Query(),
			Header: r.Header.Clone(),
			Body:   body,
			Time:   l.clock(),
		}
		l.mu.Lock()
		l.recs = append(l.recs, rec)
		l.mu.Unlock()

		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if !sw.hijacked {
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			l.mu.Lock()
			rec.Status = status
			l.mu.Unlock()
		}
	})
}

// Count is how many requests were received.
func (l *RequestLog) Count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recs)
}

// Records returns a copy of every record, oldest first.
func (l *RequestLog) Records() []RequestRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]RequestRecord, len(l.recs))
	for i, r := range l.recs {
		out[i] = *r
		out[i].Body = bytes.Clone(r.Body)
	}
	return out
}

// Last returns the newest record.
func (l *RequestLog) Last() (RequestRecord, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.recs) == 0 {
		return RequestRecord{}, false
	}
	r := *l.recs[len(l.recs)-1]
	r.Body = bytes.Clone(r.Body)
	return r, true
}

// Reset forgets every record.
func (l *RequestLog) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = nil
}

// statusWriter remembers the status code and whether the connection was
// taken over, and keeps Flush and Hijack available to inner handlers.
type statusWriter struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("simkit: connection cannot be hijacked")
	}
	c, rw, err := h.Hijack()
	if err == nil {
		w.hijacked = true
	}
	return c, rw, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
