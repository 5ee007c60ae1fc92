package kit_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// httpVerifier is a driver whose verify goes through a real HTTPClient to
// url, as an adapter's does; it offers nothing else.
type httpVerifier struct {
	mfspay.Driver // nil: only the methods below are called
	c             *kit.HTTPClient
	url           string
}

func (httpVerifier) Provider() string { return "testpay" }

func (httpVerifier) Capabilities() mfspay.Capabilities {
	return mfspay.Capabilities{VerifyByInvoice: true}
}

func (g httpVerifier) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	resp, err := g.c.Do(ctx, read(g.url))
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, g.c.StatusError(mfspay.OpVerify, resp, "", "")
	}
	return &mfspay.Payment{Provider: "testpay", InvoiceID: ref.InvoiceID, Status: mfspay.StatusPending}, nil
}

// state reads g's breaker state.
func state(t *testing.T, g mfspay.Gateway) mfspay.BreakerState {
	t.Helper()
	s, ok := mfspay.BreakerStateOf(g)
	require.True(t, ok)
	return s
}

// ref is the payment every call asks for.
var ref = mfspay.PaymentRef{InvoiceID: "INV-1"}

// hungProvider returns a breaker-wrapped gateway verifying against a server
// that never answers, and the server. Attempts may last far longer than
// the callers' deadlines: the deadlines end every call.
func hungProvider(t *testing.T, steps ...step) (mfspay.Gateway, *seqServer) {
	t.Helper()
	if len(steps) == 0 {
		steps = []step{hang()}
	}
	srv := newSeqServer(t, steps...)
	c, _ := newTestClient(t, func(cfg *kit.HTTPConfig) { cfg.Retry.AttemptTimeout = 30 * time.Second })
	g := mfspay.NewGateway(httpVerifier{c: c, url: srv.URL + "/payments/verify"},
		mfspay.Resilience{Breaker: mfspay.BreakerSettings{OpenTimeout: time.Hour}}) // the default threshold, 5
	return g, srv
}

// TestBreakerOpensOnHungProviderUnderCallerDeadlines: callers that bound
// their calls with deadlines are the ones a hung provider hurts most; each
// deadline that expires while the provider has not answered is a failure.
func TestBreakerOpensOnHungProviderUnderCallerDeadlines(t *testing.T) {
	g, srv := hungProvider(t)
	threshold := int(mfspay.DefaultBreakerSettings().FailureThreshold)
	for i := 1; i <= 12; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		_, err := g.VerifyPayment(ctx, ref)
		cancel()
		require.Error(t, err, "verify %d", i)
		if i <= threshold {
			assert.ErrorIs(t, err, context.DeadlineExceeded, "verify %d", i)
			assert.ErrorIs(t, err, mfspay.ErrUnavailable, "verify %d", i)
			continue
		}
		assert.ErrorIs(t, err, mfspay.ErrCircuitOpen, "verify %d, after %d deadlines expired on the provider", i, threshold)
	}
	assert.Equal(t, mfspay.BreakerOpen, state(t, g))
	// At most the calls before it opened reached the provider (fewer if a
	// deadline expired while one was still connecting).
	assert.LessOrEqual(t, srv.requests(), threshold, "calls reached the hung provider after the breaker should have opened")
}

// TestBreakerIgnoresContextsEndedBeforeTheCall: a call whose deadline had
// passed, or that was cancelled, before it began sent nothing and says
// nothing about the provider; nor does a caller cancelling mid-call.
func TestBreakerIgnoresContextsEndedBeforeTheCall(t *testing.T) {
	arrived := make(chan struct{}, 1)
	g, srv := hungProvider(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		hang()(w, r)
	})
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	for i := 0; i < 10; i++ {
		_, err := g.VerifyPayment(expired, ref)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		_, err = g.VerifyPayment(cancelled, ref)
		assert.ErrorIs(t, err, context.Canceled)
	}
	for i := 0; i < 6; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }() // once the provider has the request
		_, err := g.VerifyPayment(ctx, ref)
		assert.ErrorIs(t, err, context.Canceled)
		cancel()
	}
	assert.Equal(t, mfspay.BreakerClosed, state(t, g), "the callers' own context ends tripped the breaker")
	assert.Equal(t, 6, srv.requests(), "only the calls cancelled in flight were sent")
}
