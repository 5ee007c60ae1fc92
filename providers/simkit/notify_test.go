package simkit

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// receiver answers each delivery with the next code from codes (then 200)
// and keeps what it got.
type receiver struct {
	mu     sync.Mutex
	codes  []int
	bodies []string
	heads  []http.Header
}

func (rv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rv.mu.Lock()
	rv.bodies = append(rv.bodies, string(b))
	rv.heads = append(rv.heads, r.Header.Clone())
	code := http.StatusOK
	if len(rv.codes) > 0 {
		code, rv.codes = rv.codes[0], rv.codes[1:]
	}
	rv.mu.Unlock()
	w.WriteHeader(code)
}

func TestNotifierRetriesUntilDelivered(t *testing.T) {
	rv := &receiver{codes: []int{500, 404}}
	srv := httptest.NewServer(rv)
	defer srv.Close()
	n := NewNotifier(NotifierConfig{Backoff: time.Millisecond})
	defer n.Close()

	n.Send(Notification{PaymentID: "p1", URL: srv.URL, Header: http.Header{"X-Sig": {"abc"}}, Body: []byte(`{"e":1}`)})
	require.NoError(t, n.Wait(context.Background()))

	ds := n.Deliveries()
	require.Len(t, ds, 1)
	assert.True(t, ds[0].Delivered)
	assert.True(t, ds[0].Done)
	codes := []int{}
	for _, a := range ds[0].Attempts {
		codes = append(codes, a.StatusCode)
	}
	assert.Equal(t, []int{500, 404, 200}, codes)
	assert.Equal(t, []string{`{"e":1}`, `{"e":1}`, `{"e":1}`}, rv.bodies, "every attempt carries the same bytes")
	assert.Equal(t, "abc", rv.heads[2].Get("X-Sig"))
	assert.Equal(t, http.MethodPost, ds[0].Method)
}

func TestNotifierGivesUpAfterAttempts(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	n := NewNotifier(NotifierConfig{Attempts: 3, Backoff: time.Millisecond})
	defer n.Close()
	n.Send(Notification{PaymentID: "p1", URL: srv.URL})
	n.Flush()
	ds := n.Deliveries()
	require.Len(t, ds, 1)
	assert.False(t, ds[0].Delivered)
	assert.True(t, ds[0].Done)
	assert.Len(t, ds[0].Attempts, 3)
	assert.Equal(t, int32(3), hits.Load())
}

func TestNotifierRetriesOnTimeout(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			<-r.Context().Done() // the first attempt times out
			return
		}
	}))
	defer srv.Close()
	n := NewNotifier(NotifierConfig{Backoff: time.Millisecond, Timeout: 50 * time.Millisecond})
	defer n.Close()
	n.Send(Notification{PaymentID: "p1", URL: srv.URL})
	n.Flush()
	ds := n.Deliveries()
	require.Len(t, ds[0].Attempts, 2)
	assert.Equal(t, 0, ds[0].Attempts[0].StatusCode)
	assert.NotEmpty(t, ds[0].Attempts[0].Err)
	assert.NotContains(t, ds[0].Attempts[0].Err, srv.URL)
	assert.Equal(t, 200, ds[0].Attempts[1].StatusCode)
}

func TestNotifierRecordsNotificationsPerPayment(t *testing.T) {
	n := NewNotifier(NotifierConfig{})
	defer n.Close()
	n.Send(Notification{PaymentID: "a", Body: []byte("1"), Header: http.Header{"X-WezoPay-Signature": {"s"}}}) // nowhere to send: recorded only
	n.Send(Notification{PaymentID: "b", Body: []byte("2")})
	n.Send(Notification{PaymentID: "a", Body: []byte("3")})
	n.Flush()
	got := n.Notifications("a")
	require.Len(t, got, 2)
	assert.Equal(t, "1", string(got[0].Body))
	assert.Equal(t, "3", string(got[1].Body))
	assert.Equal(t, "s", got[0].Header.Get("X-WezoPay-Signature"), "keys are kept in canonical form")
	assert.Empty(t, n.Notifications("zzz"))
}

func TestNotifierCloseStopsRetries(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	n := NewNotifier(NotifierConfig{Backoff: time.Hour})
	n.Send(Notification{PaymentID: "p", URL: srv.URL})
	require.Eventually(t, func() bool { return len(n.Deliveries()[0].Attempts) == 1 }, 5*time.Second, time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, n.Wait(ctx), context.DeadlineExceeded, "a retry is pending an hour away")

	n.Close() // must not wait for the hour
	assert.True(t, n.Deliveries()[0].Done)
	n.Send(Notification{PaymentID: "p", URL: srv.URL})
	assert.Len(t, n.Deliveries(), 2, "recorded after Close")
	assert.Empty(t, n.Deliveries()[1].Attempts, "but not delivered")
	require.NoError(t, n.Wait(context.Background()))
}

// While dropping, notifications are recorded and marked, never sent; after
// it they flow again.
func TestNotifierDropsWhileAsked(t *testing.T) {
	rv := &receiver{}
	srv := httptest.NewServer(rv)
	defer srv.Close()
	n := NewNotifier(NotifierConfig{Backoff: time.Millisecond})
	defer n.Close()

	n.Drop(true)
	n.Send(Notification{PaymentID: "p1", URL: srv.URL, Body: []byte(`{"e":1}`)})
	n.Send(Notification{PaymentID: "p2", Body: []byte(`{"e":2}`)}) // nowhere to send: not "dropped"
	n.Drop(false)
	n.Send(Notification{PaymentID: "p3", URL: srv.URL, Body: []byte(`{"e":3}`)})
	require.NoError(t, n.Wait(context.Background()))

	ds := n.Deliveries()
	require.Len(t, ds, 3)
	assert.True(t, ds[0].Dropped)
	assert.True(t, ds[0].Done)
	assert.Empty(t, ds[0].Attempts, "never attempted")
	assert.False(t, ds[1].Dropped)
	assert.False(t, ds[2].Dropped)
	assert.True(t, ds[2].Delivered)
	assert.Equal(t, []string{`{"e":3}`}, rv.bodies, "only what was sent after Drop(false) arrived")
	require.Len(t, n.Notifications("p1"), 1, "a dropped notification is still recorded")
}
