package kit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

func TestHTTPClientReadRetries5xx(t *testing.T) {
	srv := newSeqServer(t, reply(503, "busy"), reply(503, "busy"), reply(200, `{"ok":true}`))
	c, log := newTestClient(t)

	resp, err := c.Do(context.Background(), read(srv.URL+"/payments/verify?invoice_id=INV-1"))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.True(t, resp.OK())
	assert.Equal(t, `{"ok":true}`, string(resp.Body))
	assert.Equal(t, 3, resp.Attempts)
	assert.Equal(t, 3, srv.requests())

	events := log.all()
	require.Len(t, events, 2)
	for i, e := range events {
		assert.Equal(t, i+1, e.Attempt)
		assert.Equal(t, 503, e.StatusCode)
		assert.Equal(t, "testpay", e.Provider)
		assert.Equal(t, mfspay.OpVerify, e.Op)
		assert.Empty(t, e.Reason)
		assert.LessOrEqual(t, e.Wait, fastPolicy.MaxBackoff)
	}
}

func TestHTTPClientReadGivesUpAfterMaxAttempts(t *testing.T) {
	srv := newSeqServer(t, reply(500, `{"error":"boom"}`))
	c, log := newTestClient(t)

	resp, err := c.Do(context.Background(), read(srv.URL))
	require.NoError(t, err, "an HTTP answer is a response, not an error")
	assert.Equal(t, 500, resp.StatusCode)
	assert.Equal(t, `{"error":"boom"}`, string(resp.Body), "the final body is kept")
	assert.Equal(t, fastPolicy.MaxAttempts, resp.Attempts)
	assert.Equal(t, fastPolicy.MaxAttempts, srv.requests())
	assert.Len(t, log.all(), fastPolicy.MaxAttempts-1)

	e := c.StatusError(mfspay.OpVerify, resp, "", "boom")
	assert.ErrorIs(t, e, mfspay.ErrUnavailable)
	assert.Equal(t, 500, e.HTTPStatus)
}

// TestHTTPClientNotRetried covers answers a retry cannot mend, and 5xx on a
// create, which may have happened.
func TestHTTPClientNotRetried(t *testing.T) {
	tests := []struct {
		name   string
		status int
		create bool
		kind   error
	}{
		{"read 501", 501, false, mfspay.ErrUnavailable},
		{"read 400", 400, false, mfspay.ErrInvalidRequest},
		{"read 401", 401, false, mfspay.ErrUnauthorized},
		{"read 403", 403, false, mfspay.ErrForbidden},
		{"read 404", 404, false, mfspay.ErrNotFound},
		{"read 422", 422, false, mfspay.ErrInvalidRequest},
		{"create 400", 400, true, mfspay.ErrInvalidRequest},
		{"create 409", 409, true, mfspay.ErrDuplicate},
		{"create 422", 422, true, mfspay.ErrInvalidRequest},
		{"create 500", 500, true, mfspay.ErrOutcomeUnknown},
		{"create 501", 501, true, mfspay.ErrOutcomeUnknown},
		{"create 502", 502, true, mfspay.ErrOutcomeUnknown},
		{"create 503", 503, true, mfspay.ErrOutcomeUnknown},
		{"create 504", 504, true, mfspay.ErrOutcomeUnknown},
		{"redirect", 302, false, mfspay.ErrUnavailable},
		{"create redirect", 302, true, mfspay.ErrOutcomeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newSeqServer(t, reply(tt.status, `{"error":"no"}`, "Location", "/elsewhere"), reply(200, "{}"))
			c, log := newTestClient(t)
			req := read(srv.URL)
			if tt.create {
				req = create(srv.URL)
			}
			resp, err := c.Do(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, 1, resp.Attempts)
			assert.Equal(t, 1, srv.requests())
			assert.Empty(t, log.all())

			e := c.StatusError(req.Op, resp, "", "no")
			assert.ErrorIs(t, e, tt.kind)
			assert.Equal(t, tt.status, e.HTTPStatus)
			assert.Equal(t, "testpay", e.Provider)
			assert.Equal(t, req.Op, e.Op)
		})
	}
}

