package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
)

// storm posts body n times at once to a real server and returns the codes.
func storm(t *testing.T, h http.Handler, body []byte, n int) map[int]int {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req := signedRequest(srv.URL, body)
			req.RequestURI = ""
			resp, err := srv.Client().Do(req)
			if !assert.NoError(t, err) {
				return
			}
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

func TestStormReachesTheCallbackOnce(t *testing.T) {
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")))
	body := paidBody("evt_storm", "INV-S", mfspay.Taka(500)).bytes(t)

	codes := storm(t, h, body, 100)
	assert.EqualValues(t, 1, rec.calls.Load(), "100 concurrent deliveries reach the callback once")
	assert.Len(t, rec.delivered(), 1)
	assert.Equal(t, 100, codes[200]+codes[503], "every answer is success or retry-later: %v", codes)
	assert.GreaterOrEqual(t, codes[200], 1)

	// The provider retries every 503; each retry now meets the mark.
	for range codes[503] {
		code, text := do(h, signedRequest("/", body))
		require.Equal(t, 200, code)
		require.Equal(t, "duplicate\n", text)
	}
	assert.EqualValues(t, 1, rec.calls.Load())
}

func TestStormWhileTheFirstDeliveryIsStillRunning(t *testing.T) {
	rec := recorder{block: make(chan struct{})}
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")))
	body := paidBody("evt_slow", "INV-SL", 100).bytes(t)

	first := make(chan int)
	go func() {
		code, _ := do(h, signedRequest("/", body))
		first <- code
	}()
	require.Eventually(t, func() bool { return rec.calls.Load() == 1 }, 5*time.Second, time.Millisecond)

	codes := storm(t, h, body, 100)
	assert.Equal(t, map[int]int{503: 100}, codes, "deliveries during the first one are asked to retry")
	close(rec.block)
	assert.Equal(t, 200, <-first)
	assert.EqualValues(t, 1, rec.calls.Load())
}

func TestStormWhoseFirstCallbackFails(t *testing.T) {
	rec := recorder{block: make(chan struct{})}
	rec.fail.Store(1)
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")))
	body := paidBody("evt_fail_storm", "INV-FS", 100).bytes(t)

	first := make(chan int)
	go func() {
		code, _ := do(h, signedRequest("/", body))
		first <- code
	}()
	require.Eventually(t, func() bool { return rec.calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, map[int]int{503: 20}, storm(t, h, body, 20))
	close(rec.block)
	assert.Equal(t, 500, <-first)

	// Nothing was lost: the provider's next retry is delivered, once.
	rec.block = nil
	codes := storm(t, h, body, 50)
	assert.Equal(t, 50, codes[200]+codes[503], "%v", codes)
	assert.Len(t, rec.delivered(), 1)
	assert.EqualValues(t, 2, rec.calls.Load())
}

func TestDuplicateWithinTTLForgottenAfter(t *testing.T) {
	clock := newManualClock()
	store := webhook.NewMemoryStore(webhook.Clock(clock.Now))
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")), webhook.WithStore(store),
		webhook.DedupTTL(24*time.Hour))
	body := paidBody("evt_ttl", "INV-T", 100).bytes(t)

	code, text := do(h, signedRequest("/", body))
	require.Equal(t, 200, code)
	require.Equal(t, "delivered\n", text)

	clock.Advance(24*time.Hour - time.Second)
	code, text = do(h, signedRequest("/", body))
	assert.Equal(t, 200, code)
	assert.Equal(t, "duplicate\n", text, "still a duplicate within the TTL")
	assert.EqualValues(t, 1, rec.calls.Load())

	clock.Advance(time.Second)
	code, text = do(h, signedRequest("/", body))
	assert.Equal(t, 200, code)
	assert.Equal(t, "delivered\n", text, "forgotten after the TTL")
	assert.EqualValues(t, 2, rec.calls.Load())
}

func TestCrashedDeliveryBlocksOnlyForTheLease(t *testing.T) {
	clock := newManualClock()
	store := webhook.NewMemoryStore(webhook.Clock(clock.Now))
	// Another replica took the lease on the payment's paid state and died
	// before committing.
	_, err := store.Reserve(context.Background(), "fake/payment/pay_INV-C/payment.completed", 30*time.Second)
	require.NoError(t, err)

	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")), webhook.WithStore(store),
		webhook.Lease(30*time.Second))
	body := paidBody("evt_crash", "INV-C", 100).bytes(t)
	code, _ := do(h, signedRequest("/", body))
	assert.Equal(t, 503, code)
	clock.Advance(30 * time.Second)
	code, _ = do(h, signedRequest("/", body))
	assert.Equal(t, 200, code)
	assert.EqualValues(t, 1, rec.calls.Load())
}

