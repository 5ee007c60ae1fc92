package webhook

import (
	"context"
	"errors"
	"time"
)

// Store remembers which payment states were delivered, so that a state
// reaches the callback once, on one replica or on many sharing the store,
// whether a provider's (re-)delivered notification, the customer's return or
// a reconciliation sweep reports it. Keys are
// "provider/payment/{paymentID}/{event type}" (or ".../invoice/{invoiceID}/..."
// when the event names only the invoice), and "provider/event/{eventID}"
// for events that name no payment (transaction.received).
//
// The in-memory default (MemoryStore) serves one process; the redisstore and
// pgstore packages serve replicas. The storetest package checks any
// implementation against the rules below; run it on your own store.
//
// # Leases and fencing tokens
//
// Reserve is an atomic "claim if free": it takes an expiring lease on the
// key and returns a fresh token naming this claim, so that a replica that
// crashes while delivering blocks its event for at most the lease. The
// token fences the claim: once the lease has expired and another delivery
// has reserved the key, the first holder is stale, and
//
//   - its Release does nothing, so it can never drop the new holder's lease;
//   - its Commit fails with ErrLeaseLost and changes nothing, so the new
//     holder's lease and outcome stand. The stale holder's delivery did
//     happen, and the new holder may deliver the event again: the error
//     makes that second delivery visible (the handler logs it) instead of
//     hiding it behind a mark that looks normal.
//
// A holder whose lease expired but whose key nobody reserved since is not
// stale: its Commit records the delivery and succeeds. The same holds for a
// key that is absent (its lease expired and was dropped, or a later holder
// released it after failing): the event was delivered, and recording it is
// what keeps later re-deliveries out. So a delivery is lost from the store
// only when another holder has reserved the key since, and that is exactly
// when Commit fails.
//
// Commit is idempotent: committing the same token again succeeds. Release
// never undoes a commit.
//
// # Time and errors
//
// Leases and TTLs are measured by the store's own clock (the Redis or
// PostgreSQL server's for a shared store), so replicas whose clocks differ
// still agree on when a lease ends.
//
// Implementations must be safe for concurrent use and must return once ctx
// is done. An error other than ErrLeaseLost means the store is unavailable;
// the handler then answers 503 so the provider retries later. A key that is
// empty, a lease or TTL that is not positive, or an empty token is refused
// with an error matching mfspay.ErrInvalidRequest, changing nothing.
type Store interface {
	// Reserve atomically claims key for one delivery lasting at most lease.
	// It reports Acquired with a fresh token when nobody holds the key,
	// Delivered when the key was committed and its mark has not expired,
	// and InFlight when another delivery holds an unexpired lease.
	Reserve(ctx context.Context, key string, lease time.Duration) (Reservation, error)
	// Commit marks key delivered for ttl, unless another delivery has
	// reserved or committed key since token's reservation: then it returns
	// ErrLeaseLost and changes nothing.
	Commit(ctx context.Context, key, token string, ttl time.Duration) error
	// Release drops the lease behind token so that the next delivery of key
	// is attempted again. It does nothing when token no longer holds key
	// (the lease expired and someone else took it, or the key was
	// committed).
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

// ErrLeaseLost is returned by Store.Commit when the committing delivery's
// lease expired and another delivery reserved or committed the key since:
// the event may reach the callback twice.
var ErrLeaseLost = errors.New("webhook: the lease expired and another delivery took the event before the commit")
