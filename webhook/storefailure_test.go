package webhook_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
)

// hangingStore never answers: each call waits until its context ends, as a
// call to a frozen server does.
type hangingStore struct{ calls atomic.Int64 }

func (s *hangingStore) Reserve(ctx context.Context, _ string, _ time.Duration) (webhook.Reservation, error) {
	s.calls.Add(1)
	<-ctx.Done()
	return webhook.Reservation{}, ctx.Err()
}

func (s *hangingStore) Commit(ctx context.Context, _, _ string, _ time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}

func (s *hangingStore) Release(ctx context.Context, _, _ string) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestHungStoreAnswers503WithinTheLease(t *testing.T) {
	var rec recorder
	store := &hangingStore{}
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")), webhook.WithStore(store),
		webhook.Lease(200*time.Millisecond))
	done := make(chan int, 1)
	go func() {
		code, _ := do(h, signedRequest("/", paidBody("evt_hang", "INV", 100).bytes(t)))
		done <- code
	}()
	select {
	case code := <-done:
		assert.Equal(t, 503, code, "the provider retries later")
	case <-time.After(10 * time.Second):
		t.Fatal("the handler hangs with its store")
	}
	assert.EqualValues(t, 0, rec.calls.Load(), "nothing is delivered without a mark")
	assert.EqualValues(t, 1, store.calls.Load())
}

// scriptedStore is a MemoryStore whose Commit and Release answer with the
// scripted errors first, one per call, then reach the store.
type scriptedStore struct {
	*webhook.MemoryStore
	mu                      sync.Mutex
	commitErrs, releaseErrs []error
	commits, releases       int
}

