package webhook

import (
	"container/heap"
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/mfspay/mfspay/webhook/internal/storeargs"
)

// DefaultMaxEntries is the cap of a MemoryStore made without MaxEntries.
const DefaultMaxEntries = 100_000

// MemoryStore is the in-memory Store: one process, bounded memory.
//
// It holds at most its cap of entries. Expired marks and leases are dropped
// as they age. When the store is full, room is made by evicting the
// delivered mark closest to expiry (the oldest, under one TTL), even if it
// has not expired: that trades a possible duplicate delivery of a very old
// event (callbacks must be idempotent anyway) for bounded memory. An
// in-flight lease is never evicted to admit a new event: if every entry is a
// live lease, Reserve fails with ErrStoreFull and the handler answers 503,
// so the provider retries once leases end.
//
// Use a shared Store (redisstore, pgstore) when several replicas receive
// webhooks.
type MemoryStore struct {
	mu      sync.Mutex
	max     int
	now     func() time.Time
	entries map[string]*memEntry
	leases  expiryQueue // in-flight leases, soonest expiry first
	marks   expiryQueue // delivered marks, soonest expiry first
	nextTok uint64
	evicted uint64
}

// memEntry is one key's lease or delivered mark.
type memEntry struct {
	key       string
	token     string // the reservation's token; a mark keeps its committer's
	delivered bool
	expires   time.Time
	index     int // position in its queue, kept up to date by the queue
}

// MemoryOption configures a MemoryStore.
type MemoryOption func(*MemoryStore)

// MaxEntries caps how many events the store remembers (default
// DefaultMaxEntries). Values below 1 are ignored.
func MaxEntries(n int) MemoryOption {
	return func(s *MemoryStore) {
		if n > 0 {
			s.max = n
		}
	}
}

// Clock replaces time.Now, for tests that move time by hand.
func Clock(now func() time.Time) MemoryOption {
	return func(s *MemoryStore) {
		if now != nil {
			s.now = now
		}
	}
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore(opts ...MemoryOption) *MemoryStore {
	s := &MemoryStore{max: DefaultMaxEntries, now: time.Now, entries: map[string]*memEntry{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Reserve implements Store.
func (s *MemoryStore) Reserve(_ context.Context, key string, lease time.Duration) (Reservation, error) {
	if err := storeargs.Reserve(key, lease); err != nil {
		return Reservation{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.dropExpired(now)
	if e, ok := s.entries[key]; ok {
		if e.delivered {
			return Reservation{State: Delivered}, nil
		}
		return Reservation{State: InFlight}, nil
	}
	if !s.makeRoom() {
		return Reservation{}, ErrStoreFull
	}
	s.nextTok++
	e := &memEntry{key: key, token: strconv.FormatUint(s.nextTok, 36), expires: now.Add(lease)}
	s.entries[key] = e
	heap.Push(&s.leases, e)
	return Reservation{State: Acquired, Token: e.token}, nil
}

// Commit implements Store.
func (s *MemoryStore) Commit(_ context.Context, key, token string, ttl time.Duration) error {
	if err := storeargs.Commit(key, token, ttl); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.dropExpired(now)
	e, ok := s.entries[key]
	switch {
	case ok && e.token != token:
		return ErrLeaseLost
	case ok:
		// The lease (or this token's own mark) becomes a mark for ttl.
		heap.Remove(s.queue(e), e.index)
	default:
		// The lease expired and nobody took the key since: record the
		// delivery all the same.
		if !s.makeRoom() {
			return ErrStoreFull
		}
		e = &memEntry{key: key, token: token}
		s.entries[key] = e
	}
	e.delivered, e.expires = true, now.Add(ttl)
	heap.Push(&s.marks, e)
	return nil
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, key, token string) error {
	if err := storeargs.Release(key, token); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[key]; ok && !e.delivered && e.token == token {
		s.remove(e)
	}
	return nil
}

// Len reports how many entries the store holds, expired ones not yet
// dropped included. It never exceeds the cap.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// Evicted reports how many unexpired delivered marks were dropped to make
// room. A growing count means the cap is too small for the TTL.
func (s *MemoryStore) Evicted() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.evicted
}

// dropExpired removes every entry whose time is up, soonest first, in
// O(log n) each.
func (s *MemoryStore) dropExpired(now time.Time) {
	for _, q := range []*expiryQueue{&s.leases, &s.marks} {
		for len(*q) > 0 && !now.Before((*q)[0].expires) {
			s.remove((*q)[0])
		}
	}
}

// makeRoom ensures one more entry fits under the cap, evicting the delivered
// mark closest to expiry if it must, and reports whether it succeeded.
// Expired entries must have been dropped already.
func (s *MemoryStore) makeRoom() bool {
	if len(s.entries) < s.max {
		return true
	}
	if len(s.marks) == 0 {
		return false
	}
	s.remove(s.marks[0])
	s.evicted++
	return true
}

// queue returns the queue e is in.
func (s *MemoryStore) queue(e *memEntry) *expiryQueue {
	if e.delivered {
		return &s.marks
	}
	return &s.leases
}

// remove forgets e.
func (s *MemoryStore) remove(e *memEntry) {
	heap.Remove(s.queue(e), e.index)
	delete(s.entries, e.key)
}

// expiryQueue is a heap of entries, soonest expiry first (container/heap).
type expiryQueue []*memEntry

func (q expiryQueue) Len() int           { return len(q) }
func (q expiryQueue) Less(i, j int) bool { return q[i].expires.Before(q[j].expires) }

func (q expiryQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}

func (q *expiryQueue) Push(x any) {
	e := x.(*memEntry)
	e.index = len(*q)
	*q = append(*q, e)
}

func (q *expiryQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil // let the collector have it
	*q = old[:len(old)-1]
	return e
}
