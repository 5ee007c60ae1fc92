package webhook_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
)

// TestSlowSendersDoNotHoldHandlers is the regression test for senders
// trickling a body: 50 clients each send their headers, then one byte of a
// body every 20ms, forever. With a 200ms ReadTimeout every handler must
// return, each client must get 408 and see its connection closed, no
// callback may run, and a normal notification must still be delivered.
func TestSlowSendersDoNotHoldHandlers(t *testing.T) {
	const clients = 50
	gw := newFake("fake")
	gw.setPayment(mfspay.Payment{Provider: "fake", PaymentID: "pay_INV-1", InvoiceID: "INV-1",
		Status: mfspay.StatusPaid, Amount: mfspay.Taka(250)})
	var rec recorder
	logs := &logBuffer{}
	h := webhook.New(rec.callback, webhook.Route(gw), webhook.ReadTimeout(200*time.Millisecond),
		webhook.WithLogger(logs.logger()))
	var running, returned atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		running.Add(1)
		defer returned.Add(1)
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	results := make(chan trickleResult, clients)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- trickle(srv.Listener.Addr().String(), stop)
		}()
	}
	defer func() { close(stop); wg.Wait() }()

	require.Eventually(t, func() bool { return running.Load() == clients }, 10*time.Second, 5*time.Millisecond,
		"every slow sender reaches a handler")
	assert.Eventually(t, func() bool { return returned.Load() == clients }, 10*time.Second, 5*time.Millisecond,
		"every handler returns although its sender never finishes the body (%d of %d returned)", returned.Load(), clients)
	for range clients {
		select {
		case r := <-results:
			require.NoError(t, r.err)
			assert.Equal(t, http.StatusRequestTimeout, r.status)
			assert.True(t, r.closed, "the server closes the connection of a sender that timed out")
		case <-time.After(10 * time.Second):
			t.Fatal("a slow sender got no answer")
		}
	}
	assert.Empty(t, rec.delivered(), "nothing from a slow sender reaches the callback")
	assert.Contains(t, logs.String(), `"outcome":"read-timeout"`)
	assert.Contains(t, logs.String(), `"status":408`)
	assert.NotContains(t, logs.String(), trickledMarker, "the body is not logged")

	body := paidBody("evt_after", "INV-1", mfspay.Taka(250)).bytes(t)
	req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header = signedRequest("/", body).Header
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, rec.delivered(), 1, "a normal notification is still delivered")
	assert.Equal(t, "evt_after", rec.delivered()[0].ID)
}

// trickledMarker starts every trickled body, to prove it is never logged.
const trickledMarker = "trickled-body-7f3a"

type trickleResult struct {
	status int
	closed bool
	err    error
}

// trickle sends a notification's headers announcing a 10 kB body, then one
// byte every 20ms until the server answers or stop closes, and reports the
// answer and whether the server then closed the connection.
func trickle(addr string, stop <-chan struct{}) trickleResult {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return trickleResult{err: err}
	}
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /webhook HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"%s: %s\r\nContent-Length: 10000\r\n\r\n{%q:", addr, fakeSigHeader, strings.Repeat("0", 64), trickledMarker)
	if err != nil {
		return trickleResult{err: err}
	}
	answered := make(chan struct{})
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				_ = conn.SetReadDeadline(time.Now()) // unblock the reader
				return
			case <-answered:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	close(answered)
	if err != nil {
		return trickleResult{err: fmt.Errorf("reading the answer: %w", err)}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// The server must now close the connection: a read ends at once with
	// end of file (or a reset), not by this deadline.
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = br.ReadByte()
	var ne net.Error
	closed := err != nil && !(errors.As(err, &ne) && ne.Timeout())
	return trickleResult{status: resp.StatusCode, closed: closed}
}

// TestReadTimeoutOverHTTP2 checks that the bound holds on an HTTP/2
// stream too, where the read deadline is the stream's.
func TestReadTimeoutOverHTTP2(t *testing.T) {
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")), webhook.ReadTimeout(200*time.Millisecond))
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, &slowBody{ctx: ctx})
	require.NoError(t, err)
	req.ContentLength = 10000
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err, "the server answers before the body ends")
	defer resp.Body.Close()
	assert.Equal(t, 2, resp.ProtoMajor)
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	assert.Empty(t, rec.delivered())
}

// slowBody yields one byte every 20ms until its context ends.
type slowBody struct{ ctx context.Context }

func (b *slowBody) Read(p []byte) (int, error) {
	select {
	case <-b.ctx.Done():
		return 0, b.ctx.Err()
	case <-time.After(20 * time.Millisecond):
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = ' '
	return 1, nil
}
