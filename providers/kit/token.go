package kit

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/mfspay/mfspay"
)

// Token is what a provider's token endpoint granted.
type Token struct {
	// Value is the access token API calls carry.
	Value string
	// Refresh renews Value without the credentials; "" when none was given.
	Refresh string
	// Life is how long Value is valid; 0 means TokenPolicy.DefaultLife.
	Life time.Duration
}

// TokenIssuer is a driver's calls to its provider's token endpoints.
type TokenIssuer interface {
	// Grant asks for a token with the credentials.
	Grant(ctx context.Context) (Token, error)
	// Refresh asks for one with a refresh token. An error wrapping
	// mfspay.ErrUnauthorized is a refusal: the TokenCache grants instead.
	Refresh(ctx context.Context, refreshToken string) (Token, error)
}

// TokenPolicy says how long a TokenCache trusts what it was granted.
type TokenPolicy struct {
	// Provider names the adapter in errors.
	Provider string
	// RenewMargin is how long before its expiry a token is renewed (at
	// most a sixth of its life), so that no call leaves with a token about
	// to die.
	RenewMargin time.Duration
	// RefreshLife is how long a refresh token is believed valid; after it
	// the cache grants anew.
	RefreshLife time.Duration
	// DefaultLife is a token's life when the grant names none.
	DefaultLife time.Duration
	// MinAge is how old a token must be before a refusal of it (401, 403)
	// renews it; 0 means one minute. A token refused so soon after its
	// grant is not stale: the credentials or their permissions are
	// refused, and renewing on every call would only spend the
	// provider's grant limit (bKash: two an hour, then a one-hour block).
	// So a persistent refusal renews at most once per MinAge.
	MinAge time.Duration
}

// TokenCache holds the token of one credential set, for providers whose
// API calls carry a short-lived token granted from credentials. Renewals
// are single-flighted (see Flight): concurrent callers wait for one grant
// or refresh. Use it through a TokenSource; it is safe for concurrent use.
type TokenCache struct {
	policy TokenPolicy
	flight Flight[string]

	mu sync.Mutex
	// value is used until renewAt; refresh renews it until refreshUntil.
	// issued is when value was granted; old holds the tokens it replaced.
	value, refresh                string
	renewAt, refreshUntil, issued time.Time
	old                           [2]string
}

// NewTokenCache returns an empty cache following p.
func NewTokenCache(p TokenPolicy) *TokenCache {
	return &TokenCache{policy: p, flight: Flight[string]{Provider: p.Provider,
		Left: "call ended by the caller's context while a token was being granted"}}
}

// sharedCaches are the process's token caches by hashed identity.
var sharedCaches = struct {
	sync.Mutex
	m map[[sha256.Size]byte]*TokenCache
}{m: map[[sha256.Size]byte]*TokenCache{}}

// SharedTokenCache returns the process's one cache for identity (the API
// base and the credentials), made with p the first time. A provider that
// blocks credentials asking for tokens too often (bKash: more than twice an
// hour) needs every gateway of a process with the same credentials
// (replicas, plugin reconfigurations, test suites) to share one. The
// identity is kept only as a hash.
func SharedTokenCache(p TokenPolicy, identity ...string) *TokenCache {
	h := sha256.New()
	for _, s := range identity {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	sharedCaches.Lock()
	defer sharedCaches.Unlock()
	c := sharedCaches.m[key]
	if c == nil {
		c = NewTokenCache(p)
		sharedCaches.m[key] = c
	}
	return c
}

// current returns the token while it is fresh.
func (c *TokenCache) current(now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value, c.value != "" && now.Before(c.renewAt)
}

// young says token is the current one and younger than the policy's
// MinAge.
func (c *TokenCache) young(token string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value == token && now.Sub(c.issued) < cmp.Or(c.policy.MinAge, time.Minute)
}

// Secrets returns the tokens the cache holds, and those they replaced (a
// call that left with one may be answered after the renewal), for a
// driver to scrub from provider text it keeps in errors. Empty strings
// are for no token.
func (c *TokenCache) Secrets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return []string{c.value, c.refresh, c.old[0], c.old[1]}
}

// Invalidate drops token after the provider refused it, unless it was
// renewed since.
func (c *TokenCache) Invalidate(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.value == token {
		c.renewAt = time.Time{}
	}
}

// TokenSource is one driver's way to a TokenCache: Issuer asks the
// provider, with the driver's own HTTP client, and Clock tells the time
// (nil means time.Now).
type TokenSource struct {
	Cache  *TokenCache
	Issuer TokenIssuer
	Clock  func() time.Time
}

func (s TokenSource) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock()
}

// Token returns a fresh token, renewing it (once, for every caller
// waiting) when it is due.
func (s TokenSource) Token(ctx context.Context) (string, error) {
	c := s.Cache
	if tok, ok := c.current(s.now()); ok {
		return tok, nil
	}
	return c.flight.Do(ctx, "renew", s.renew)
}

// renew refreshes the token while the refresh token is believed valid and
// grants a new one otherwise, or when the provider refuses the refresh.
func (s TokenSource) renew(ctx context.Context) (string, error) {
	c, now := s.Cache, s.now()
	if tok, ok := c.current(now); ok { // renewed by a flight that just ended
		return tok, nil
	}
	c.mu.Lock()
	refresh := c.refresh
	if !now.Before(c.refreshUntil) {
		refresh = ""
	}
	c.mu.Unlock()
	var t Token
	var err error
	if refresh != "" {
		t, err = s.Issuer.Refresh(ctx, refresh)
	}
	if refresh == "" || errors.Is(err, mfspay.ErrUnauthorized) {
		t, err = s.Issuer.Grant(ctx)
	}
	if err != nil {
		return "", err
	}
	life := t.Life
	if life <= 0 {
		life = c.policy.DefaultLife
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.old = [2]string{c.value, c.refresh}
	c.value, c.renewAt, c.issued = t.Value, now.Add(life-min(c.policy.RenewMargin, life/6)), now
	if t.Refresh != "" {
		c.refresh, c.refreshUntil = t.Refresh, now.Add(c.policy.RefreshLife)
	}
	return c.value, nil
}

// Call sends one request with a fresh token (send puts it where the
// provider wants it). A 401 or 403 answer is the token refused (expired
// early, or revoked): it is dropped, and a read is sent once more with a
// fresh one. Anything else (a create, an execute) is never sent twice: its
// refusal is returned as it came, and the next call renews the token. A
// token younger than TokenPolicy.MinAge is neither dropped nor renewed:
// its refusal is returned as it came.
func (s TokenSource) Call(ctx context.Context, read bool, send func(token string) (*HTTPResponse, error)) (*HTTPResponse, error) {
	for retried := false; ; retried = true {
		tok, err := s.Token(ctx)
		if err != nil {
			return nil, err
		}
		resp, err := send(tok)
		if err != nil || (resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden) {
			return resp, err
		}
		if s.Cache.young(tok, s.now()) {
			return resp, nil
		}
		s.Cache.Invalidate(tok)
		if !read || retried {
			return resp, nil
		}
	}
}