func TestHTTPClientCreateRetriedWhenNoConnectionWasMade(t *testing.T) {
	srv := newSeqServer(t, reply(201, `{"token":"pay_1"}`))
	transport, dials := failFirstDial()
	c, log := newTestClient(t, func(cfg *kit.HTTPConfig) { cfg.Transport = transport })

	req := create(srv.URL + "/payments/create")
	resp, err := c.Do(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, 201, resp.StatusCode)
	assert.Equal(t, 2, resp.Attempts)
	assert.Equal(t, int32(2), dials.Load())
	assert.Equal(t, []string{string(req.Body)}, srv.received(), "one create reached the provider, body intact")

	events := log.all()
	require.Len(t, events, 1)
	assert.Equal(t, 0, events[0].StatusCode)
	assert.Contains(t, events[0].Reason, "connection refused")
}

func TestHTTPClientCreateToClosedPort(t *testing.T) {
	c, log := newTestClient(t)
	_, err := c.Do(context.Background(), create(closedURL(t)+"/payments/create"))
	require.Error(t, err)
	assert.ErrorIs(t, err, mfspay.ErrUnavailable, "nothing reached the provider: the outcome is known")
	assert.NotErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	assert.Len(t, log.all(), fastPolicy.MaxAttempts-1, "a create that never connected is retried")
}

func TestHTTPClientTimeouts(t *testing.T) {
	policy := fastPolicy
	policy.AttemptTimeout = 100 * time.Millisecond

	t.Run("create after a response timeout is outcome unknown", func(t *testing.T) {
		srv := newSeqServer(t, hang(), reply(201, "{}"))
		c, log := newTestClient(t, func(cfg *kit.HTTPConfig) { cfg.Retry = policy })
		_, err := c.Do(context.Background(), create(srv.URL))
		require.Error(t, err)
		assert.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
		assert.NotErrorIs(t, err, context.DeadlineExceeded, "a per-attempt timeout is not the caller's deadline")
		assert.Equal(t, 1, srv.requests())
		assert.Empty(t, log.all())
	})
	t.Run("read after a timeout is retried", func(t *testing.T) {
		srv := newSeqServer(t, hang(), reply(200, "{}"))
		c, log := newTestClient(t, func(cfg *kit.HTTPConfig) { cfg.Retry = policy })
		resp, err := c.Do(context.Background(), read(srv.URL))
		require.NoError(t, err)
		assert.Equal(t, 2, resp.Attempts)
		require.Len(t, log.all(), 1)
		assert.NotEmpty(t, log.all()[0].Reason)
	})
	t.Run("every attempt bounded", func(t *testing.T) {
		p := policy
		p.MaxAttempts = 2
		srv := newSeqServer(t, hang())
		c, _ := newTestClient(t, func(cfg *kit.HTTPConfig) { cfg.Retry = p })
		_, err := c.Do(context.Background(), read(srv.URL))
		require.Error(t, err)
		assert.ErrorIs(t, err, mfspay.ErrUnavailable)
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 2, srv.requests())
	})
	t.Run("the caller's deadline ends the call", func(t *testing.T) {
		p := policy
		p.AttemptTimeout = 10 * time.Second
		srv := newSeqServer(t, hang())
		c, _ := newTestClient(t, func(cfg *kit.HTTPConfig) { cfg.Retry = p })
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Do(ctx, read(srv.URL))
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorIs(t, err, mfspay.ErrUnavailable)
		assert.Less(t, time.Since(start), 5*time.Second, "the call outlived the caller's deadline")
	})
}