func (s *scriptedStore) Commit(ctx context.Context, key, token string, ttl time.Duration) error {
	s.mu.Lock()
	s.commits++
	var err error
	if len(s.commitErrs) > 0 {
		err, s.commitErrs = s.commitErrs[0], s.commitErrs[1:]
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.MemoryStore.Commit(ctx, key, token, ttl)
}

func (s *scriptedStore) Release(ctx context.Context, key, token string) error {
	s.mu.Lock()
	s.releases++
	var err error
	if len(s.releaseErrs) > 0 {
		err, s.releaseErrs = s.releaseErrs[0], s.releaseErrs[1:]
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.MemoryStore.Release(ctx, key, token)
}

func TestCommitAndReleaseAreRetriedThroughABlip(t *testing.T) {
	t.Run("commit", func(t *testing.T) {
		var rec recorder
		var logs logBuffer
		store := &scriptedStore{MemoryStore: webhook.NewMemoryStore(), commitErrs: []error{errStoreDown, errStoreDown}}
		h := webhook.New(rec.callback, webhook.Route(newFake("fake")), webhook.WithStore(store),
			webhook.WithLogger(logs.logger()))
		body := paidBody("evt_blip", "INV", 100).bytes(t)
		code, _ := do(h, signedRequest("/", body))
		require.Equal(t, 200, code)
		assert.Equal(t, 3, store.commits, "two failures, then the commit lands")
		code, text := do(h, signedRequest("/", body))
		assert.Equal(t, 200, code)
		assert.Equal(t, "duplicate\n", text, "the mark is there")
		assert.NotContains(t, logs.String(), `"level":"ERROR"`)
	})
	t.Run("release", func(t *testing.T) {
		var rec recorder
		rec.fail.Store(1)
		store := &scriptedStore{MemoryStore: webhook.NewMemoryStore(), releaseErrs: []error{errStoreDown}}
		h := webhook.New(rec.callback, webhook.Route(newFake("fake")), webhook.WithStore(store))
		body := paidBody("evt_blip_r", "INV", 100).bytes(t)
		code, _ := do(h, signedRequest("/", body))
		require.Equal(t, 500, code)
		assert.Equal(t, 2, store.releases)
		code, text := do(h, signedRequest("/", body))
		assert.Equal(t, 200, code, "released: the provider's retry is delivered at once")
		assert.Equal(t, "delivered\n", text)
	})
}

func TestLeaseLostCommitIsAnsweredDeliveredAndLogged(t *testing.T) {
	var rec recorder
	var logs logBuffer
	store := &scriptedStore{MemoryStore: webhook.NewMemoryStore(), commitErrs: []error{webhook.ErrLeaseLost}}
	h := webhook.New(rec.callback, webhook.Route(newFake("fake")), webhook.WithStore(store),
		webhook.WithLogger(logs.logger()))
	code, text := do(h, signedRequest("/", paidBody("evt_lost", "INV", 100).bytes(t)))
	assert.Equal(t, 200, code, "the callback succeeded: a retry would only deliver it again")
	assert.Equal(t, "delivered\n", text)
	assert.Equal(t, 1, store.commits, "a lost lease is final: no retry")
	assert.Contains(t, logs.String(), `"level":"ERROR","msg":"webhook","outcome":"delivered-lease-lost"`)
	assert.Contains(t, logs.String(), `"event_id":"evt_lost"`)
}

// TestSlowCallbackPastItsLeaseIsFenced runs the crash window for real: a
// callback that ignores its context outlives the lease, a re-delivery takes
// the event over and is delivered, and the slow delivery's commit is refused
// and logged rather than hiding the second delivery.
func TestSlowCallbackPastItsLeaseIsFenced(t *testing.T) {
	const lease = time.Second // room for a slow machine between the first delivery and the second request
	release := make(chan struct{})
	var calls atomic.Int64
	var deadlines sync.Map
	var logs logBuffer
	store := &timedStore{MemoryStore: webhook.NewMemoryStore()}
	h := webhook.New(func(ctx context.Context, e *mfspay.Event) error {
		n := calls.Add(1)
		d, _ := ctx.Deadline()
		deadlines.Store(n, d)
		if n == 1 {
			<-release // ignores ctx: outlives its lease
		}
		return nil
	}, webhook.Route(newFake("fake")), webhook.Lease(lease), webhook.WithLogger(logs.logger()),
		webhook.WithStore(store))
	body := paidBody("evt_slow_lease", "INV", 100).bytes(t)

	first := make(chan int, 1)
	go func() {
		code, _ := do(h, signedRequest("/", body))
		first <- code
	}()
	require.Eventually(t, func() bool { return calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	d, _ := deadlines.Load(int64(1))
	assert.False(t, d.(time.Time).After(store.firstReserve().Add(lease)),
		"the callback's context ends no later than the store's lease")

	code, _ := do(h, signedRequest("/", body))
	assert.Equal(t, 503, code, "in flight while the lease runs")
	time.Sleep(lease + lease/2)
	code, text := do(h, signedRequest("/", body))
	assert.Equal(t, 200, code)
	assert.Equal(t, "delivered\n", text, "after the lease the re-delivery takes over")

	close(release)
	assert.Equal(t, 200, <-first)
	assert.EqualValues(t, 2, calls.Load())
	assert.Contains(t, logs.String(), `"outcome":"delivered-lease-lost"`, "the double delivery is reported")
	code, text = do(h, signedRequest("/", body))
	assert.Equal(t, "duplicate\n", text, "the second delivery's mark stands")
	assert.Equal(t, 200, code)
}

// timedStore notes when its first Reserve reached the store.
type timedStore struct {
	*webhook.MemoryStore
	mu    sync.Mutex
	first time.Time
}

func (s *timedStore) Reserve(ctx context.Context, key string, lease time.Duration) (webhook.Reservation, error) {
	s.mu.Lock()
	if s.first.IsZero() {
		s.first = time.Now()
	}
	s.mu.Unlock()
	return s.MemoryStore.Reserve(ctx, key, lease)
}

func (s *timedStore) firstReserve() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}
