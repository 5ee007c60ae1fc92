package bkash_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/bkash"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
)

func TestTokenIsGrantedOnceForConcurrentCallsAndGateways(t *testing.T) {
	e := newEnv(t)
	other := e.gateway(t, time.Second) // another replica with the same credentials
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gw := e.gw
			if i%2 == 1 {
				gw = other
			}
			_, err := gw.CreatePayment(context.Background(), e.request())
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	grants, refreshes := e.sim.TokenCalls()
	assert.Equal(t, 1, grants)
	assert.Zero(t, refreshes)
}

func TestTokenExpiringBetweenTwoCallsIsRefreshedOnce(t *testing.T) {
	e := newEnv(t)
	_, co := e.create(t)
	e.clock.Advance(time.Hour) // the id_token's 3600 s are up
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.gw.VerifyPayment(context.Background(), mfspay.PaymentRef{PaymentID: co.PaymentID})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	grants, refreshes := e.sim.TokenCalls()
	assert.Equal(t, 1, grants)
	assert.Equal(t, 1, refreshes, "one refresh for ten calls after the expiry")
	assert.Equal(t, 0, countStatus(e, 401), "the token was renewed before it was refused")
}

func TestTokenIsRenewedAtMinuteFifty(t *testing.T) {
	e := newEnv(t)
	_, co := e.create(t)
	ref := mfspay.PaymentRef{PaymentID: co.PaymentID}
	e.clock.Advance(49 * time.Minute)
	_, err := e.gw.VerifyPayment(context.Background(), ref)
	require.NoError(t, err)
	_, refreshes := e.sim.TokenCalls()
	assert.Zero(t, refreshes)
	e.clock.Advance(time.Minute)
	_, err = e.gw.VerifyPayment(context.Background(), ref)
	require.NoError(t, err)
	_, refreshes = e.sim.TokenCalls()
	assert.Equal(t, 1, refreshes)
}