func TestHTTPClient429RetriedForReadAndCreate(t *testing.T) {
	for _, req := range []func(string) kit.HTTPRequest{read, create} {
		srv := newSeqServer(t, reply(429, `{"error":"slow down"}`), reply(200, "{}"))
		c, log := newTestClient(t)
		r := req(srv.URL)
		t.Run(r.Op, func(t *testing.T) {
			resp, err := c.Do(context.Background(), r)
			require.NoError(t, err)
			assert.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, 2, resp.Attempts)
			require.Len(t, log.all(), 1)
			assert.Equal(t, 429, log.all()[0].StatusCode)
			if r.Body != nil {
				assert.Equal(t, []string{string(r.Body), string(r.Body)}, srv.received(), "the retry re-sends the body")
			}
		})
	}
}

// waitOf returns the first retry wait the client chose for the answers of
// srv, cancelling the call at once instead of waiting it out.
func waitOf(t *testing.T, srv *seqServer, req func(string) kit.HTTPRequest) (time.Duration, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wait time.Duration
	c, _ := newTestClient(t, func(cfg *kit.HTTPConfig) {
		cfg.OnRetry = func(e mfspay.RetryEvent) {
			wait = e.Wait
			cancel()
		}
	})
	_, err := c.Do(ctx, req(srv.URL))
	return wait, err
}

func TestHTTPClientRetryAfterHonoured(t *testing.T) {
	t.Run("seconds on 429", func(t *testing.T) {
		srv := newSeqServer(t, reply(429, "", "Retry-After", "1"))
		wait, err := waitOf(t, srv, read)
		assert.Equal(t, time.Second, wait)
		assert.ErrorIs(t, err, context.Canceled)
	})
	t.Run("seconds on 503", func(t *testing.T) {
		srv := newSeqServer(t, reply(503, "", "Retry-After", "2"))
		wait, _ := waitOf(t, srv, read)
		assert.Equal(t, 2*time.Second, wait)
	})
	t.Run("HTTP date", func(t *testing.T) {
		date := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
		srv := newSeqServer(t, reply(429, "", "Retry-After", date))
		wait, _ := waitOf(t, srv, read)
		assert.Greater(t, wait, time.Second)
		assert.LessOrEqual(t, wait, 3*time.Second)
	})
	t.Run("create cancelled while waiting after 429 is not ambiguous", func(t *testing.T) {
		srv := newSeqServer(t, reply(429, "", "Retry-After", "1"))
		wait, err := waitOf(t, srv, create)
		assert.Equal(t, time.Second, wait)
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, mfspay.ErrUnavailable, "the provider refused the create, so nothing happened")
		assert.NotErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	})
	t.Run("ignored on 500", func(t *testing.T) {
		srv := newSeqServer(t, reply(500, "", "Retry-After", "7"))
		wait, _ := waitOf(t, srv, read)
		assert.LessOrEqual(t, wait, fastPolicy.MaxBackoff)
	})
}

func TestHTTPClientRetryAfterTooLong(t *testing.T) {
	for _, req := range []func(string) kit.HTTPRequest{read, create} {
		srv := newSeqServer(t, reply(429, `{"error":"quota"}`, "Retry-After", "3600"), reply(200, "{}"))
		c, log := newTestClient(t)
		r := req(srv.URL)
		t.Run(r.Op, func(t *testing.T) {
			start := time.Now()
			resp, err := c.Do(context.Background(), r)
			require.NoError(t, err)
			assert.Less(t, time.Since(start), 5*time.Second, "it must not wait an hour")
			assert.Equal(t, 429, resp.StatusCode)
			assert.Equal(t, 1, resp.Attempts)
			assert.Empty(t, log.all())

			e := c.StatusError(r.Op, resp, "", "quota")
			assert.ErrorIs(t, e, mfspay.ErrRateLimited)
			assert.Equal(t, time.Hour, e.RetryAfter)
			assert.Contains(t, e.Error(), "retry after 1h0m0s")
		})
	}
}

