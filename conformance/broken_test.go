package conformance_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// The deliberately broken adapters below each wrap a real one and get one
// thing wrong, the way a careless adapter would.

// pendingAsPaid reports a payment that is not settled as paid.
type pendingAsPaid struct{ mfspay.Gateway }

func (g pendingAsPaid) VerifyPayment(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	p, err := g.Gateway.VerifyPayment(ctx, ref)
	if p != nil && (p.Status == mfspay.StatusPending || p.Status == mfspay.StatusUnknown) {
		p.Status = mfspay.StatusPaid
	}
	return p, err
}

func (g pendingAsPaid) ParseWebhook(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	ev, err := g.Gateway.ParseWebhook(ctx, req)
	if ev != nil && (ev.Payment.Status == mfspay.StatusPending || ev.Payment.Status == mfspay.StatusUnknown) {
		ev.Payment.Status = mfspay.StatusPaid
	}
	return ev, err
}

// leaksSettings puts its configuration, API key included, in its errors
// "to help debugging".
type leaksSettings struct {
	mfspay.Gateway
	config string
}

func (g leaksSettings) leak(err error) error {
	if err == nil {
		return nil
	}
	return &mfspay.Error{Kind: mfspay.KindOf(err), Provider: g.Provider(), Message: "with config " + g.config, Err: err}
}

func (g leaksSettings) CreatePayment(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	co, err := g.Gateway.CreatePayment(ctx, req)
	return co, g.leak(err)
}

func (g leaksSettings) ParseWebhook(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	ev, err := g.Gateway.ParseWebhook(ctx, req)
	return ev, g.leak(err)
}

// leakingSettings wraps gw in a leaksSettings holding all of settings.
func leakingSettings(gw mfspay.Gateway, settings map[string]string) mfspay.Gateway {
	var parts []string
	for k, v := range settings {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return leaksSettings{gw, strings.Join(parts, " ")}
}

// retriesBlindly repeats a create that failed ambiguously, without asking
// the provider whether the first one happened.
type retriesBlindly struct{ mfspay.Gateway }

func (g retriesBlindly) CreatePayment(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	co, err := g.Gateway.CreatePayment(ctx, req)
	if errors.Is(err, mfspay.ErrOutcomeUnknown) || errors.Is(err, mfspay.ErrUnavailable) {
		return g.Gateway.CreatePayment(ctx, req)
	}
	return co, err
}

// hidesUnsupported answers "not found" where it offers no such operation.
type hidesUnsupported struct{ mfspay.Gateway }

func (g hidesUnsupported) VerifyPayment(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	p, err := g.Gateway.VerifyPayment(ctx, ref)
	if errors.Is(err, mfspay.ErrUnsupported) {
		return nil, &mfspay.Error{Kind: mfspay.ErrNotFound, Provider: g.Provider(), Op: mfspay.OpVerify}
	}
	return p, err
}

// overclaims declares a lookup it does not have.
type overclaims struct{ mfspay.Gateway }

func (g overclaims) Capabilities() mfspay.Capabilities {
	caps := g.Gateway.Capabilities()
	caps.VerifyByInvoice = true
	return caps
}

// signsForItself "authenticates" a notification by signing it with its own
// secret first, so anything parses.
type signsForItself struct {
	mfspay.Gateway
	secret string
}

func (g signsForItself) ParseWebhook(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	req.Header = req.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set(wezopay.SignatureHeader, kit.SignHMACSHA256(req.Body, g.secret))
	return g.Gateway.ParseWebhook(ctx, req)
}

// rewindsBodies is the transport of an HTTP client that hands a create's
// Request.GetBody to the transport below it: whatever body it is given, it
// makes rewindable again, so a transport that replays what it can (Go's
// HTTP/2 client on a stream reset) sends the create twice.
type rewindsBodies struct{ next http.RoundTripper }

func (t rewindsBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil {
		return t.next.RoundTrip(req)
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	req.Body, _ = req.GetBody()
	return t.next.RoundTrip(req)
}

// letsGetBodyThrough builds gateways whose HTTP client lets a create's body
// be rewound below the retry policy.
func letsGetBodyThrough(open conformance.Constructor) conformance.Constructor {
	return func(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
		next := r.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		r.Transport = rewindsBodies{next}
		return open(settings, r)
	}
}

// deadlineHider is a driver over a gateway whose own breaker is off. It
// passes a caller's expired deadline off as the caller's cancellation, which
// the portable layer's breaker above it ignores: the breaker then behaves as
// mfspay's once did, and a hung provider never opens it when callers use
// deadlines.
type deadlineHider struct{ gw mfspay.Gateway }

func (d deadlineHider) Provider() string                  { return d.gw.Provider() }
func (d deadlineHider) Capabilities() mfspay.Capabilities { return d.gw.Capabilities() }

func (d deadlineHider) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	co, err := d.gw.CreatePayment(ctx, req)
	return co, hideDeadline(err)
}

func (d deadlineHider) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	p, err := d.gw.VerifyPayment(ctx, ref)
	return p, hideDeadline(err)
}