func TestRefusedRefreshFallsBackToGrant(t *testing.T) {
	e := newEnv(t, bkashtest.WithTokenLife(time.Hour, 30*time.Minute))
	_, co := e.create(t)
	e.clock.Advance(time.Hour) // the refresh token died first
	_, err := e.gw.VerifyPayment(context.Background(), mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.NoError(t, err)
	grants, refreshes := e.sim.TokenCalls()
	assert.Equal(t, 2, grants)
	assert.Zero(t, refreshes)
	assert.Equal(t, 3, e.requestsTo("/token/grant")+e.requestsTo("/token/refresh"), "a refused refresh, then a grant")
}

func TestTokenExpiredMidCallRetriesReadsOnly(t *testing.T) {
	e := newEnv(t)
	_, co := e.create(t)

	e.clock.Advance(5 * time.Minute) // older than kit's MinAge: a refusal renews it
	e.sim.ExpireTokens()             // bKash refuses the cached token before its hour is up
	p, err := e.gw.VerifyPayment(context.Background(), mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.NoError(t, err, "a read is renewed and sent again")
	assert.Equal(t, co.PaymentID, p.PaymentID)
	assert.Equal(t, 2, e.requestsTo("/payment/status"))
	_, refreshes := e.sim.TokenCalls()
	assert.Equal(t, 1, refreshes)

	e.clock.Advance(5 * time.Minute)
	e.sim.ExpireTokens()
	req := e.request()
	_, err = e.gw.CreatePayment(context.Background(), req)
	require.ErrorIs(t, err, mfspay.ErrUnavailable, "a create is not sent again; the caller may retry it")
	assert.Zero(t, e.payments(req.InvoiceID))
	_, err = e.gw.CreatePayment(context.Background(), req)
	require.NoError(t, err, "the token was renewed for the next call")
	_, refreshes = e.sim.TokenCalls()
	assert.Equal(t, 2, refreshes)
}

func TestBadCredentialsAreUnauthorizedWithoutLeaking(t *testing.T) {
	for _, raw := range []bool{false, true} {
		opts := []bkashtest.Option{}
		if raw {
			opts = append(opts, bkashtest.WithRawNewlineCredentialsError())
		}
		e := newEnv(t, opts...)
		st, err := e.sim.Settings(context.Background())
		require.NoError(t, err)
		for _, field := range []string{"username", "password", "app_key", "app_secret"} {
			settings := map[string]string{}
			for k, v := range st.Values {
				settings[k] = v
			}
			settings[field] = "wrong-" + settings[field]
			gw, err := bkash.FromSettings(settings, testResilience(e.logs, time.Second))
			require.NoError(t, err)
			before := len(e.sim.Requests())
			_, err = gw.CreatePayment(context.Background(), e.request())
			require.ErrorIs(t, err, mfspay.ErrUnauthorized, "%s (raw newline %v)", field, raw)
			assert.Equal(t, before+1, len(e.sim.Requests()), "one grant, not retried")
			for _, s := range append(st.Secrets, settings[field]) {
				assert.NotContains(t, err.Error(), s)
			}
		}
		for _, s := range st.Secrets {
			assert.NotContains(t, e.logs.String(), s)
		}
	}
}

func TestTokenRateLimitIsRateLimited(t *testing.T) {
	e := newEnv(t, bkashtest.WithTokenLimit(1))
	_, co := e.create(t)
	e.clock.Advance(5 * time.Minute)
	e.sim.ExpireTokens()
	_, err := e.gw.VerifyPayment(context.Background(), mfspay.PaymentRef{PaymentID: co.PaymentID})
	assert.ErrorIs(t, err, mfspay.ErrRateLimited, "bKash blocks a second token call within the hour")
}

func TestAPIErrorsMapToKinds(t *testing.T) {
	e := newEnv(t)
	_, co := e.create(t)
	ctx := context.Background()
	_, err := e.gw.VerifyPayment(ctx, mfspay.PaymentRef{PaymentID: "TR0011AAAAAAA1762072142166"})
	assert.ErrorIs(t, err, mfspay.ErrNotFound, "2002")
	_, err = e.gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: co.InvoiceID})
	assert.ErrorIs(t, err, mfspay.ErrUnsupported)
	_, err = e.gw.ListPayments(ctx, mfspay.ListQuery{})
	assert.ErrorIs(t, err, mfspay.ErrUnsupported)

	require.NoError(t, e.sim.Fail(ctx, simctl.Fault{Status: 200, Body: `{"statusCode":"2006","statusMessage":"Invalid amount"}`}))
	_, err = e.gw.CreatePayment(ctx, e.request())
	assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, "2006")
	require.NoError(t, e.sim.Fail(ctx, simctl.Fault{Status: 200, Body: `{"statusCode":"2003","statusMessage":"Process failed"}`}))
	_, err = e.gw.CreatePayment(ctx, e.request())
	assert.ErrorIs(t, err, mfspay.ErrOutcomeUnknown, "2003 on a create: bKash failed, maybe after registering it")
	require.NoError(t, e.sim.Fail(ctx, simctl.Fault{Status: 200, Body: `{"statusCode":"503","statusMessage":"System is undergoing maintenance"}`}))
	_, err = e.gw.VerifyPayment(ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
	assert.ErrorIs(t, err, mfspay.ErrUnavailable, "503 code")
	require.NoError(t, e.sim.Fail(ctx, bkashtest.HTML502))
	_, err = e.gw.VerifyPayment(ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
	assert.NoError(t, err, "a read rides out one HTML 502")
	require.NoError(t, e.sim.Fail(ctx, simctl.Fault{Status: 200, Body: `{"message":"Internal server error"}`}))
	_, err = e.gw.VerifyPayment(ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
	assert.ErrorIs(t, err, mfspay.ErrUnavailable, "the API gateway's message")
}

func TestCreateSendsWhatBKashWants(t *testing.T) {
	e := newEnv(t)
	req := e.request()
	req.Amount = mfspay.Poisha(79_10)
	req.Customer.Phone = "+8801770618575"
	co, err := e.gw.CreatePayment(context.Background(), req)
	require.NoError(t, err)
	var create string
	for _, r := range e.sim.Requests() {
		if strings.HasSuffix(r.Path, "/create") {
			create = string(r.Body)
			assert.NotEmpty(t, r.Header.Get("Authorization"))
			assert.NotEmpty(t, r.Header.Get("X-App-Key"))
		}
	}
	assert.Contains(t, create, `"amount":"79.10"`)
	assert.Contains(t, create, `"mode":"0011"`)
	assert.Contains(t, create, `"payerReference":"01770618575"`)
	assert.Contains(t, create, `"intent":"sale"`)
	assert.Equal(t, start.Add(24*time.Hour), co.ExpiresAt.UTC(), "paymentCreateTime + 24 h")
	assert.True(t, strings.HasPrefix(co.PaymentID, "TR0011"), co.PaymentID)
	assert.True(t, strings.HasPrefix(co.RedirectURL, e.sim.PagesURL()+"/?paymentId="+co.PaymentID), co.RedirectURL)

	req = e.request()
	req.ReturnURL = ""
	_, err = e.gw.CreatePayment(context.Background(), req)
	assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, "a return URL is required")
}

func countStatus(e *env, status int) int {
	n := 0
	for _, r := range e.sim.Requests() {
		if r.Status == status {
			n++
		}
	}
	return n
}

func (e *env) payments(invoice string) int {
	n, _ := e.sim.PaymentCount(context.Background(), invoice)
	return n
}

func TestCredentialsNeverInErrorsOrLogsWhenBKashEchoesThem(t *testing.T) {
	e := newEnv(t)
	_, co := e.create(t)
	require.NoError(t, e.sim.Approve(co.PaymentID, "01770618575"))
	ret := e.lastReturn(t, co.PaymentID)
	echo := "bad: " + strings.Join(e.secrets, " ")
	ctx := context.Background()
	for _, f := range []simctl.Fault{
		{Status: 200, Body: `{"statusCode":"2003","statusMessage":"` + echo + `"}`},
		{Status: 200, Body: `{"errorCode":"2051","errorMessage":"` + echo + `"}`},
		{Status: 401, Body: `{"message":"` + echo + `"}`},
		{Status: 500, Body: `{"message":"` + echo + `"}`},
		{Status: 502, ContentType: "text/html", Body: "<p>" + echo + "</p>"},
	} {
		f.Count = 50
		require.NoError(t, e.sim.Fail(ctx, f))
		_, errCreate := e.gw.CreatePayment(ctx, e.request())
		_, errVerify := e.gw.VerifyPayment(ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
		_, errReturn := e.gw.CompleteReturn(ctx, ret)
		require.NoError(t, e.sim.ClearFaults(ctx))
		for _, err := range []error{errCreate, errVerify, errReturn} {
			require.Error(t, err, "against %d", f.Status)
			for _, s := range e.secrets {
				assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), s)
			}
		}
	}
	for _, s := range e.secrets {
		assert.NotContains(t, e.logs.String(), s)
	}
}