func TestHTTPClientCancelledDuringBackoff(t *testing.T) {
	srv := newSeqServer(t, reply(503, "", "Retry-After", "10"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, log := newTestClient(t, func(cfg *kit.HTTPConfig) {
		cfg.Retry.MaxRetryAfter = 20 * time.Second
		cfg.OnRetry = func(e mfspay.RetryEvent) {
			if e.Wait != 10*time.Second {
				panic(fmt.Sprint("wait ", e.Wait))
			}
			time.AfterFunc(20*time.Millisecond, cancel) // well inside the 10s wait
		}
	})
	start := time.Now()
	_, err := c.Do(ctx, read(srv.URL))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, mfspay.ErrUnavailable)
	assert.Less(t, time.Since(start), 5*time.Second, "the backoff outlived the caller's context")
	assert.Equal(t, 1, srv.requests())
	assert.Empty(t, log.all())
}

func TestHTTPClientCancelledBeforeTheCall(t *testing.T) {
	srv := newSeqServer(t, reply(200, "{}"))
	c, _ := newTestClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Do(ctx, read(srv.URL))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, srv.requests())
}

func TestHTTPClientConnectionResetMidBody(t *testing.T) {
	t.Run("read retried", func(t *testing.T) {
		srv := newSeqServer(t, resetMidBody(), reply(200, `{"success":true}`))
		c, log := newTestClient(t)
		resp, err := c.Do(context.Background(), read(srv.URL))
		require.NoError(t, err)
		assert.Equal(t, `{"success":true}`, string(resp.Body))
		assert.Equal(t, 2, resp.Attempts)
		require.Len(t, log.all(), 1)
		assert.Equal(t, 0, log.all()[0].StatusCode)
	})
	t.Run("create outcome unknown", func(t *testing.T) {
		srv := newSeqServer(t, resetMidBody(), reply(201, "{}"))
		c, log := newTestClient(t)
		_, err := c.Do(context.Background(), create(srv.URL))
		require.Error(t, err)
		assert.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
		assert.Equal(t, 1, srv.requests())
		assert.Empty(t, log.all())
	})
}

func TestHTTPClientBoundsTheBody(t *testing.T) {
	const limit = 1024
	huge := strings.Repeat("x", 64*limit)
	limited := func(cfg *kit.HTTPConfig) { cfg.MaxResponseBytes = limit }

	t.Run("read", func(t *testing.T) {
		srv := newSeqServer(t, reply(200, huge))
		c, log := newTestClient(t, limited)
		_, err := c.Do(context.Background(), read(srv.URL))
		require.Error(t, err)
		assert.ErrorIs(t, err, mfspay.ErrUnavailable)
		assert.Contains(t, err.Error(), "too large")
		assert.Equal(t, 1, srv.requests(), "a retry would get the same body")
		assert.Empty(t, log.all())
	})
	t.Run("create", func(t *testing.T) {
		srv := newSeqServer(t, reply(201, huge))
		c, _ := newTestClient(t, limited)
		_, err := c.Do(context.Background(), create(srv.URL))
		assert.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	})
	t.Run("final retryable answer", func(t *testing.T) {
		srv := newSeqServer(t, reply(503, huge))
		c, _ := newTestClient(t, limited)
		resp, err := c.Do(context.Background(), read(srv.URL))
		require.NoError(t, err)
		assert.Equal(t, 503, resp.StatusCode)
		assert.LessOrEqual(t, len(resp.Body), limit)
	})
	t.Run("exactly the limit", func(t *testing.T) {
		srv := newSeqServer(t, reply(200, huge[:limit]))
		c, _ := newTestClient(t, limited)
		resp, err := c.Do(context.Background(), read(srv.URL))
		require.NoError(t, err)
		assert.Len(t, resp.Body, limit)
	})
}

