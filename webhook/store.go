package webhook

import (
	"context"
	"errors"
	"time"
)

// Store remembers which events were delivered, so that a provider's
// re-delivery of the same notification reaches the callback once.
//
// It is designed for a store shared by several replicas (Redis, SQL) as well
// as for the in-memory default: Reserve is an atomic "set if absent" with an
// expiring lease, so a replica that crashes while delivering cannot block an
// event forever. Keys are "provider/eventID".
//
// Implementations must be safe for concurrent use. An error from any method
// means the store is unavailable; the handler then answers 503 so the
// provider retries later.
//
// A shared store maps naturally onto one key per event, for instance in
// Redis: Reserve is SET key <random token> NX PX lease, and when the key
// exists, its value tells Delivered ("done") from InFlight (a token);
// Commit is SET key "done" PX ttl; Release deletes the key only if it still
// holds token (a compare-and-delete script), so a replica whose lease ran
// out cannot drop the lease of the replica that took over.
type Store interface {
	// Reserve atomically claims key for one delivery lasting at most lease.
	// It reports Acquired with a fresh token when nobody holds the key,
	// Delivered when the key was committed and its mark has not expired, and
	// InFlight when another delivery holds an unexpired lease.
	Reserve(ctx context.Context, key string, lease time.Duration) (Reservation, error)
	// Commit marks key delivered for ttl. It succeeds even when the lease
	// behind token has expired or passed to another holder: the event was
	// delivered either way.
	Commit(ctx context.Context, key, token string, ttl time.Duration) error
	// Release drops the lease behind token so that the next delivery of key
	// is attempted again. It does nothing when token no longer holds key
	// (the lease expired and someone else took it, or the key was committed).
	Release(ctx context.Context, key, token string) error
}

// Reservation is the answer of Store.Reserve.
type Reservation struct {
	State State
	// Token identifies the lease when State is Acquired; pass it to Commit
	// or Release.
	Token string
}

// State says what Store.Reserve found.
type State int

// The reservation states.
const (
	// Acquired: the caller holds the key and must Commit or Release it.
	Acquired State = iota + 1
	// Delivered: the event was already delivered; answer as a duplicate.
	Delivered
	// InFlight: another delivery holds the key right now.
	InFlight
)

// String returns "acquired", "delivered" or "in-flight".
func (s State) String() string {
	switch s {
	case Acquired:
		return "acquired"
	case Delivered:
		return "delivered"
	case InFlight:
		return "in-flight"
	}
	return "invalid"
}

// ErrStoreFull is returned by MemoryStore.Reserve when every entry is an
// in-flight lease and the cap leaves no room: admitting the new event would
// mean silently dropping another event's lease.
var ErrStoreFull = errors.New("webhook: de-duplication store is full of in-flight leases")