func (d deadlineHider) List(ctx context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	page, err := d.gw.ListPayments(ctx, q)
	return page, hideDeadline(err)
}

func (d deadlineHider) ParseNotification(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	return d.gw.ParseWebhook(ctx, req)
}

func hideDeadline(err error) error {
	var e *mfspay.Error
	if errors.Is(err, context.DeadlineExceeded) && errors.As(err, &e) {
		hidden := *e
		hidden.Err = context.Canceled
		return &hidden
	}
	return err
}

// excludesDeadlines builds gateways whose breaker, with the settings the
// suite asked for, never sees a deadline expire.
func excludesDeadlines(open conformance.Constructor) conformance.Constructor {
	return func(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
		inner := r
		inner.Breaker.Disabled = true
		gw, err := open(settings, inner)
		if err != nil {
			return nil, err
		}
		return mfspay.NewGateway(deadlineHider{gw}, r), nil
	}
}

// brokenCase is a broken adapter and the rules that must catch it.
type brokenCase struct {
	name string
	// construct, when set, breaks how gateways are built.
	construct func(open conformance.Constructor) conformance.Constructor
	// wrap, when set, breaks the gateway built from settings.
	wrap func(gw mfspay.Gateway, settings map[string]string) mfspay.Gateway
	// mustFail are rules the breakage must fail; mustPass are rules it
	// must leave passing, to show the failures are the breakage's.
	mustFail []string
	mustPass []string
}

var eazzPayBreakages = []brokenCase{
	{
		name:     "LeaksItsAPIKeyInErrors",
		wrap:     leakingSettings,
		mustFail: []string{"Hygiene/NoSecretInErrorsWhenProviderEchoesSecrets", "Hygiene/NoSecretInAnyErrorOfTheRun"},
		mustPass: []string{"Create/ReturnsPendingCheckout", "Hygiene/NoSecretInLogs"},
	},
	{
		name: "RetriesAmbiguousCreateBlindly",
		wrap: func(gw mfspay.Gateway, _ map[string]string) mfspay.Gateway { return retriesBlindly{gw} },
		mustFail: []string{
			"Resilience/AmbiguousCreateNeverDoublesPayment/ServerErrorAfterProcessing",
			"Resilience/AmbiguousCreateNeverDoublesPayment/ConnectionResetAfterProcessing",
		},
		mustPass: []string{"Create/ReturnsPendingCheckout", "Resilience/CreateUnderPersistentServerErrorsCreatesNothing"},
	},
	{
		name:      "LetsGetBodyThroughToTheTransport",
		construct: letsGetBodyThrough,
		mustFail:  []string{"Resilience/CreateNotReplayedBelowThePolicy"},
		mustPass: []string{
			"Create/ReturnsPendingCheckout",
			"Resilience/AmbiguousCreateNeverDoublesPayment/ServerErrorAfterProcessing",
			"Breaker/OpensOnHungProviderUnderCallerDeadlines",
		},
	},
	{
		name:     "AnswersNotFoundForUnsupported",
		wrap:     func(gw mfspay.Gateway, _ map[string]string) mfspay.Gateway { return hidesUnsupported{gw} },
		mustFail: []string{"Capabilities/UnsupportedOperationsReturnErrUnsupported"},
		mustPass: []string{"Create/ReturnsPendingCheckout", "Webhooks/ParsesGenuineNotificationAfterPay"},
	},
	{
		name: "ClaimsVerifyItLacks",
		wrap: func(gw mfspay.Gateway, _ map[string]string) mfspay.Gateway { return overclaims{gw} },
		mustFail: []string{
			"Capabilities/SupportedOperationsNeverReturnErrUnsupported",
			"Verify/ByInvoiceReturnsThePendingPayment",
			"Hygiene/SupportedOperationsNeverReturnedErrUnsupported",
		},
		mustPass: []string{"Create/ReturnsPendingCheckout"},
	},
}