func TestHTTPClientSendsHeadersAndUserAgent(t *testing.T) {
	var got http.Header
	srv := newSeqServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.WriteHeader(204)
	})
	c, _ := newTestClient(t)
	req := read(srv.URL)
	req.Header = http.Header{"X-Api-Key": {testAPIKey}}
	resp, err := c.Do(context.Background(), req)
	require.NoError(t, err)
	assert.Empty(t, resp.Body)
	assert.Equal(t, testAPIKey, got.Get("X-API-Key"))
	assert.Equal(t, "mfspay/"+mfspay.Version+" (testpay)", got.Get("User-Agent"))
}

func TestHTTPClientBadURL(t *testing.T) {
	c, _ := newTestClient(t)
	_, err := c.Do(context.Background(), read("http://[::1?token="+testAPIKey))
	require.Error(t, err)
	assert.ErrorIs(t, err, mfspay.ErrInvalidRequest)
	assertNoLeak(t, err.Error(), testAPIKey, "token=")
}

// TestHTTPClientErrorsKeepSecretsOut checks that no error carries the URL's
// query string or a configured secret, whatever the provider sends back.
func TestHTTPClientErrorsKeepSecretsOut(t *testing.T) {
	const query = "?invoice_id=INV-QUERY-7&api_key=" + testAPIKey

	t.Run("transport errors", func(t *testing.T) {
		var reasons []string
		c, _ := newTestClient(t, func(cfg *kit.HTTPConfig) {
			cfg.OnRetry = func(e mfspay.RetryEvent) { reasons = append(reasons, e.Reason) }
		})
		_, err := c.Do(context.Background(), create(closedURL(t)+"/payments/create"+query))
		require.Error(t, err)
		require.NotEmpty(t, reasons)
		for _, s := range append(reasons, err.Error()) {
			assertNoLeak(t, s, testAPIKey, "INV-QUERY-7", "api_key", "?")
		}
	})
	t.Run("timeouts", func(t *testing.T) {
		srv := newSeqServer(t, hang())
		c, _ := newTestClient(t, func(cfg *kit.HTTPConfig) {
			cfg.Retry.MaxAttempts, cfg.Retry.AttemptTimeout = 1, 50*time.Millisecond
		})
		_, err := c.Do(context.Background(), read(srv.URL+"/payments/verify"+query))
		require.Error(t, err)
		assertNoLeak(t, err.Error(), testAPIKey, "INV-QUERY-7", "api_key", "?")
	})
	t.Run("provider echoes the secret", func(t *testing.T) {
		body := `{"success":false,"code":"bad_key_` + testAPIKey + `","error":"invalid key ` + testAPIKey + ` for ` + query + `"}`
		srv := newSeqServer(t, reply(401, body))
		c, _ := newTestClient(t)
		resp, err := c.Do(context.Background(), read(srv.URL+"/payments/verify"+query))
		require.NoError(t, err)
		var parsed struct{ Code, Error string }
		require.NoError(t, json.Unmarshal(resp.Body, &parsed))

		e := c.StatusError(mfspay.OpVerify, resp, parsed.Code, parsed.Error)
		assert.ErrorIs(t, e, mfspay.ErrUnauthorized)
		assert.Contains(t, e.Message, "invalid key [REDACTED]", "the provider's message is kept")
		for _, s := range []string{e.Error(), e.Message, e.Code, fmt.Sprintf("%+v", e), c.Redact(string(resp.Body))} {
			assertNoLeak(t, s, testAPIKey)
		}
	})
	t.Run("secret cut by truncation", func(t *testing.T) {
		for pad := 495; pad <= 512; pad++ {
			msg := strings.Repeat("x", pad) + testAPIKey + " trailing"
			e := c500(t).StatusError(mfspay.OpVerify, &kit.HTTPResponse{StatusCode: 500}, "", msg)
			assertNoLeak(t, e.Error(), testAPIKey[:6])
			assertNoLeak(t, c500(t).ErrorText(msg), testAPIKey[:6]) // what adapters keep of other answers
		}
	})
}

// c500 returns a client for StatusError tests that make no request.
func c500(t *testing.T) *kit.HTTPClient {
	c, _ := newTestClient(t)
	return c
}

