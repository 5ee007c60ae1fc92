package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// Two failures below or beside the retry policy that a gateway must not
// turn into a double charge or a breaker that never opens: a transport
// that replays a create on its own, and a hung provider whose callers all
// bound their calls with deadlines.

// errStreamReset is what replayingTransport answers, as Go's HTTP/2 client
// does, for a request it cannot replay because its body cannot be rewound.
var errStreamReset = errors.New("stream reset by the provider (PROTOCOL_ERROR) after the request body was sent; " +
	"the request cannot be replayed: its body cannot be rewound (Request.GetBody is nil)")

// replayingTransport behaves as Go's HTTP/2 client does when the provider
// resets a stream with PROTOCOL_ERROR after receiving the whole request:
// it sends the request, then sends it again by itself when it can (no
// body, or Request.GetBody to rewind it) and returns the second answer;
// otherwise it returns an error. It counts what it sent.
type replayingTransport struct {
	base http.RoundTripper
	// sent counts every request sent; bodied counts those with a body,
	// replays included: the creates the provider received.
	sent, bodied atomic.Int32
}

func (t *replayingTransport) send(req *http.Request) (*http.Response, error) {
	t.sent.Add(1)
	if req.Body != nil && req.Body != http.NoBody {
		t.bodied.Add(1)
	}
	return t.base.RoundTrip(req)
}

func (t *replayingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.send(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close() // the answer the reset destroyed
	replay := req.Clone(req.Context())
	switch {
	case req.Body == nil || req.Body == http.NoBody:
	case req.GetBody != nil:
		if replay.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	default:
		return nil, errStreamReset
	}
	return t.send(replay)
}

// CloseIdleConnections lets the gateway's client release the base
// transport's connections.
func (t *replayingTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// createNotReplayedRule checks that no layer below the payment-safe policy
// repeats a create: through a transport that replays what it can, one
// create reaches the provider.
func (s *suite) createNotReplayedRule(r Reporter) {
	s.rule(r, "CreateNotReplayedBelowThePolicy", func(c *check) {
		base := http.DefaultTransport.(*http.Transport).Clone()
		t := &replayingTransport{base: base}
		c.Cleanup(base.CloseIdleConnections)
		res := c.resilience()
		res.Breaker.Disabled = true
		res.Transport = t
		gw := c.makeGateway(c.s.settings.Values, res)

		req := s.request(mfspay.Taka(185))
		before := c.requests()
		co, err := gw.CreatePayment(c.ctx, req)
		if t.sent.Load() == 0 {
			if c.requests() > before {
				c.Skipf("not applicable: the gateway's requests did not go through mfspay.Resilience.Transport " +
					"(a plugin's HTTP client runs behind the plugin boundary), so no replaying transport can be put " +
					"below its retry policy; run the suite on the adapter in process to check it")
			}
			require.Fail(c, "CreatePayment sent nothing", "error: %v", err)
		}
		n := c.payments(req.InvoiceID)
		assert.EqualValues(c, 1, t.bodied.Load(),
			"create requests the provider received: a layer below the retry policy replayed the create (Request.GetBody was handed to the transport)")
		assert.LessOrEqual(c, n, 1, "payments at the provider for one create: a double charge")
		if err != nil {
			assert.ErrorIs(c, err, mfspay.ErrOutcomeUnknown, "the create reached the provider and its answer was lost")
			return
		}
		require.NotNil(c, co)
		assert.Equal(c, 1, n, "the create returned a checkout, so the provider holds its payment")
	})
}

// callerDeadline is how long the callers of the hung-provider rule wait:
// far shorter than the provider's stall and the attempt timeout, so their
// deadlines end every call.
const callerDeadline = 250 * time.Millisecond

// hungProviderRule checks that a provider that stops answering opens the
// breaker even when every caller bounds its calls with a deadline, and
// that calls then fail fast without traffic.
func (s *suite) hungProviderRule(r Reporter) {
	s.rule(r, "OpensOnHungProviderUnderCallerDeadlines", func(c *check) {
		res := c.resilience()
		res.Breaker.OpenTimeout = time.Minute // open for the whole rule
		gw := c.makeGateway(c.s.settings.Values, res)

		var probe func(ctx context.Context) error
		if s.caps.CanVerify() {
			co := c.create(gw, s.request(mfspay.Taka(95)))
			c.identify(co)
			ref := c.ref(co)
			probe = func(ctx context.Context) error { _, err := gw.VerifyPayment(ctx, ref); return err }
		} else {
			probe = func(ctx context.Context) error {
				_, err := gw.CreatePayment(ctx, s.request(mfspay.Taka(95)))
				return err
			}
		}
		c.fail(simctl.Fault{Delay: providerStall, Count: 1000})
		call := func() error {
			ctx, cancel := context.WithTimeout(c.ctx, callerDeadline)
			defer cancel()
			return probe(ctx)
		}
		for i := 1; i <= breakerThreshold; i++ {
			err := call()
			require.Error(c, err, "call %d against a provider that does not answer", i)
			require.NotErrorIs(c, err, mfspay.ErrCircuitOpen, "open after %d calls; the threshold is %d", i-1, breakerThreshold)
			require.ErrorIs(c, err, context.DeadlineExceeded, "call %d: the caller's deadline ends it", i)
		}
		if state, ok := mfspay.BreakerStateOf(gw.inner); ok {
			require.Equal(c, mfspay.BreakerOpen, state,
				"breaker state after %d callers' deadlines expired on the provider: a deadline that expires while the provider has not answered is its failure", breakerThreshold)
		}
		before := c.settledRequests()
		for i := 1; i <= 5; i++ {
			assert.ErrorIs(c, call(), mfspay.ErrCircuitOpen, "call %d after the breaker should have opened", i)
		}
		assert.Equal(c, before, c.requests(), "calls reached the hung provider after the breaker should have opened")
	})
}

// settledRequests is the simulator's request count once requests still
// on their way (sent by a plugin after its caller gave up) have arrived:
// the count stays the same over a short pause.
func (c *check) settledRequests() int {
	c.Helper()
	n := c.requests()
	for range 20 {
		c.sleep(100 * time.Millisecond)
		m := c.requests()
		if m == n {
			return n
		}
		n = m
	}
	require.Fail(c, fmt.Sprintf("the simulator's request count kept growing (%d) with no call in flight", n))
	return n
}
