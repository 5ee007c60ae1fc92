package webhook_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/webhook"
)

// TestConfirmationAgainstHungProviderOpensTheBreaker: confirmation runs
// under the delivery's lease, a deadline. A provider that never answers
// must open the breaker like any other failure, after which deliveries are
// refused at once (503, so the provider retries later) without a request.
func TestConfirmationAgainstHungProviderOpensTheBreaker(t *testing.T) {
	note, secret := wezoNotification(t)

	var hits atomic.Int32
	done := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select { // never answers; returns when the client gives up or the test ends
		case <-r.Context().Done():
		case <-done:
		}
	}))
	t.Cleanup(hung.Close)
	t.Cleanup(func() { close(done) })

	r := fastResilience
	r.Retry.AttemptTimeout = 30 * time.Second // the lease, not an attempt timeout, ends each confirmation
	r.Breaker = mfspay.BreakerSettings{OpenTimeout: time.Hour}
	gw, err := wezopay.New(wezopay.Config{BaseURL: hung.URL + "/api/v1", APIKey: "wpk_hung_test",
		WebhookSecrets: []string{secret}, Resilience: r})
	require.NoError(t, err)

	var rec recorder
	var logs logBuffer
	h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm(),
		webhook.Lease(150*time.Millisecond), webhook.WithLogger(logs.logger()))
	threshold := int(mfspay.DefaultBreakerSettings().FailureThreshold)
	for i := 1; i <= 12; i++ {
		code, _ := do(h, replay("/", note))
		assert.Equal(t, http.StatusServiceUnavailable, code, "delivery %d", i)
	}
	assert.Zero(t, rec.calls.Load(), "nothing unconfirmed was delivered")
	state, ok := mfspay.BreakerStateOf(gw)
	require.True(t, ok)
	assert.Equal(t, mfspay.BreakerOpen, state, "the breaker after 12 confirmations against a hung provider")
	// At most the confirmations before it opened reached the provider
	// (fewer if a lease ended while one was still connecting).
	assert.LessOrEqual(t, int(hits.Load()), threshold, "confirmations reached the hung provider after the breaker should have opened")
	assert.Contains(t, logs.String(), "circuit open")
}
