package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// The resilience the suite asks every gateway for: fast enough that a run
// takes seconds, slack enough that a loaded two-core machine under -race
// does not trip an attempt timeout by accident.
const (
	maxAttempts      = 4
	attemptTimeout   = 3 * time.Second
	maxRetryAfter    = 50 * time.Millisecond
	breakerThreshold = 3
	breakerOpenFor   = time.Second
	// ruleTimeout bounds each rule so that a hung adapter fails the rule
	// instead of the whole test binary.
	ruleTimeout = 60 * time.Second
)

// resilience returns the test-speed resilience the suite passes to
// Harness.MakeGateway, logging to logger.
func resilience(logger *slog.Logger) mfspay.Resilience {
	return mfspay.Resilience{
		Retry: mfspay.RetryPolicy{
			MaxAttempts:    maxAttempts,
			MinBackoff:     time.Millisecond,
			MaxBackoff:     5 * time.Millisecond,
			MaxRetryAfter:  maxRetryAfter,
			AttemptTimeout: attemptTimeout,
		},
		Breaker: mfspay.BreakerSettings{
			FailureThreshold: breakerThreshold,
			OpenTimeout:      breakerOpenFor,
			HalfOpenProbes:   1,
		},
		Logger: logger,
	}
}

// suite is the state one run shares across its rules: one simulator, its
// settings, the adapter's capabilities, and everything recorded for the
// hygiene rules.
type suite struct {
	h        Harness
	sim      simctl.Controller
	settings simctl.Settings
	caps     mfspay.Capabilities
	provider string
	errs     errorLog
	logs     logCapture
	// pool holds the gateways of the group that is running.
	pool *pool
	// sink receives the provider's notifications and is the origin of every
	// URL in a request, so nothing leaves the loopback interface.
	sink   *httptest.Server
	prefix string
	seq    atomic.Int64
}

// RunRules runs the suite against h, reporting to r (a Recorder, say). Run
// is RunRules with a *testing.T. RunRules calls FailNow and Skipf only
// inside the rules it runs with r.Run.
func RunRules(r Reporter, h Harness) {
	r.Helper()
	s := &suite{h: h, sim: h.Simulator(), prefix: randomHex(3)}
	s.sink = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	r.Cleanup(s.sink.Close)

	ctx, cancel := context.WithTimeout(context.Background(), ruleTimeout)
	defer cancel()
	if err := s.setup(ctx); err != nil {
		r.Errorf("conformance: %v", err)
		return
	}
	r.Logf("conformance: provider %q, capabilities %+v", s.provider, s.caps)

	for _, g := range groups {
		if g.applies != nil {
			if why := g.applies(s.caps); why != "" {
				notApplicable(r, g.name, why)
				continue
			}
		}
		r.Run(g.name, func(r Reporter) {
			s.pool = newPool(h)
			r.Cleanup(func() { s.pool.close(r) })
			g.rules(s, r)
		})
	}
}

// setup reads the simulator's settings and the adapter's capabilities.
func (s *suite) setup(ctx context.Context) error {
	settings, err := s.sim.Settings(ctx)
	if err != nil {
		return fmt.Errorf("simulator settings: %w", err)
	}
	s.settings = settings
	gw, err := s.h.MakeGateway(ctx, settings.Values, resilience(s.logs.logger()))
	if err != nil {
		return fmt.Errorf("making a gateway from the simulator's settings: %w", err)
	}
	defer closeGateway(gw)
	s.caps = gw.Capabilities()
	s.provider = gw.Provider()
	return nil
}

// group is one top-level subtest; rules adds its rules under it.
type group struct {
	name string
	// applies returns why the capabilities leave the group out, or "".
	applies func(mfspay.Capabilities) string
	rules   func(s *suite, r Reporter)
}

