package kit_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

// fakeIssuer grants numbered tokens and counts what it was asked.
type fakeIssuer struct {
	mu               sync.Mutex
	grants, refreshs int
	life             time.Duration
	refuseRefresh    error         // returned by Refresh when set
	hold             chan struct{} // when set, a grant waits for it
}

func (f *fakeIssuer) Grant(context.Context) (kit.Token, error) {
	if f.hold != nil {
		<-f.hold
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.grants++
	return kit.Token{Value: fmt.Sprintf("grant-%d", f.grants), Refresh: fmt.Sprintf("refresh-%d", f.grants), Life: f.life}, nil
}

func (f *fakeIssuer) Refresh(_ context.Context, refresh string) (kit.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refuseRefresh != nil {
		return kit.Token{}, f.refuseRefresh
	}
	f.refreshs++
	return kit.Token{Value: fmt.Sprintf("refreshed-%d-from-%s", f.refreshs, refresh), Life: f.life}, nil
}

func (f *fakeIssuer) counts() (int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.grants, f.refreshs
}

var policy = kit.TokenPolicy{Provider: "tokenpay", RenewMargin: 10 * time.Minute, RefreshLife: 24 * time.Hour, DefaultLife: time.Hour}

func source(is kit.TokenIssuer, clock *simkit.ManualClock) kit.TokenSource {
	return kit.TokenSource{Cache: kit.NewTokenCache(policy), Issuer: is, Clock: clock.Now}
}

func TestTokenIsGrantedOnceForConcurrentCallers(t *testing.T) {
	is := &fakeIssuer{life: time.Hour, hold: make(chan struct{})}
	s := source(is, simkit.NewManualClock(time.Unix(0, 0)))
	var wg sync.WaitGroup
	got := make([]string, 10)
	for i := range got {
		wg.Go(func() {
			var err error
			got[i], err = s.Token(context.Background())
			assert.NoError(t, err)
		})
	}
	// Give the callers time to gather on the held grant; whatever the
	// timing, a caller arriving after it finds the token cached.
	time.Sleep(10 * time.Millisecond)
	close(is.hold)
	wg.Wait()
	for _, tok := range got {
		assert.Equal(t, "grant-1", tok)
	}
	grants, _ := is.counts()
	assert.Equal(t, 1, grants)
}

func TestTokenIsRenewedAheadOfItsExpiry(t *testing.T) {
	clock := simkit.NewManualClock(time.Unix(0, 0))
	is := &fakeIssuer{life: time.Hour}
	s := source(is, clock)
	ctx := context.Background()
	tok, err := s.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "grant-1", tok)
	clock.Advance(49 * time.Minute)
	tok, _ = s.Token(ctx)
	assert.Equal(t, "grant-1", tok, "still fresh")
	clock.Advance(time.Minute) // 10 minutes before the hour is up
	tok, _ = s.Token(ctx)
	assert.Equal(t, "refreshed-1-from-refresh-1", tok, "renewed with the refresh token")

	// A short life is renewed a sixth of it early, not ten minutes.
	is.life = 6 * time.Minute
	s = source(is, clock)
	tok, _ = s.Token(ctx)
	clock.Advance(4*time.Minute + 59*time.Second)
	again, _ := s.Token(ctx)
	assert.Equal(t, tok, again)
	clock.Advance(time.Second)
	again, _ = s.Token(ctx)
	assert.NotEqual(t, tok, again)
}

func TestTokenLifeDefaultsWhenTheGrantNamesNone(t *testing.T) {
	clock := simkit.NewManualClock(time.Unix(0, 0))
	is := &fakeIssuer{}
	s := source(is, clock)
	tok, _ := s.Token(context.Background())
	clock.Advance(49 * time.Minute) // DefaultLife is an hour
	again, _ := s.Token(context.Background())
	assert.Equal(t, tok, again)
	clock.Advance(time.Minute)
	again, _ = s.Token(context.Background())
	assert.NotEqual(t, tok, again)
}

func TestTokenGrantsWhenTheRefreshTokenIsOldOrRefused(t *testing.T) {
	clock := simkit.NewManualClock(time.Unix(0, 0))
	ctx := context.Background()

	is := &fakeIssuer{life: time.Hour}
	s := source(is, clock)
	s.Token(ctx)
	clock.Advance(25 * time.Hour) // past RefreshLife
	tok, err := s.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "grant-2", tok)

	is = &fakeIssuer{life: time.Hour, refuseRefresh: &mfspay.Error{Kind: mfspay.ErrUnauthorized}}
	s = source(is, clock)
	s.Token(ctx)
	clock.Advance(time.Hour)
	tok, err = s.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "grant-2", tok, "a refused refresh falls back to a grant")

	// A refresh that failed otherwise (the provider is down) is the error:
	// granting would only spend the credentials' allowance.
	is = &fakeIssuer{life: time.Hour, refuseRefresh: &mfspay.Error{Kind: mfspay.ErrUnavailable}}
	s = source(is, clock)
	s.Token(ctx)
	clock.Advance(time.Hour)
	_, err = s.Token(ctx)
	assert.ErrorIs(t, err, mfspay.ErrUnavailable)
	grants, _ := is.counts()
	assert.Equal(t, 1, grants)
}

