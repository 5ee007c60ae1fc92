package simkit

import (
	"crypto/rand"
	"sync"
	"time"
)

// Tokens is the memory of a simulated token endpoint, for a provider whose
// API calls carry a short-lived token granted from credentials (the
// adapter side is kit.TokenSource): access tokens and refresh tokens with
// their lives, refresh tokens used up by a refresh, a limit on token calls
// an hour, and counts for tests. The simulator checks the credentials and
// writes the answers in its wire format. Safe for concurrent use.
type Tokens struct {
	life, refreshLife time.Duration
	limit             int

	mu                sync.Mutex
	access, refresh   map[string]time.Time // token → expiry
	calls             []time.Time          // token calls in the last hour
	grants, refreshes int
}

// NewTokens returns an endpoint whose access tokens live life and refresh
// tokens refreshLife, answering at most limit token calls an hour (0 is no
// limit).
func NewTokens(life, refreshLife time.Duration, limit int) *Tokens {
	return &Tokens{life: life, refreshLife: refreshLife, limit: limit,
		access: map[string]time.Time{}, refresh: map[string]time.Time{}}
}

// Call counts a token call at now and reports whether it is within the
// hourly limit.
func (t *Tokens) Call(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	recent := t.calls[:0]
	for _, c := range t.calls {
		if now.Sub(c) < time.Hour {
			recent = append(recent, c)
		}
	}
	t.calls = append(recent, now)
	return t.limit <= 0 || len(t.calls) <= t.limit
}

// Grant issues an access token and a refresh token at now.
func (t *Tokens) Grant(now time.Time) (access, refresh string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.grants++
	return t.issue(now)
}

// Refresh issues a new pair for refresh, which is used up, when it is one
// this endpoint issued and still valid at now.
func (t *Tokens) Refresh(now time.Time, refresh string) (access, newRefresh string, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !now.Before(t.refresh[refresh]) {
		return "", "", false
	}
	delete(t.refresh, refresh)
	t.refreshes++
	access, newRefresh = t.issue(now)
	return access, newRefresh, true
}

func (t *Tokens) issue(now time.Time) (access, refresh string) {
	access, refresh = rand.Text(), rand.Text()
	t.access[access], t.refresh[refresh] = now.Add(t.life), now.Add(t.refreshLife)
	return access, refresh
}

// Check says whether access was issued here (known) and is still valid at
// now (fresh).
func (t *Tokens) Check(now time.Time, access string) (known, fresh bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	expiry, known := t.access[access]
	return known, known && now.Before(expiry)
}

// ExpireAll makes every access token issued so far expired, as if its life
// were up.
func (t *Tokens) ExpireAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for a := range t.access {
		t.access[a] = time.Time{}
	}
}

// Counts says how many grants and refreshes were answered with a token.
func (t *Tokens) Counts() (grants, refreshes int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.grants, t.refreshes
}
