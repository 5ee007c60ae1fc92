package webhook

import (
	"context"
	"hash/maphash"
	"math"
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
	mu          sync.Mutex
	max         int
	now         func() time.Time
	customClock bool // now is not time.Now
	epoch       time.Time
	// Entries live in one slice and link into their list by index, and the
	// index maps keys to slots. Nothing in either holds a pointer: a full
	// store of 100,000 entries is never scanned by the garbage collector,
	// which otherwise made every notification measurably slower.
	index    map[memKey]int32
	seeds    [2]maphash.Seed // this store's random hash seeds
	slots    []memEntry
	free     int32    // first free slot, chained through next; -1 if none
	inflight slotList // leases, oldest first
	done     slotList // delivered marks, oldest commit first
	nextTok  uint64
	evicted  uint64
}

// memKey identifies a key by two 64-bit hashes under independent random
// seeds. Two keys share one with odds of about 2^-128 per pair: for a full
// store, below 10^-33 per event, far beneath any failure that matters, and
// the seeds, unknown outside the process, keep collisions from being
// chosen.
type memKey [2]uint64

func (s *MemoryStore) hash(key string) memKey {
	return memKey{maphash.String(s.seeds[0], key), maphash.String(s.seeds[1], key)}
}

type memEntry struct {
	key   memKey
	token uint64
	// expires is a time since the store's epoch.
	expires    time.Duration
	prev, next int32
	done       bool
}

// slotList is a doubly linked list of slots; -1 ends it.
type slotList struct{ head, tail int32 }

// MemoryOption configures a MemoryStore.
type MemoryOption func(*MemoryStore)

// MaxEntries caps how many events the store remembers (default
// DefaultMaxEntries). Values below 1 are ignored.
func MaxEntries(n int) MemoryOption {
	return func(s *MemoryStore) {
		if n > 0 {
			s.max = min(n, math.MaxInt32)
		}
	}
}

// Clock replaces time.Now, for tests that move time by hand.
func Clock(now func() time.Time) MemoryOption {
	return func(s *MemoryStore) {
		if now != nil {
			s.now, s.customClock = now, true
		}
	}
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore(opts ...MemoryOption) *MemoryStore {
	s := &MemoryStore{
		max:      DefaultMaxEntries,
		now:      time.Now,
		index:    map[memKey]int32{},
		seeds:    [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		free:     -1,
		inflight: slotList{-1, -1},
		done:     slotList{-1, -1},
	}
	for _, o := range opts {
		o(s)
	}
	s.epoch = s.now()
	return s
}

// clock returns the time since the epoch; it follows the monotonic clock
// when the store's clock has one, as time.Now does.
func (s *MemoryStore) clock() time.Duration {
	if !s.customClock {
		return time.Since(s.epoch) // one monotonic reading, cheaper than Now
	}
	return s.now().Sub(s.epoch)
}

// after returns t+d, saturating instead of overflowing.
func after(t, d time.Duration) time.Duration {
	if d > 0 && t > math.MaxInt64-d {
		return math.MaxInt64
	}
	return t + d
}

// Reserve implements Store.
func (s *MemoryStore) Reserve(_ context.Context, key string, lease time.Duration) (Reservation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	s.sweep(now)
	k := s.hash(key)
	if i, ok := s.index[k]; ok {
		e := &s.slots[i]
		if now < e.expires {
			if e.done {
				return Reservation{State: Delivered}, nil
			}
			return Reservation{State: InFlight}, nil
		}
		s.remove(i)
	}
	if !s.makeRoom(now) {
		return Reservation{}, ErrStoreFull
	}
	s.nextTok++
	s.add(memEntry{key: k, token: s.nextTok, expires: after(now, lease)})
	return Reservation{State: Acquired, Token: strconv.FormatUint(s.nextTok, 36)}, nil
}

// Commit implements Store.
func (s *MemoryStore) Commit(_ context.Context, key, _ string, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	k := s.hash(key)
	if i, ok := s.index[k]; ok {
		// The lease becomes the youngest delivered mark, in its slot.
		s.unlink(i)
		e := &s.slots[i]
		e.done, e.token, e.expires = true, 0, after(now, ttl)
		s.link(i)
		return nil
	}
	if !s.makeRoom(now) {
		return ErrStoreFull
	}
	s.add(memEntry{key: k, done: true, expires: after(now, ttl)})
	return nil
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, key, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.index[s.hash(key)]; ok {
		if e := &s.slots[i]; !e.done && strconv.FormatUint(e.token, 36) == token {
			s.remove(i)
		}
	}
	return nil
}

// Len reports how many entries the store holds, expired ones not yet
// dropped included. It never exceeds the cap.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.index)
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
func (s *MemoryStore) sweep(now time.Duration) {
	for _, l := range []*slotList{&s.inflight, &s.done} {
		for i := l.head; i >= 0 && now >= s.slots[i].expires; i = l.head {
			s.remove(i)
		}
	}
}

// makeRoom ensures one more entry fits under the cap, evicting the oldest
// delivered mark if it must, and reports whether it succeeded.
func (s *MemoryStore) makeRoom(now time.Duration) bool {
	if len(s.index) < s.max {
		return true
	}
	// Leases of different lengths may leave an expired lease behind a live
	// one; look for one before evicting anything that still matters.
	for i := s.inflight.head; i >= 0; i = s.slots[i].next {
		if now >= s.slots[i].expires {
			s.remove(i)
			return true
		}
	}
	if i := s.done.head; i >= 0 {
		if now < s.slots[i].expires {
			s.evicted++
		}
		s.remove(i)
		return true
	}
	return false
}

func (s *MemoryStore) list(done bool) *slotList {
	if done {
		return &s.done
	}
	return &s.inflight
}

// add stores e in a free slot at the young end of its list.
func (s *MemoryStore) add(e memEntry) {
	i := s.free
	if i >= 0 {
		s.free = s.slots[i].next
	} else {
		i = int32(len(s.slots))
		s.slots = append(s.slots, memEntry{})
	}
	s.slots[i] = e
	s.link(i)
	s.index[e.key] = i
}

// link appends slot i to the young end of its list.
func (s *MemoryStore) link(i int32) {
	e := &s.slots[i]
	l := s.list(e.done)
	e.prev, e.next = l.tail, -1
	if l.tail >= 0 {
		s.slots[l.tail].next = i
	} else {
		l.head = i
	}
	l.tail = i
}

// unlink takes slot i out of its list.
func (s *MemoryStore) unlink(i int32) {
	e := &s.slots[i]
	l := s.list(e.done)
	if e.prev >= 0 {
		s.slots[e.prev].next = e.next
	} else {
		l.head = e.next
	}
	if e.next >= 0 {
		s.slots[e.next].prev = e.prev
	} else {
		l.tail = e.prev
	}
}

// remove unlinks slot i and frees it.
func (s *MemoryStore) remove(i int32) {
	s.unlink(i)
	delete(s.index, s.slots[i].key)
	s.slots[i] = memEntry{next: s.free}
	s.free = i
}