func TestHandlerStoreStaysUnderItsCap(t *testing.T) {
	const limit = 50
	store := webhook.NewMemoryStore(webhook.MaxEntries(limit))
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")), webhook.WithStore(store))
	for i := range 500 {
		code, _ := do(h, signedRequest("/", paidBody(fmt.Sprintf("evt_%d", i), fmt.Sprintf("INV-%d", i), 100).bytes(t)))
		require.Equal(t, 200, code)
		require.LessOrEqual(t, store.Len(), limit)
	}
	assert.EqualValues(t, 500, rec.calls.Load())
	assert.Equal(t, limit, store.Len())
}

func TestStoreFullOfLeasesAnswersRetryLater(t *testing.T) {
	store := webhook.NewMemoryStore(webhook.MaxEntries(1))
	rec := recorder{block: make(chan struct{})}
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")), webhook.WithStore(store))
	done := make(chan int)
	go func() {
		code, _ := do(h, signedRequest("/", paidBody("evt_a", "INV", 100).bytes(t)))
		done <- code
	}()
	require.Eventually(t, func() bool { return rec.calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	code, _ := do(h, signedRequest("/", paidBody("evt_b", "INV", 100).bytes(t)))
	assert.Equal(t, 503, code, "no lease is dropped to admit another event")
	close(rec.block)
	assert.Equal(t, 200, <-done)
	code, _ = do(h, signedRequest("/", paidBody("evt_b", "INV", 100).bytes(t)))
	assert.Equal(t, 200, code, "the retry gets in once there is room")
}

func TestCallbackContextOutlivesTheSenderButNotTheLease(t *testing.T) {
	var deadline time.Time
	var senderGone error
	h := webhook.New(func(ctx context.Context, _ *mfspay.Event) error {
		deadline, _ = ctx.Deadline()
		senderGone = ctx.Err()
		return nil
	}, webhook.Route(newFake("fake")), webhook.Lease(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := signedRequest("/", paidBody("evt_ctx", "INV", 100).bytes(t)).WithContext(ctx)
	code, _ := do(h, r)
	assert.Equal(t, 200, code)
	assert.NoError(t, senderGone, "the sender hanging up does not cancel the callback")
	assert.WithinDuration(t, time.Now().Add(time.Hour), deadline, time.Minute, "the lease bounds it")
}

// flakyStore fails the chosen operations.
type flakyStore struct {
	*webhook.MemoryStore
	commitErr, releaseErr error
}

func (s flakyStore) Commit(ctx context.Context, key, token string, ttl time.Duration) error {
	if s.commitErr != nil {
		return s.commitErr
	}
	return s.MemoryStore.Commit(ctx, key, token, ttl)
}

func (s flakyStore) Release(ctx context.Context, key, token string) error {
	if s.releaseErr != nil {
		return s.releaseErr
	}
	return s.MemoryStore.Release(ctx, key, token)
}

func TestStoreFailingAfterTheCallback(t *testing.T) {
	t.Run("commit fails: still 200, the event was delivered", func(t *testing.T) {
		var rec recorder
		var logs logBuffer
		h := webhook.New(rec.callback, webhook.Route(newFake("fake")),
			webhook.WithStore(flakyStore{MemoryStore: webhook.NewMemoryStore(), commitErr: errStoreDown}),
			webhook.WithLogger(logs.logger()), webhook.Lease(200*time.Millisecond))
		code, _ := do(h, signedRequest("/", paidBody("evt_c", "INV", 100).bytes(t)))
		assert.Equal(t, 200, code)
		assert.EqualValues(t, 1, rec.calls.Load())
		assert.Contains(t, logs.String(), `"outcome":"commit-failed"`)
		assert.Contains(t, logs.String(), `"level":"ERROR"`)
	})
	t.Run("release fails: still 500, the lease expires by itself", func(t *testing.T) {
		clock := newManualClock()
		var rec recorder
		rec.fail.Store(1)
		h := webhook.New(rec.callback, webhook.Route(newFake("fake")), webhook.Lease(200*time.Millisecond),
			webhook.WithStore(flakyStore{MemoryStore: webhook.NewMemoryStore(webhook.Clock(clock.Now)), releaseErr: errStoreDown}))
		body := paidBody("evt_r", "INV", 100).bytes(t)
		code, _ := do(h, signedRequest("/", body))
		assert.Equal(t, 500, code)
		code, _ = do(h, signedRequest("/", body))
		assert.Equal(t, 503, code)
		clock.Advance(200 * time.Millisecond)
		code, _ = do(h, signedRequest("/", body))
		assert.Equal(t, 200, code)
		assert.Len(t, rec.delivered(), 1)
	})
}