func TestInvalidateDropsOnlyTheRefusedToken(t *testing.T) {
	clock := simkit.NewManualClock(time.Unix(0, 0))
	s := source(&fakeIssuer{life: time.Hour}, clock)
	ctx := context.Background()
	tok, _ := s.Token(ctx)
	s.Cache.Invalidate("some older token")
	again, _ := s.Token(ctx)
	assert.Equal(t, tok, again)
	s.Cache.Invalidate(tok)
	again, _ = s.Token(ctx)
	assert.NotEqual(t, tok, again)
}

func TestSharedTokenCacheIsOnePerIdentity(t *testing.T) {
	a := kit.SharedTokenCache(policy, "https://api.example", "user", "secret-"+t.Name())
	b := kit.SharedTokenCache(policy, "https://api.example", "user", "secret-"+t.Name())
	c := kit.SharedTokenCache(policy, "https://api.example", "user", "other-"+t.Name())
	d := kit.SharedTokenCache(policy, "https://api.example", "user", "secret-", t.Name())
	assert.Same(t, a, b)
	assert.NotSame(t, a, c)
	assert.NotSame(t, a, d, "parts are kept apart, not joined")
}

func TestTokenCallerLeavingDoesNotFailTheGrant(t *testing.T) {
	is := &fakeIssuer{life: time.Hour, hold: make(chan struct{})}
	s := source(is, simkit.NewManualClock(time.Unix(0, 0)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Token(ctx)
	assert.ErrorIs(t, err, mfspay.ErrUnavailable)
	assert.ErrorIs(t, err, context.Canceled)
	close(is.hold) // the grant the caller left goes on
	tok, err := s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "grant-1", tok)
}

func TestCallSendsAReadAgainOnceWithAFreshToken(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		clock := simkit.NewManualClock(time.Unix(0, 0))
		s := source(&fakeIssuer{life: time.Hour}, clock)
		var sent []string
		refuseFirst := func(tok string) (*kit.HTTPResponse, error) {
			sent = append(sent, tok)
			if len(sent) == 1 {
				return &kit.HTTPResponse{StatusCode: status}, nil
			}
			return &kit.HTTPResponse{StatusCode: http.StatusOK}, nil
		}
		_, _ = s.Token(context.Background())
		clock.Advance(time.Minute) // refused mid-life, not just after its grant
		resp, err := s.Call(context.Background(), true, refuseFirst)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Len(t, sent, 2, "%d", status)
		assert.NotEqual(t, sent[0], sent[1], "the second carries a fresh token")

		// Refused twice: the second refusal is the answer.
		clock.Advance(time.Minute)
		sent = nil
		resp, err = s.Call(context.Background(), true, func(tok string) (*kit.HTTPResponse, error) {
			sent = append(sent, tok)
			return &kit.HTTPResponse{StatusCode: status}, nil
		})
		require.NoError(t, err)
		assert.Equal(t, status, resp.StatusCode)
		assert.Len(t, sent, 2)

		// Not a read: sent once, the token dropped for the next call.
		clock.Advance(time.Minute)
		sent = nil
		resp, err = s.Call(context.Background(), false, refuseFirst)
		require.NoError(t, err)
		assert.Equal(t, status, resp.StatusCode)
		assert.Len(t, sent, 1)
		next, _ := s.Token(context.Background())
		assert.NotEqual(t, sent[0], next)
	}
}

// A token refused within MinAge of its grant is not what the provider
// minds (its credentials or permissions are): renewing it on every call
// would spend the provider's grant limit, so the refusal is the answer.
// Once it is older, one refusal renews it once.
func TestPersistentRefusalRenewsAtMostOncePerMinAge(t *testing.T) {
	clock := simkit.NewManualClock(time.Unix(0, 0))
	is := &fakeIssuer{life: time.Hour}
	s := source(is, clock)
	sent := 0
	refuse := func(string) (*kit.HTTPResponse, error) {
		sent++
		return &kit.HTTPResponse{StatusCode: http.StatusUnauthorized}, nil
	}
	for _, read := range []bool{true, true, true, false} {
		resp, err := s.Call(context.Background(), read, refuse)
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	grants, refreshes := is.counts()
	assert.Equal(t, 1, grants)
	assert.Zero(t, refreshes, "a token just granted is never renewed for a refusal")
	assert.Equal(t, 4, sent, "each call sent once")

	clock.Advance(time.Minute) // policy.MinAge is zero: one minute
	for range 3 {
		_, err := s.Call(context.Background(), true, refuse)
		require.NoError(t, err)
	}
	_, refreshes = is.counts()
	assert.Equal(t, 1, refreshes, "renewed once for the first refusal, not again for its fresh token")
	assert.Equal(t, 4+2+1+1, sent, "the first read sent again once with the renewed token")
}

func TestSecretsAreTheTokensHeldAndThoseReplaced(t *testing.T) {
	clock := simkit.NewManualClock(time.Unix(0, 0))
	s := source(&fakeIssuer{life: time.Hour}, clock)
	assert.Equal(t, []string{"", "", "", ""}, s.Cache.Secrets())
	_, _ = s.Token(context.Background())
	clock.Advance(time.Hour)
	_, _ = s.Token(context.Background())
	assert.Equal(t, []string{"refreshed-1-from-refresh-1", "refresh-1", "grant-1", "refresh-1"}, s.Cache.Secrets())
}