var wezoPayBreakages = []brokenCase{
	{
		name:     "PendingReportedAsPaid",
		wrap:     func(gw mfspay.Gateway, _ map[string]string) mfspay.Gateway { return pendingAsPaid{gw} },
		mustFail: []string{"Verify/ByInvoiceReturnsThePendingPayment", "Verify/ByPaymentIDReturnsThePendingPayment"},
		mustPass: []string{"Create/ReturnsPendingCheckout", "Status/PaidAfterPay"},
	},
	{
		name: "SkipsSignatureCheck",
		wrap: func(gw mfspay.Gateway, settings map[string]string) mfspay.Gateway {
			return signsForItself{gw, settings[wezopaytest.SettingWebhookSecrets]}
		},
		mustFail: []string{
			"Webhooks/RejectsTamperedBody", "Webhooks/RejectsWrongAuthentication", "Webhooks/RejectsMissingAuthentication",
		},
		mustPass: []string{"Webhooks/ParsesGenuineNotificationAfterPay", "Webhooks/RedeliveryHasSameEventID"},
	},
	{
		name:     "LeaksItsAPIKeyInErrors",
		wrap:     leakingSettings,
		mustFail: []string{"Hygiene/NoSecretInErrorsWhenProviderEchoesSecrets", "Hygiene/NoSecretInAnyErrorOfTheRun"},
		mustPass: []string{"Create/ReturnsPendingCheckout", "Hygiene/NoSecretInLogs"},
	},
	{
		name:      "BreakerExcludesDeadlines",
		construct: excludesDeadlines,
		mustFail:  []string{"Breaker/OpensOnHungProviderUnderCallerDeadlines"},
		mustPass: []string{
			"Create/ReturnsPendingCheckout",
			"Breaker/OpensAfterRepeatedUnavailability",
			"Breaker/FailsFastWithoutTrafficWhileOpen",
			"Resilience/CreateNotReplayedBelowThePolicy",
		},
	},
}

// TestBrokenAdaptersFailTheMatchingRules runs the suite, with the same rule
// code as every other test here, against adapters broken on purpose, and
// checks that the rules meant to catch each breakage fail.
func TestBrokenAdaptersFailTheMatchingRules(t *testing.T) {
	for _, bc := range eazzPayBreakages {
		t.Run("EazzPay/"+bc.name, func(t *testing.T) {
			t.Parallel()
			sim := eazzpaytest.NewServer()
			t.Cleanup(sim.Close)
			runBroken(t, bc, sim, eazzpay.FromSettings)
		})
	}
	for _, bc := range wezoPayBreakages {
		t.Run("WezoPay/"+bc.name, func(t *testing.T) {
			t.Parallel()
			sim := wezopaytest.NewServer()
			t.Cleanup(sim.Close)
			runBroken(t, bc, sim, wezopay.FromSettings)
		})
	}
}

func runBroken(t *testing.T, bc brokenCase, sim simctl.Controller, open conformance.Constructor) {
	t.Helper()
	rep := conformance.NewRecorder()
	if bc.construct != nil {
		open = bc.construct(open)
	}
	conformance.RunRules(rep, conformance.InProcess(sim, func(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
		gw, err := open(settings, r)
		if err != nil || bc.wrap == nil {
			return gw, err
		}
		return bc.wrap(gw, settings), nil
	}))
	rep.Finish()
	failed := rep.Rules(conformance.Failed)
	t.Logf("rules failed by the broken adapter: %s", strings.Join(failed, ", "))
	ok := true
	for _, rule := range bc.mustFail {
		ok = assert.True(t, slices.Contains(failed, rule), "rule %s did not catch the breakage", rule) && ok
	}
	for _, rule := range bc.mustPass {
		ok = assert.False(t, slices.Contains(failed, rule), "rule %s failed though the breakage is elsewhere", rule) && ok
	}
	if !ok {
		t.Logf("checklist:\n%s", rep.Checklist())
	}
}