func TestStatusErrorMessageTruncatedOnRuneBoundary(t *testing.T) {
	msg := strings.Repeat("ট", 400) // 3 bytes each
	e := c500(t).StatusError(mfspay.OpVerify, &kit.HTTPResponse{StatusCode: 502}, "", msg)
	assert.LessOrEqual(t, len(e.Message), 512+len("…"))
	assert.True(t, strings.HasSuffix(e.Message, "…"))
	assert.True(t, json.Valid([]byte(fmt.Sprintf("%q", e.Message))))
	assert.NotContains(t, e.Message, "\uFFFD")
	for _, r := range e.Message {
		assert.NotEqual(t, '\uFFFD', r)
	}
}

func TestHTTPClientDebugLogHasNoQueryOrHeaders(t *testing.T) {
	var buf syncBuffer
	srv := newSeqServer(t, reply(503, ""), reply(200, "{}"))
	c, _ := newTestClient(t, func(cfg *kit.HTTPConfig) { cfg.Logger = debugLogger(&buf) })

	req := read(srv.URL + "/payments/verify?invoice_id=INV-QUERY-7&token=pay_q")
	req.Header = http.Header{"X-Api-Key": {testAPIKey}, "Authorization": {"Bearer tok-HEADER-9"}}
	_, err := c.Do(context.Background(), req)
	require.NoError(t, err)
	_, err = c.Do(context.Background(), read(closedURL(t)+"/payments/list?page=2&secret="+testAPIKey))
	require.Error(t, err)

	out := buf.String()
	assert.Contains(t, out, "path=/payments/verify")
	assert.Contains(t, out, "status=503")
	assert.Contains(t, out, "network_error=true")
	assertNoLeak(t, out, "?", "INV-QUERY-7", "pay_q", "page=2", testAPIKey, "tok-HEADER-9", "Bearer", "X-Api-Key", "Authorization")
}

func TestHTTPClientPolicyDefaults(t *testing.T) {
	c := kit.NewHTTPClient(kit.HTTPConfig{Provider: "x"})
	assert.Equal(t, mfspay.DefaultRetryPolicy(), c.Policy())

	c = kit.NewHTTPClient(kit.HTTPConfig{Retry: mfspay.RetryPolicy{MaxAttempts: 1, MinBackoff: time.Second, MaxBackoff: time.Millisecond}})
	p := c.Policy()
	assert.Equal(t, 1, p.MaxAttempts)
	assert.Equal(t, time.Second, p.MaxBackoff, "MaxBackoff is raised to MinBackoff")
	assert.Equal(t, mfspay.DefaultRetryPolicy().AttemptTimeout, p.AttemptTimeout)

	r := kit.NewClient("wezopay", mfspay.Resilience{Retry: fastPolicy}, testAPIKey)
	assert.Equal(t, fastPolicy.MaxAttempts, r.Policy().MaxAttempts)
	assert.Equal(t, "[REDACTED]", r.Redact(testAPIKey))
}

func TestHTTPClientMaxAttemptsOneDisablesRetries(t *testing.T) {
	srv := newSeqServer(t, reply(503, ""), reply(200, "{}"))
	c, log := newTestClient(t, func(cfg *kit.HTTPConfig) { cfg.Retry.MaxAttempts = 1 })
	resp, err := c.Do(context.Background(), read(srv.URL))
	require.NoError(t, err)
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, 1, srv.requests())
	assert.Empty(t, log.all())
}

func TestStatusErrorOnUnexpectedStatus(t *testing.T) {
	e := c500(t).StatusError(mfspay.OpList, &kit.HTTPResponse{StatusCode: 304}, "", "")
	// A hand-built response is not known to answer a read, so it is treated
	// as a create's: whatever answered may have acted.
	assert.True(t, errors.Is(e, mfspay.ErrOutcomeUnknown))
	assert.Contains(t, e.Error(), "unexpected status 304")
}
