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
	// Tampers express simctl.Fault.Tamper in the provider's wire format.
	Tampers map[simctl.Tamper]TamperFunc

	mu     sync.Mutex
	queue  []pendingFault
	closed chan struct{} // closed by Close: held answers give up
	once   sync.Once
}

// TamperFunc rewrites one real API answer (status and body) into the lie
// its simctl.Tamper names, or reports false when the request is not one the
// tamper applies to (another route, an error answer).
type TamperFunc func(r *http.Request, status int, body []byte) ([]byte, bool)

type pendingFault struct {
	f    simctl.Fault
	left int
}

// NewFaults returns an empty fault queue answering bodiless status faults
// with defaultBody (nil means a small generic JSON body).
func NewFaults(defaultBody func(status int) string) *Faults {
	return &Faults{DefaultBody: defaultBody, closed: make(chan struct{})}
}

// Close makes held (delayed) answers give up at once, so that a server
// can shut down.
func (q *Faults) Close() { q.once.Do(func() { close(q.closed) }) }

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

// take consumes one request's worth of the oldest fault, unless it is a
// tamper: those are used up only by answers they fit (see tamper).
func (q *Faults) take() (f simctl.Fault, tamper, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.queue) == 0 {
		return simctl.Fault{}, false, false
	}
	if f = q.queue[0].f; f.Tamper != "" {
		return f, true, true
	}
	q.consumeHead()
	return f, false, true
}

// consumeHead uses up one request's worth of the oldest fault. q.mu is
// held.
func (q *Faults) consumeHead() {
	if q.queue[0].left--; q.queue[0].left == 0 {
		q.queue = q.queue[1:]
	}
}

// tamper serves r for real, then lets the oldest fault, if it is still a
// tamper, rewrite the answer; a rewrite uses up one request's worth of it.
func (q *Faults) tamper(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	q.mu.Lock()
	if len(q.queue) > 0 && q.queue[0].f.Tamper != "" {
		if rewrite := q.Tampers[q.queue[0].f.Tamper]; rewrite != nil {
			if body, ok := rewrite(r, rec.Code, rec.Body.Bytes()); ok {
				q.consumeHead()
				rec.Body.Reset()
				rec.Body.Write(body)
				rec.Header().Del("Content-Length")
			}
		}
	}
	q.mu.Unlock()
	replay(w, rec)
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
//     late. A fault with nothing at all answers 500;
//   - a Tamper lets the request through and rewrites the answer with the
//     TamperFunc in Tampers, when the answer is one the tamper fits.
func (q *Faults) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, tamper, ok := q.take()
		switch {
		case !ok:
			next.ServeHTTP(w, r)
			return
		case tamper:
			q.tamper(w, r, next)
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
			case <-q.closed:
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