// A 401 that persists (the app key no longer matches, permissions taken
// away) must not renew the token on every call: bKash blocks credentials
// after two token calls in an hour, and a reconciler sweep makes many.
func TestPersistentRefusalDoesNotRenewAFreshToken(t *testing.T) {
	e := newEnv(t)
	_, co := e.create(t)
	gw := e.gatewayWith(t, passThenFail{"/payment/status", 401, `{"message":"Unauthorized"}`})
	for range 3 {
		_, err := gw.VerifyPayment(context.Background(), mfspay.PaymentRef{PaymentID: co.PaymentID})
		require.ErrorIs(t, err, mfspay.ErrUnauthorized)
	}
	grants, refreshes := e.sim.TokenCalls()
	assert.Equal(t, 1, grants)
	assert.Zero(t, refreshes, "the token granted for the create is under a minute old")
	assert.Equal(t, 3, e.requestsTo("/payment/status"), "each verify sent once")
}

// bKash's id_token and refresh token are as good as the credentials for
// an hour or more: text of bKash's that echoes them is scrubbed too.
func TestTokensNeverInErrorsWhenBKashEchoesThem(t *testing.T) {
	e := newEnv(t)
	_, co := e.create(t)
	ref := mfspay.PaymentRef{PaymentID: co.PaymentID}
	answer := func(r *http.Request, status int, body string) (*http.Response, error) {
		return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
	for _, tc := range []struct {
		status int
		body   string
	}{
		{200, `{"statusCode":"2003","statusMessage":"Process failed for token %s"}`},
		{200, `{"statusCode":"%s"}`},
		{500, `{"message":"no route for %s"}`},
		{401, `{"message":"Unauthorized: %s"}`},
	} {
		var sent string
		gw := e.gatewayWith(t, roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if !strings.HasSuffix(r.URL.Path, "/payment/status") {
				return http.DefaultTransport.RoundTrip(r)
			}
			sent = r.Header.Get("Authorization")
			return answer(r, tc.status, fmt.Sprintf(tc.body, sent))
		}))
		_, err := gw.VerifyPayment(context.Background(), ref)
		require.Error(t, err)
		require.NotEmpty(t, sent)
		assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), sent, tc.body)
	}

	e.clock.Advance(time.Hour) // the next call refreshes
	var refresh string
	gw := e.gatewayWith(t, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if !strings.HasSuffix(r.URL.Path, "/token/refresh") {
			return http.DefaultTransport.RoundTrip(r)
		}
		var b map[string]string
		require.NoError(t, json.NewDecoder(r.Body).Decode(&b))
		refresh = b["refresh_token"]
		return answer(r, 200, `{"statusCode":"2003","statusMessage":"cannot refresh `+refresh+`"}`)
	}))
	_, err := gw.VerifyPayment(context.Background(), ref)
	require.ErrorIs(t, err, mfspay.ErrUnavailable)
	require.NotEmpty(t, refresh)
	assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), refresh)
	assert.Contains(t, err.Error(), "[REDACTED]")
}

