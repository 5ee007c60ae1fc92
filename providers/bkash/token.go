package bkash

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// tokenPolicy: bKash's id_token lives expires_in seconds (3600) and bKash
// advises renewing at minute 50-55; sources disagree on the refresh token's
// life (28 days or one hour), so it is believed valid for 28 days and a
// refusal falls back to a grant.
var tokenPolicy = kit.TokenPolicy{Provider: ProviderName,
	RenewMargin: 10 * time.Minute, RefreshLife: 28 * 24 * time.Hour, DefaultLife: time.Hour}

// issuer is a driver's calls to token/grant and token/refresh: the
// kit.TokenIssuer of its token source.
type issuer struct{ d *driver }

// Grant asks bKash for a token with the credentials.
func (is issuer) Grant(ctx context.Context) (kit.Token, error) {
	return is.d.tokenCall(ctx, "token/grant", "")
}

// Refresh asks bKash for a token with a refresh token.
func (is issuer) Refresh(ctx context.Context, refresh string) (kit.Token, error) {
	return is.d.tokenCall(ctx, "token/refresh", refresh)
}

// tokenCall grants a token, or refreshes one when refresh is set. Its
// errors carry no operation, so that the layer names the caller's.
func (d *driver) tokenCall(ctx context.Context, path, refresh string) (kit.Token, error) {
	c := d.cfg
	fields := map[string]string{"app_key": c.AppKey, "app_secret": c.AppSecret}
	if refresh != "" {
		fields["refresh_token"] = refresh
	}
	body, _ := json.Marshal(fields)
	// Not Idempotent, though it moves no money: bKash blocks credentials
	// for an hour after two token calls in one, so a call that may have
	// reached bKash is never repeated by the policy.
	resp, err := d.http.Do(ctx, kit.HTTPRequest{Op: "token", Method: http.MethodPost, URL: d.base + path, Body: body,
		Header: http.Header{"Username": {c.Username}, "Password": {c.Password},
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
		switch out.Kind {
		case mfspay.ErrOutcomeUnknown: // what the client calls a lost answer to a non-idempotent call
			out.Kind = mfspay.ErrUnavailable // the caller's own call was not sent
		case mfspay.ErrUnavailable, mfspay.ErrRateLimited:
		default:
			out.Kind = mfspay.ErrUnauthorized // bKash refused the credentials or the refresh token
		}
		return kit.Token{}, &out
	}
	if err != nil {
		return kit.Token{}, err
	}
	t := kit.Token{Value: a.IDToken, Refresh: a.RefreshToken}
	if n, err := a.ExpiresIn.Int64(); err == nil && n > 0 {
		t.Life = time.Duration(n) * time.Second
	}
	return t, nil
}
