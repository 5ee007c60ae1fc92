package webhook

import (
	"container/list"
	"context"
	"strconv"
	"sync"
	"time"
)

// DefaultMaxEntries is the cap of a MemoryStore made without MaxEntries.
const DefaultMaxEntries = 100_000

// MemoryStore is the in-memory Store: one process, bounded memory.
//
// It holds at most its cap of entries. Expired marks and leases are dropped
// as they age. When the store is full, room is made by evicting the oldest
// delivered mark first, even if it has not expired: that trades a possible
// duplicate delivery of a very old event (callbacks must be idempotent
// anyway) for bounded memory. An in-flight lease is never evicted to admit a
// new event: if every entry is a live lease, Reserve fails with ErrStoreFull
// and the handler answers 503, so the provider retries once leases end.
//
// Use a shared Store instead when several replicas receive webhooks.
type MemoryStore struct {
	mu       sync.Mutex
	max      int
	now      func() time.Time
	entries  map[string]*list.Element // of *memEntry
	inflight *list.List               // leases, oldest first
	done     *list.List               // delivered marks, oldest commit first
	nextTok  uint64
	evicted  uint64
}

type memEntry struct {
	key     string
	token   string
	done    bool
	expires time.Time
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
	s := &MemoryStore{
		max:      DefaultMaxEntries,
		now:      time.Now,
		entries:  map[string]*list.Element{},
		inflight: list.New(),
		done:     list.New(),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Reserve implements Store.
func (s *MemoryStore) Reserve(_ context.Context, key string, lease time.Duration) (Reservation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweep(now)
	if el, ok := s.entries[key]; ok {
		e := el.Value.(*memEntry)
		if now.Before(e.expires) {
			if e.done {
				return Reservation{State: Delivered}, nil
			}
			return Reservation{State: InFlight}, nil
		}
		s.remove(el)
	}
	if !s.makeRoom(now) {
		return Reservation{}, ErrStoreFull
	}
	s.nextTok++
	e := &memEntry{key: key, token: strconv.FormatUint(s.nextTok, 36), expires: now.Add(lease)}
	s.entries[key] = s.inflight.PushBack(e)
	return Reservation{State: Acquired, Token: e.token}, nil
}

// Commit implements Store.
func (s *MemoryStore) Commit(_ context.Context, key, _ string, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if el, ok := s.entries[key]; ok {
		s.remove(el)
	} else if !s.makeRoom(now) {
		return ErrStoreFull
	}
	s.entries[key] = s.done.PushBack(&memEntry{key: key, done: true, expires: now.Add(ttl)})
	return nil
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, key, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.entries[key]; ok {
		if e := el.Value.(*memEntry); !e.done && e.token == token {
			s.remove(el)
		}
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

// sweep drops expired entries from the old end of both lists. Entries are
// appended in time order, so with a steady TTL and lease this finds nearly
// every expired entry in amortised constant time.
func (s *MemoryStore) sweep(now time.Time) {
	for _, l := range []*list.List{s.inflight, s.done} {
		for el := l.Front(); el != nil && !now.Before(el.Value.(*memEntry).expires); el = l.Front() {
			s.remove(el)
		}
	}
}

// makeRoom ensures one more entry fits under the cap, evicting the oldest
// delivered mark if it must, and reports whether it succeeded.
func (s *MemoryStore) makeRoom(now time.Time) bool {
	if len(s.entries) < s.max {
		return true
	}
	// Leases of different lengths may leave an expired lease behind a live
	// one; look for one before evicting anything that still matters.
	for el := s.inflight.Front(); el != nil; el = el.Next() {
		if !now.Before(el.Value.(*memEntry).expires) {
			s.remove(el)
			return true
		}
	}
	if el := s.done.Front(); el != nil {
		if now.Before(el.Value.(*memEntry).expires) {
			s.evicted++
		}
		s.remove(el)
		return true
	}
	return false
}

func (s *MemoryStore) remove(el *list.Element) {
	e := el.Value.(*memEntry)
	delete(s.entries, e.key)
	if e.done {
		s.done.Remove(el)
	} else {
		s.inflight.Remove(el)
	}
}
