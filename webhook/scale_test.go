package webhook_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/webhook"
)

// heapInuse returns HeapInuse after a full collection.
func heapInuse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// deliver reserves and commits one event, as the handler does for each new
// notification, with keys shaped like the handler's.
func deliver(b *testing.B, s *webhook.MemoryStore, seq int) {
	key := "wezopay/wezopay:pay_" + strconv.Itoa(seq) + ":payment.completed"
	res, err := s.Reserve(context.Background(), key, webhook.DefaultLease)
	if err != nil || res.State != webhook.Acquired {
		b.Fatalf("event %d: %v %v", seq, res.State, err)
	}
	if err := s.Commit(context.Background(), key, res.Token, webhook.DefaultDedupTTL); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMemoryStoreFootprint feeds 1,000,000 distinct events to a
// MemoryStore with the default cap and TTL, as a handler receiving them
// would. It reports the store's cap, its heap bytes per remembered event
// (HeapInuse before and after the first cap-fill), and HeapInuse after the
// first cap-fill and after all 1M events: memory must stay flat once the
// store is full, the oldest marks making room for new ones.
func BenchmarkMemoryStoreFootprint(b *testing.B) {
	const events = 1_000_000
	for range b.N {
		b.StopTimer()
		before := heapInuse()
		b.StartTimer()

		s := webhook.NewMemoryStore()
		seq := 0
		for ; seq < webhook.DefaultMaxEntries; seq++ {
			deliver(b, s, seq)
		}
		b.StopTimer()
		full := heapInuse()
		b.StartTimer()

		for ; seq < events; seq++ {
			deliver(b, s, seq)
		}
		b.StopTimer()
		after := heapInuse()
		if s.Len() != webhook.DefaultMaxEntries {
			b.Fatalf("store holds %d entries, want its cap %d", s.Len(), webhook.DefaultMaxEntries)
		}
		if want := uint64(events - webhook.DefaultMaxEntries); s.Evicted() != want {
			b.Fatalf("evicted %d marks, want %d", s.Evicted(), want)
		}
		runtime.KeepAlive(s)
		mb := func(n uint64) float64 { return float64(n) / (1 << 20) }
		b.ReportMetric(float64(webhook.DefaultMaxEntries), "cap")
		b.ReportMetric(float64(full-before)/webhook.DefaultMaxEntries, "B/entry")
		b.ReportMetric(mb(full), "MiB-after-cap-fill")
		b.ReportMetric(mb(after), "MiB-after-1M")
		// Flat: slack for the index's one rehash once deletions begin, and
		// for allocator pages; a store that kept what it evicted would grow
		// by its cap-fill size for every 100,000 events.
		if after > full+full/2 {
			b.Errorf("HeapInuse grew from %.1f MiB after the cap-fill to %.1f MiB after %d events", mb(full), mb(after), events)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*events), "ns/event")
}

// TestMemoryStoreManyDistinctEvents checks a store told more events than
// its cap: each new event is acquired, the newest cap of them are still
// known as delivered, and the older ones were evicted to make room.
func TestMemoryStoreManyDistinctEvents(t *testing.T) {
	const limit, events = 10_000, 30_000
	ctx := context.Background()
	s := webhook.NewMemoryStore(webhook.MaxEntries(limit))
	key := func(i int) string { return "wezopay/wezopay:pay_" + strconv.Itoa(i) + ":payment.completed" }
	for i := range events {
		res, err := s.Reserve(ctx, key(i), time.Minute)
		require.NoError(t, err)
		require.Equal(t, webhook.Acquired, res.State, "event %d", i)
		require.NoError(t, s.Commit(ctx, key(i), res.Token, time.Hour))
	}
	require.Equal(t, limit, s.Len())
	for i := events - limit; i < events; i++ {
		res, err := s.Reserve(ctx, key(i), time.Minute)
		require.NoError(t, err)
		require.Equal(t, webhook.Delivered, res.State, "event %d", i)
	}
	res, err := s.Reserve(ctx, key(0), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, webhook.Acquired, res.State, "the oldest event was evicted")
}
