package bkash

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// Token lifetimes. bKash's id_token lives expires_in seconds (3600) and
// bKash advises renewing at minute 50-55; sources disagree on the refresh
// token's life (28 days or one hour), so it is believed valid for 28 days
// and a refusal falls back to a grant.
const (
	renewMargin   = 10 * time.Minute
	refreshLife   = 28 * 24 * time.Hour
	defaultExpiry = time.Hour
)

// tokenSource holds the token of one credential set. Every driver of the
// process with the same base URL and credentials shares it: bKash blocks
// credentials that ask for tokens more than twice an hour, so gateways
// (replicas, plugin reconfigurations, test suites) must not each grant
// their own. Renewals are single-flighted.
type tokenSource struct {
	username, password, appKey, appSecret string

	flight singleflight.Group
	mu     sync.Mutex
	id     string
	// refresh renews id until refreshUntil; id is used until renewAt.
	refresh               string
	renewAt, refreshUntil time.Time
}

// tokens is the process's token sources by hashed base URL and credentials.
var tokens = struct {
	sync.Mutex
	m map[[sha256.Size]byte]*tokenSource
}{m: map[[sha256.Size]byte]*tokenSource{}}

func sharedTokens(base string, cfg Config) *tokenSource {
	h := sha256.New()
	for _, s := range []string{base, cfg.Username, cfg.Password, cfg.AppKey, cfg.AppSecret} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	tokens.Lock()
	defer tokens.Unlock()
	t := tokens.m[key]
	if t == nil {
		t = &tokenSource{username: cfg.Username, password: cfg.Password, appKey: cfg.AppKey, appSecret: cfg.AppSecret}
		tokens.m[key] = t
	}
	return t
}

// current returns the token while it is fresh.
func (t *tokenSource) current(now time.Time) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.id, t.id != "" && now.Before(t.renewAt)
}

// get returns a fresh token, renewing it (once, for every caller waiting)
// when it is due. The renewal outlives a caller who gives up, so that
// others waiting on it are not failed by that caller's context.
func (t *tokenSource) get(ctx context.Context, d *driver) (string, error) {
	if id, ok := t.current(d.clock()); ok {
		return id, nil
	}
	ch := t.flight.DoChan("renew", func() (any, error) { return t.renew(context.WithoutCancel(ctx), d) })
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	case <-ctx.Done():
		return "", &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: ProviderName,
			Message: "call ended by the caller's context while a token was being granted", Err: ctx.Err()}
	}
}

// renew refreshes the token while the refresh token is believed valid and
// grants a new one otherwise, or when bKash refuses the refresh.
func (t *tokenSource) renew(ctx context.Context, d *driver) (any, error) {
	now := d.clock()
	if id, ok := t.current(now); ok { // renewed by a flight that just ended
		return id, nil
	}
	t.mu.Lock()
	refresh := t.refresh
	if !now.Before(t.refreshUntil) {
		refresh = ""
	}
	t.mu.Unlock()
	var a *answer
	var err error
	if refresh != "" {
		a, err = d.tokenCall(ctx, "token/refresh", refresh)
	}
	if refresh == "" || errors.Is(err, mfspay.ErrUnauthorized) {
		a, err = d.tokenCall(ctx, "token/grant", "")
	}
	if err != nil {
		return nil, err
	}
	life := defaultExpiry
	if n, err := a.ExpiresIn.Int64(); err == nil && n > 0 {
		life = time.Duration(n) * time.Second
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.id, t.renewAt = a.IDToken, now.Add(life-min(renewMargin, life/6))
	if a.RefreshToken != "" {
		t.refresh, t.refreshUntil = a.RefreshToken, now.Add(refreshLife)
	}
	return t.id, nil
}

// invalidate drops id after bKash refused it, unless it was renewed since.
func (t *tokenSource) invalidate(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.id == id {
		t.renewAt = time.Time{}
	}
}

// tokenCall grants a token, or refreshes one when refresh is set. Its
// errors carry no operation, so that the layer names the caller's.
func (d *driver) tokenCall(ctx context.Context, path, refresh string) (*answer, error) {
	t := d.tokens
	body, _ := json.Marshal(map[string]string{"app_key": t.appKey, "app_secret": t.appSecret, "refresh_token": refresh})
	if refresh == "" {
		body, _ = json.Marshal(map[string]string{"app_key": t.appKey, "app_secret": t.appSecret})
	}
	// Idempotent: a grant moves no money, so an attempt that failed may be
	// repeated by the policy.
	resp, err := d.http.Do(ctx, kit.HTTPRequest{Op: "token", Method: http.MethodPost, URL: d.base + path, Body: body,
		Idempotent: true, Header: http.Header{"Username": {t.username}, "Password": {t.password},
			"Content-Type": {"application/json"}, "Accept": {"application/json"}}})
	var a *answer
	if err == nil {
		a, err = d.answer("token", resp)
	}
	if err == nil && a.IDToken == "" {
		err = &mfspay.Error{Kind: mfspay.ErrUnavailable, HTTPStatus: resp.StatusCode, Message: "malformed response: no id_token"}
	}
	var e *mfspay.Error
	if errors.As(err, &e) {
		out := *e
		out.Op, out.Message = "", "token "+path[len("token/"):]+": "+e.Message
		if out.Kind != mfspay.ErrUnavailable && out.Kind != mfspay.ErrRateLimited {
			out.Kind = mfspay.ErrUnauthorized // bKash refused the credentials or the refresh token
		}
		return nil, &out
	}
	return a, err
}
