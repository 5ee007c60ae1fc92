package simkit

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/mfspay/mfspay/conformance/simctl"
)

// Faults is a queue of injected failures and the middleware that applies
// them, implementing simctl.Fault exactly. Each fault applies to the next
// Count API requests (1 when Count is 0), in the order faults were added.
//
// Put the middleware on API routes only: hosted pages and dashboards are
// never faulted.
type Faults struct {
	// DefaultBody, when set, gives the body of a status fault that has
	// none, so that a simulator answers in its provider's error format.
	DefaultBody func(status int) string

	mu    sync.Mutex
	queue []pendingFault
}

type pendingFault struct {
	f    simctl.Fault
	left int
}

// NewFaults returns an empty fault queue answering bodiless status faults
// with defaultBody (nil means a small generic JSON body).
func NewFaults(defaultBody func(status int) string) *Faults {
	return &Faults{DefaultBody: defaultBody}
}

// Add queues f behind any faults already pending.
func (q *Faults) Add(f simctl.Fault) {
	n := f.Count
	if n <= 0 {
		n = 1
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queue = append(q.queue, pendingFault{f: f, left: n})
}

// Clear drops every pending fault.
func (q *Faults) Clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queue = nil
}

// Pending is how many requests pending faults will still affect.
func (q *Faults) Pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, p := range q.queue {
		n += p.left
	}
	return n
}

// take consumes one request's worth of the oldest fault.
func (q *Faults) take() (simctl.Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.queue) == 0 {
		return simctl.Fault{}, false
	}
	f := q.queue[0].f
	if q.queue[0].left--; q.queue[0].left == 0 {
		q.queue = q.queue[1:]
	}
	return f, true
}

// Middleware applies the next pending fault, if any, to each request:
//
//   - AfterProcessing first runs next into a recorder, so the provider acts
//     on the request, and throws its answer away;
//   - Delay then holds the answer back, giving up (without answering) when
//     the client goes away;
//   - Reset closes the connection without an answer; ResetMidBody sends the
//     status line, headers and part of the body, then closes;
//   - Status answers with Status, Body (or DefaultBody), ContentType and
//     Retry-After;
//   - a fault with none of those (a pure Delay) lets the real answer through
//     late. A fault with nothing at all answers 500.
func (q *Faults) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := q.take()
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		var processed *httptest.ResponseRecorder
		if f.AfterProcessing {
			processed = httptest.NewRecorder()
			next.ServeHTTP(processed, r)
		}
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch {
		case f.Reset:
			resetConn(w)
		case f.ResetMidBody:
			q.resetMidBody(w, f, processed)
		case f.Status != 0:
			q.writeStatus(w, f)
		case f.Delay > 0 && processed != nil:
			replay(w, processed)
		case f.Delay > 0:
			next.ServeHTTP(w, r)
		default:
			f.Status = http.StatusInternalServerError
			q.writeStatus(w, f)
		}
	})
}

func (q *Faults) body(f simctl.Fault) string {
	switch {
	case f.Body != "":
		return f.Body
	case q.DefaultBody != nil:
		return q.DefaultBody(f.Status)
	}
	return fmt.Sprintf(`{"error":%q}`, http.StatusText(f.Status))
}

func (q *Faults) writeStatus(w http.ResponseWriter, f simctl.Fault) {
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", RetryAfterSeconds(f.RetryAfter))
	}
	w.WriteHeader(f.Status)
	w.Write([]byte(q.body(f)))
}

// RetryAfterSeconds renders d as a Retry-After value: whole seconds,
// rounded up, at least 1.
func RetryAfterSeconds(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(secs, 1), 10)
}

func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// resetConn drops the connection without a byte of answer, with an RST
// where the platform allows.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // the server drops the connection.
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// resetMidBody promises a whole body in Content-Length, sends half of it
// and closes the connection.
func (q *Faults) resetMidBody(w http.ResponseWriter, f simctl.Fault, processed *httptest.ResponseRecorder) {
	status, ct, body := f.Status, f.ContentType, []byte(f.Body)
	if processed != nil {
		if status == 0 {
			status = processed.Code
		}
		if ct == "" {
			ct = processed.Header().Get("Content-Type")
		}
		if len(body) == 0 {
			body = processed.Body.Bytes()
		}
	}
	if status == 0 {
		status = http.StatusOK
	}
	if ct == "" {
		ct = "application/json"
	}
	if len(body) < 2 {
		body = []byte(`{"success":true,"data":{"id":"truncated"}}`)
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		status, http.StatusText(status), ct, len(body))
	b.Write(body[:len(body)/2])
	conn.Write(b.Bytes())
}