// groups lists the suite in run order. Hygiene is last: it inspects every
// error and log line the earlier rules produced.
var groups = []group{
	{"Harness", nil, (*suite).harnessRules},
	{"Capabilities", nil, (*suite).capabilityRules},
	{"Create", nil, (*suite).createRules},
	{"Verify", func(c mfspay.Capabilities) string {
		return unlessDeclared(c.CanVerify(), "VerifyPayment")
	}, (*suite).verifyRules},
	{"Status", nil, (*suite).statusRules},
	{"Amounts", nil, (*suite).amountRules},
	{"List", func(c mfspay.Capabilities) string { return unlessDeclared(c.List, "ListPayments") }, (*suite).listRules},
	{"Answers", nil, (*suite).answerRules},
	{"Returns", nil, (*suite).returnRules},
	{"Errors", nil, (*suite).errorRules},
	{"Resilience", nil, func(s *suite, r Reporter) { s.resilienceRules(r); s.createNotReplayedRule(r) }},
	{"Breaker", nil, func(s *suite, r Reporter) { s.breakerRules(r); s.hungProviderRule(r) }},
	{"Cancellation", nil, (*suite).cancellationRules},
	{"Concurrency", nil, (*suite).concurrencyRules},
	{"Webhooks", func(c mfspay.Capabilities) string {
		return unlessDeclared(len(c.EventTypes) > 0, "ParseWebhook (no EventTypes)")
	}, (*suite).webhookRules},
	{"Hygiene", nil, (*suite).hygieneRules},
}

func unlessDeclared(supported bool, op string) string {
	if supported {
		return ""
	}
	return "the gateway declares " + op + " unsupported; Capabilities/UnsupportedOperationsReturnErrUnsupported checks it"
}

// rule runs check as the sub-rule name of r.
func (s *suite) rule(r Reporter, name string, check func(c *check)) {
	r.Run(name, func(r Reporter) {
		check(s.newCheck(r))
	})
}

// notApplicable reports the rule (or group) called name as skipped, with
// why, so that go test -v lists it as SKIP with its reason.
func notApplicable(r Reporter, name, why string) {
	r.Helper()
	r.Run(name, func(r Reporter) { r.Skipf("not applicable: %s", why) })
}

// nextID returns a fresh id unique in this run (and, thanks to the random
// prefix, across runs against a long-lived simulator).
func (s *suite) nextID(kind string) string {
	return fmt.Sprintf("CF%s%s%d", kind, s.prefix, s.seq.Add(1))
}

// request returns a valid create request for a new invoice.
func (s *suite) request(amount mfspay.Amount) mfspay.CreatePaymentRequest {
	inv := s.nextID("-INV-")
	return mfspay.CreatePaymentRequest{
		InvoiceID: inv,
		Amount:    amount,
		Customer:  mfspay.Customer{Name: "Rahim Khan", Email: "rahim@example.com", Phone: "01712345678"},
		// Short URLs: some providers bound them tightly (EazzPay: 100
		// characters, after the adapter adds its own query parameter).
		SuccessURL: s.sink.URL + "/ok",
		CancelURL:  s.sink.URL + "/no",
		WebhookURL: s.sink.URL + "/wh",
		// The merchant's own parameter rides along, as a shop's return
		// endpoint would carry one; the Returns rules forge it.
		ReturnURL: s.sink.URL + "/r?o=" + inv,
		Metadata:  map[string]string{"order": inv},
	}
}

// payer returns what a customer enters on the hosted page, with a fresh
// transaction id.
func (s *suite) payer() simctl.Payer {
	return simctl.Payer{
		Method: mfspay.MethodBKash,
		Sender: "01812345678",
		TrxID:  strings.ToUpper(fmt.Sprintf("T%s%06d", s.prefix, s.seq.Add(1)%1000000)),
	}
}

// pendingPayer is a payer whose wallet has not confirmed yet.
func (s *suite) pendingPayer() simctl.Payer {
	p := s.payer()
	p.Pending = true
	return p
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms.
	}
	return hex.EncodeToString(b)
}

// mustAmount parses a constant amount.
func mustAmount(s string) mfspay.Amount {
	a, err := mfspay.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}