// bKash allows two token calls an hour before a one-hour block: a grant
// whose answer is lost (granted, then a 502 from the edge) is not sent
// again by the retry policy. The create was never sent, so nothing
// happened: ErrUnavailable, and the next call grants again.
func TestLostGrantAnswerIsNotRetried(t *testing.T) {
	for _, path := range []string{"/token/grant", "/token/refresh"} {
		e := newEnv(t)
		if path == "/token/refresh" {
			e.create(t)
			e.clock.Advance(time.Hour)
		}
		gw := e.gatewayWith(t, passThenFail{path, 502, `<html>Bad Gateway</html>`})
		req := e.request()
		_, err := gw.CreatePayment(context.Background(), req)
		require.ErrorIs(t, err, mfspay.ErrUnavailable, path)
		assert.Equal(t, 1, e.requestsTo(path), "sent once")
		assert.Zero(t, e.payments(req.InvoiceID))
	}
}

// A create answered 200 with something that is not a usable payment may
// still have made one: ErrOutcomeUnknown, never a panic or a checkout.
func TestOddCreateAnswersAreOutcomeUnknown(t *testing.T) {
	e := newEnv(t)
	for _, body := range []string{``, `[]`, `null`, `"x"`,
		`{"statusCode":"0000","paymentID":"TR0011x","bkashURL":"https://x","amount":1e400}`,
		`{"statusCode":"0000","paymentID":"TR0011x","bkashURL":"https://x.example/","amount":"99999999999999999999"}`,
		`{"statusCode":"0000","paymentID":"TR0011x","bkashURL":"https://x.example/","merchantInvoiceNumber":"other"}`,
		`{"statusCode":"0000","paymentID":"TR0011x"}`} {
		gw := e.gatewayWith(t, roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if !strings.HasSuffix(r.URL.Path, "/create") {
				return http.DefaultTransport.RoundTrip(r)
			}
			return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		}))
		co, err := gw.CreatePayment(context.Background(), e.request())
		assert.ErrorIs(t, err, mfspay.ErrOutcomeUnknown, body)
		assert.Nil(t, co)
	}
}
