package kit_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// TestHTTPClientCreateNeverReplayedOnHTTP2StreamReset: Go's HTTP/2 client
// re-sends a request inside one RoundTrip when the peer resets its stream
// with PROTOCOL_ERROR, if it can rewind the body. A create reaches the
// provider once; its outcome is unknown. Reads are unaffected.
func TestHTTPClientCreateNeverReplayedOnHTTP2StreamReset(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := newH2ResetServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	c, log := newTestClient(t, func(cfg *kit.HTTPConfig) { cfg.Transport = h2Client() })

	resp, err := c.Do(context.Background(), read(srv.URL+"/payments/verify?invoice_id=INV-1"))
	require.NoError(t, err, "a read over HTTP/2")
	assert.Equal(t, `{"ok":true}`, string(resp.Body))

	req := create(srv.URL + "/payments/create")
	_, err = c.Do(context.Background(), req)
	require.Error(t, err)
	assert.ErrorIs(t, err, mfspay.ErrOutcomeUnknown, "the whole body reached the provider before the reset")
	assert.EqualValues(t, 1, srv.posts.Load(), "POSTs that reached the provider for one create")
	mu.Lock()
	defer mu.Unlock()
	if assert.Len(t, bodies, 2, "requests that reached the provider: the read, then the create once") {
		assert.Equal(t, string(req.Body), bodies[1], "the create's body, intact")
	}
	assert.Empty(t, log.all(), "the policy does not retry a create that reached the provider")
}

// TestWezoPayCreateOverHTTP2StreamResetIsSettledByLookup: the same reset in
// front of a simulated WezoPay that made the payment; the adapter looks the
// invoice up and returns the one payment.
func TestWezoPayCreateOverHTTP2StreamResetIsSettledByLookup(t *testing.T) {
	sim := wezopaytest.NewServer()
	t.Cleanup(sim.Close)
	simURL, err := url.Parse(sim.URL)
	require.NoError(t, err)
	front := newH2ResetServer(t, httputil.NewSingleHostReverseProxy(simURL))

	gw, err := wezopay.New(wezopay.Config{
		BaseURL: front.URL + wezopaytest.APIPrefix, APIKey: sim.APIKey(),
		Resilience: mfspay.Resilience{Retry: fastPolicy, Transport: h2Client()},
	})
	require.NoError(t, err)
	req := mfspay.CreatePaymentRequest{InvoiceID: "INV-H2-RESET", Amount: mfspay.Taka(250),
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/cancel"}
	co, err := gw.CreatePayment(context.Background(), req)
	require.NoError(t, err, "the lookup by invoice settles the ambiguous create")
	require.NotNil(t, co)

	assert.EqualValues(t, 1, front.posts.Load(), "POSTs that reached WezoPay for one create")
	n, err := sim.PaymentCount(context.Background(), req.InvoiceID)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "payments at WezoPay for one create")
	p, err := gw.VerifyPayment(context.Background(), mfspay.PaymentRef{InvoiceID: req.InvoiceID})
	require.NoError(t, err)
	assert.Equal(t, p.PaymentID, co.PaymentID, "the checkout is the payment WezoPay holds")
	assert.Equal(t, req.Amount, p.Amount)
}

// TestHTTPClientCreateNeverReplayedOnReusedHTTP1Connection: Go's HTTP/1.1
// transport re-sends a request it deems replayable (a POST with an
// Idempotency-Key header and a rewindable body) when a reused connection
// breaks after the request was written. The provider read the create and
// closed without answering: it reaches the provider once, outcome unknown.
func TestHTTPClientCreateNeverReplayedOnReusedHTTP1Connection(t *testing.T) {
	srv := newSeqServer(t, reply(200, `{"ok":true}`), closeWithoutAnswer())
	c, log := newTestClient(t)

	_, err := c.Do(context.Background(), read(srv.URL+"/payments/verify?invoice_id=INV-1"))
	require.NoError(t, err, "a read leaves a keep-alive connection to reuse")
	req := create(srv.URL + "/payments/create")
	req.Header = req.Header.Clone()
	req.Header.Set("Idempotency-Key", "INV-1")
	_, err = c.Do(context.Background(), req)
	require.Error(t, err)
	assert.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	if got := srv.received(); assert.Len(t, got, 2, "requests that reached the provider: the read, then the create once") {
		assert.Equal(t, string(req.Body), got[1], "the create's body, intact")
	}
	assert.Empty(t, log.all())
}
