package kit_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// testAPIKey stands for a configured secret that must never leak.
const testAPIKey = "wpk_test_9f8e7d6c5b4a"

// fastPolicy keeps retry tests quick.
var fastPolicy = mfspay.RetryPolicy{
	MaxAttempts:    4,
	MinBackoff:     time.Millisecond,
	MaxBackoff:     5 * time.Millisecond,
	AttemptTimeout: 200 * time.Millisecond,
}

// step answers one request of a seqServer.
type step func(w http.ResponseWriter, r *http.Request)

// seqServer is a real HTTP server on 127.0.0.1 that answers its n-th request
// with its n-th step (the last step repeats) and records what it received.
type seqServer struct {
	*httptest.Server
	steps []step
	hits  atomic.Int32

	mu     sync.Mutex
	bodies []string
}

func newSeqServer(t *testing.T, steps ...step) *seqServer {
	t.Helper()
	s := &seqServer{steps: steps}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.hits.Add(1))
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, string(b))
		s.mu.Unlock()
		s.steps[min(n, len(s.steps))-1](w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *seqServer) requests() int { return int(s.hits.Load()) }

func (s *seqServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

// reply answers with code, body and header pairs ("Retry-After", "1").
func reply(code int, body string, header ...string) step {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// hang never answers; it returns when the client goes away.
func hang() step {
	return func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
}

// resetMidBody sends a 200 header promising more body than it sends, then
// resets the connection.
func resetMidBody() step {
	return func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"success\":")
		_ = buf.Flush()
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0) // close with RST, not FIN
		}
		_ = conn.Close()
	}
}

// retryLog records OnRetry events.
type retryLog struct {
	mu     sync.Mutex
	events []mfspay.RetryEvent
}

func (l *retryLog) record(e mfspay.RetryEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *retryLog) all() []mfspay.RetryEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]mfspay.RetryEvent(nil), l.events...)
}

// newTestClient returns a client with fastPolicy, testAPIKey as its secret and
// a retry log; opts adjust the config.
func newTestClient(t *testing.T, opts ...func(*kit.HTTPConfig)) (*kit.HTTPClient, *retryLog) {
	t.Helper()
	log := &retryLog{}
	cfg := kit.HTTPConfig{
		Provider: "testpay",
		Retry:    fastPolicy,
		Secrets:  []string{testAPIKey},
		OnRetry:  log.record,
	}
	for _, o := range opts {
		o(&cfg)
	}
	c := kit.NewHTTPClient(cfg)
	t.Cleanup(c.CloseIdleConnections)
	return c, log
}

func read(url string) kit.HTTPRequest {
	return kit.HTTPRequest{Op: mfspay.OpVerify, Method: http.MethodGet, URL: url, Idempotent: true}
}

func create(url string) kit.HTTPRequest {
	return kit.HTTPRequest{
		Op: mfspay.OpCreate, Method: http.MethodPost, URL: url,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(`{"amount":250.00,"invoice_id":"INV-1"}`),
	}
}

// closedURL returns a URL on 127.0.0.1 where nothing listens.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr
}

// failFirstDial is a transport whose first dial fails before any connection
// exists, as a DNS or connect failure would.
func failFirstDial() (http.RoundTripper, *atomic.Int32) {
	var dials atomic.Int32
	return &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dials.Add(1) == 1 {
				return nil, &net.OpError{Op: "dial", Net: network, Err: syscallRefused{}}
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}, &dials
}

type syscallRefused struct{}

func (syscallRefused) Error() string { return "connection refused (test)" }

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func debugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// assertNoLeak fails if s holds any of the needles.
func assertNoLeak(t *testing.T, s string, needles ...string) {
	t.Helper()
	for _, n := range needles {
		if strings.Contains(s, n) {
			t.Errorf("%q leaks %q", s, n)
		}
	}
}

// closeWithoutAnswer reads the request (the seqServer already did) and
// closes the connection without a byte of answer.
func closeWithoutAnswer() step {
	return func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		_ = conn.Close()
	}
}
