package nodipaytest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/mfspay/mfspay/conformance/simctl"
)

// faultQueue holds injected failures; each applies to the next Count API
// requests (1 when Count is 0), oldest first.
type faultQueue struct {
	mu    sync.Mutex
	queue []pendingFault
}

type pendingFault struct {
	f    simctl.Fault
	left int
}

func (q *faultQueue) add(f simctl.Fault) {
	n := max(f.Count, 1)
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queue = append(q.queue, pendingFault{f: f, left: n})
}

func (q *faultQueue) clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queue = nil
}

// take consumes one request's worth of the oldest fault.
func (q *faultQueue) take() (simctl.Fault, bool) {
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

// apply serves r through next, or through the next pending fault:
//
//   - AfterProcessing runs next first, so NodiPay acts on the request, and
//     keeps its answer aside;
//   - Delay then holds the answer back, giving up without answering when
//     the client goes away or the server closes;
//   - Reset closes the connection without a word; ResetMidBody sends a
//     status line, headers promising a longer body, and part of it;
//   - Status answers with Status, Body (default: a NodiPay error),
//     ContentType (default application/json) and Retry-After;
//   - otherwise a pure Delay lets the real answer through late, and a fault
//     that says nothing at all answers 500.
func (q *faultQueue) apply(done context.Context, w http.ResponseWriter, r *http.Request, next http.Handler) {
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
	if f.Delay > 0 && !wait(f.Delay, r.Context(), done) {
		return
	}
	switch {
	case f.Reset:
		hangUp(w, nil)
	case f.ResetMidBody:
		hangUp(w, processed)
	case f.Status != 0:
		writeFault(w, f)
	case f.Delay > 0 && processed != nil:
		copyAnswer(w, processed)
	case f.Delay > 0:
		next.ServeHTTP(w, r)
	default:
		writeError(w, http.StatusInternalServerError, "fault", "injected failure", "")
	}
}

// wait sleeps d unless the client or the server goes away first.
func wait(d time.Duration, client, server context.Context) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-client.Done():
	case <-server.Done():
	}
	return false
}

func writeFault(w http.ResponseWriter, f simctl.Fault) {
	if f.RetryAfter > 0 {
		secs := int64((f.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	if f.Body == "" && (f.ContentType == "" || f.ContentType == "application/json") {
		writeError(w, f.Status, "fault", http.StatusText(f.Status), "")
		return
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(f.Status)
	fmt.Fprint(w, f.Body)
}

func copyAnswer(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes()) //nolint:errcheck // the client may be gone.
}

// hangUp takes the connection over and drops it. With an answer, it first
// sends the answer's status line and headers, a Content-Length for the
// whole body, and half of it, then closes normally so that the half
// arrives.
func hangUp(w http.ResponseWriter, answer *httptest.ResponseRecorder) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // net/http drops the connection.
	}
	defer conn.Close()
	if answer == nil {
		if tcp, ok := conn.(*net.TCPConn); ok {
			tcp.SetLinger(0) //nolint:errcheck // a reset, not an orderly close.
		}
		return
	}
	code, body := answer.Code, answer.Body.Bytes()
	if len(body) < 2 {
		code, body = http.StatusOK, []byte(`{"id":"pay_truncated","status":"open"}`)
	}
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		code, http.StatusText(code), len(body))
	buf.Write(body[:len(body)/2]) //nolint:errcheck // the connection is dropped next.
	buf.Flush()                   //nolint:errcheck
}
