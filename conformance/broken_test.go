package conformance_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

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

// The deliberately broken adapters below each take a real one and get one
// thing wrong, the way a careless adapter would. Where the bug lives in an
// adapter it is injected into the driver, under the portable layer, so the
// layer's checks stand between it and the rules just as they would.

// subject is an adapter the breakages are injected into.
type subject struct {
	name   string
	sim    func() (simctl.Controller, func())
	driver func(map[string]string, mfspay.Resilience) (mfspay.Driver, error)
}

var (
	eazzPaySubject = subject{"EazzPay", func() (simctl.Controller, func()) {
		s := eazzpaytest.NewServer()
		return s, s.Close
	}, eazzpay.DriverFromSettings}
	wezoPaySubject = subject{"WezoPay", func() (simctl.Controller, func()) {
		s := wezopaytest.NewServer()
		return s, s.Close
	}, wezopay.DriverFromSettings}
	miniPayNoReturnSubject = miniPaySubject(mfspay.ReturnNone, miniIDsAtCreate)
	miniPayExecuteSubject  = miniPaySubject(mfspay.ReturnExecute, miniIDsAtCreate)
	miniPayLaterSubject    = miniPaySubject(mfspay.ReturnVerify, miniIDsLater)
)

func miniPaySubject(mode mfspay.ReturnAction, ids miniIDs) subject {
	name := map[mfspay.ReturnAction]string{mfspay.ReturnNone: "MiniPay", mfspay.ReturnVerify: "MiniPayVerify", mfspay.ReturnExecute: "MiniPayExecute"}[mode]
	if ids == miniIDsLater {
		name += "NamingLater"
	}
	return subject{name, func() (simctl.Controller, func()) {
		s := newMiniSim(mode, ids, miniNoticesPayments)
		return s, s.Close
	}, miniDriverFromSettings}
}

// layered is the adapter as it ships: its driver under the portable layer.
func (a subject) layered(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
	d, err := a.driver(settings, r)
	if err != nil {
		return nil, err
	}
	return mfspay.NewGateway(d, r), nil
}

// gatewayBug breaks the gateway callers get, above the layer.
func gatewayBug(wrap func(gw mfspay.Gateway, settings map[string]string) mfspay.Gateway) func(subject) conformance.Constructor {
	return func(a subject) conformance.Constructor {
		return func(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
			gw, err := a.layered(settings, r)
			if err != nil {
				return nil, err
			}
			return wrap(gw, settings), nil
		}
	}
}

// driverBug breaks the driver, under the layer.
func driverBug(wrap func(d mfspay.Driver, r mfspay.Resilience) mfspay.Driver) func(subject) conformance.Constructor {
	return func(a subject) conformance.Constructor {
		return func(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
			d, err := a.driver(settings, r)
			if err != nil {
				return nil, err
			}
			return mfspay.NewGateway(wrap(d, r), r), nil
		}
	}
}

// pendingNotificationCompleted reads a pending notification as a completed
// payment: the driver's status table maps the provider's pending word to
// paid.
type pendingNotificationCompleted struct{ mfspay.Driver }

func (d pendingNotificationCompleted) ParseNotification(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	ev, err := d.Driver.ParseNotification(ctx, req)
	if ev != nil && ev.Type == mfspay.EventPaymentPending {
		ev.Type, ev.Payment.Status = mfspay.EventPaymentCompleted, mfspay.StatusPaid
	}
	return ev, err
}

// dropsPaymentID loses the payment id of the create answer, which its
// provider gave, without declaring Capabilities.PaymentIDLater.
type dropsPaymentID struct{ mfspay.Driver }

func (d dropsPaymentID) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	co, err := d.Driver.Create(ctx, req)
	if co != nil {
		co.PaymentID = ""
	}
	return co, err
}

// namesNoPaymentEvenLater is a driver whose provider names payments later
// (Capabilities.PaymentIDLater), which then loses the id in every event,
// leaving the merchant the invoice only: a shop could never look the
// payment up.
type namesNoPaymentEvenLater struct{ mfspay.ReturnDriver }

func (d namesNoPaymentEvenLater) ParseNotification(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	return withoutPaymentID(d.ReturnDriver.ParseNotification(ctx, req))
}

func (d namesNoPaymentEvenLater) CompleteReturn(ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error) {
	return withoutPaymentID(d.ReturnDriver.CompleteReturn(ctx, req))
}

func withoutPaymentID(ev *mfspay.Event, err error) (*mfspay.Event, error) {
	if ev != nil {
		ev.Payment.PaymentID = ""
	}
	return ev, err
}

// announcesMoneyOnly reads each completed payment's notification as money
// received (transaction.received) and loses which payment it was, declaring
// the event type so that the portable layer lets it through. Its provider
// has no customer's return, so the notification was the merchant's only
// news of which payment completed.
type announcesMoneyOnly struct{ mfspay.Driver }

func (d announcesMoneyOnly) Capabilities() mfspay.Capabilities {
	caps := d.Driver.Capabilities()
	caps.EventTypes = append(slices.Clone(caps.EventTypes), mfspay.EventTransactionReceived)
	return caps
}

func (d announcesMoneyOnly) ParseNotification(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	ev, err := d.Driver.ParseNotification(ctx, req)
	if ev != nil && ev.Type == mfspay.EventPaymentCompleted {
		ev.Type, ev.Reference = mfspay.EventTransactionReceived, ev.Payment.InvoiceID
		ev.Payment.PaymentID, ev.Payment.InvoiceID = "", ""
	}
	return ev, err
}

// recreatesAfter503 sends a create again when the provider answered 503,
// reading "Service Unavailable" as "not processed".
type recreatesAfter503 struct{ mfspay.Driver }

func (d recreatesAfter503) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	co, err := d.Driver.Create(ctx, req)
	var e *mfspay.Error
	if errors.As(err, &e) && e.HTTPStatus == http.StatusServiceUnavailable {
		return d.Driver.Create(ctx, req)
	}
	return co, err
}

// recreatesAfterTimeout gives each create its own deadline, the attempt
// timeout, and sends it again when that passes, reading a timeout as "not
// processed". Its inner driver waits longer, so the deadline is the
// wrapper's.
type recreatesAfterTimeout struct {
	mfspay.Driver
	try time.Duration
}

func (d recreatesAfterTimeout) Create(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	for attempt := 1; ; attempt++ {
		tctx, cancel := context.WithTimeout(ctx, d.try)
		co, err := d.Driver.Create(tctx, req)
		timedOut := errors.Is(tctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
		cancel()
		if !timedOut || attempt == 3 {
			return co, err
		}
	}
}

func recreatingAfterTimeout(a subject) conformance.Constructor {
	return func(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
		inner := r
		inner.Retry.AttemptTimeout = 10 * r.Retry.AttemptTimeout
		d, err := a.driver(settings, inner)
		if err != nil {
			return nil, err
		}
		return mfspay.NewGateway(recreatesAfterTimeout{d, r.Retry.AttemptTimeout}, r), nil
	}
}

// unknownStatusAsPending reads a status missing from its table as pending
// instead of unknown.
type unknownStatusAsPending struct{ mfspay.Driver }

func (d unknownStatusAsPending) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	p, err := d.Driver.Verify(ctx, ref)
	if p != nil && p.Status == mfspay.StatusUnknown {
		p.Status = mfspay.StatusPending
	}
	return p, err
}

// uncheckedGateway is a Gateway written without mfspay.NewGateway: it
// calls its driver directly and hands every answer on, naming the provider
// and nothing more. Under the portable layer no adapter can pass a lie on
// like this; the Answers rules show what the layer stops.
type uncheckedGateway struct{ d mfspay.Driver }

func (g uncheckedGateway) Provider() string                  { return g.d.Provider() }
func (g uncheckedGateway) Capabilities() mfspay.Capabilities { return g.d.Capabilities() }

func (g uncheckedGateway) CreatePayment(ctx context.Context, req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	co, err := g.d.Create(ctx, req)
	if co != nil {
		co.Provider = g.d.Provider()
	}
	return co, err
}

func (g uncheckedGateway) VerifyPayment(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	p, err := g.d.Verify(ctx, ref)
	if p != nil {
		p.Provider = g.d.Provider()
	}
	return p, err
}

func (g uncheckedGateway) ListPayments(ctx context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return g.d.List(ctx, q)
}

func (g uncheckedGateway) ParseWebhook(ctx context.Context, req mfspay.WebhookRequest) (*mfspay.Event, error) {
	return g.d.ParseNotification(ctx, req)
}

func (g uncheckedGateway) CompleteReturn(ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error) {
	rd, ok := g.d.(mfspay.ReturnDriver)
	if !ok {
		return nil, kit.Unsupported(g.d.Provider(), mfspay.OpReturn)
	}
	return rd.CompleteReturn(ctx, req)
}

func unchecked(a subject) conformance.Constructor {
	return func(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
		d, err := a.driver(settings, r)
		if err != nil {
			return nil, err
		}
		return uncheckedGateway{d}, nil
	}
}

// returnBug wraps MiniPay's return driver.
type returnBug struct {
	*miniDriver
	complete func(d *miniDriver, ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error)
}

func (d returnBug) CompleteReturn(ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error) {
	return d.complete(d.miniDriver, ctx, req)
}

func miniReturnBug(complete func(d *miniDriver, ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error)) func(subject) conformance.Constructor {
	return driverBug(func(d mfspay.Driver, _ mfspay.Resilience) mfspay.Driver { return returnBug{d.(*miniDriver), complete} })
}

// trustsReturnStatus reports paid when the return's query says success:
// it reads the payment the return names, then believes the query.
func trustsReturnStatus(d *miniDriver, ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error) {
	ev, err := d.CompleteReturn(ctx, req)
	if err == nil && req.Query.Get("status") == "success" {
		ev.Type, ev.Payment.Status = mfspay.EventPaymentCompleted, mfspay.StatusPaid
	}
	return ev, err
}

// executeRefusalIsAnError does not settle a refused execute with a read:
// the repeats of a return that was already executed fail.
func executeRefusalIsAnError(d *miniDriver, ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error) {
	if req.Query.Get("status") == "success" {
		if _, err := d.call(ctx, mfspay.OpReturn, http.MethodPost, "/payments/"+req.Query.Get("payment_id")+"/execute", nil, false); err != nil {
			return nil, err
		}
	}
	return d.CompleteReturn(ctx, req)
}

// pendingAsPaid reports a payment that is not settled as paid.
type pendingAsPaid struct{ mfspay.Gateway }

func (g pendingAsPaid) VerifyPayment(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	p, err := g.Gateway.VerifyPayment(ctx, ref)
	if p != nil && (p.Status == mfspay.StatusPending || p.Status == mfspay.StatusUnknown) {
		p.Status = mfspay.StatusPaid
	}
	return p, err
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
func letsGetBodyThrough(a subject) conformance.Constructor {
	return func(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
		next := r.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		r.Transport = rewindsBodies{next}
		return a.layered(settings, r)
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
func excludesDeadlines(a subject) conformance.Constructor {
	return func(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
		inner := r
		inner.Breaker.Disabled = true
		gw, err := a.layered(settings, inner)
		if err != nil {
			return nil, err
		}
		return mfspay.NewGateway(deadlineHider{gw}, r), nil
	}
}

// brokenCase is a broken adapter and the rules that must catch it.
type brokenCase struct {
	name  string
	of    subject
	build func(subject) conformance.Constructor
	// mustFail are exactly the rules the breakage fails, of the groups
	// they and mustPass name, which are the groups run: every other rule
	// of those groups must pass or be skipped. mustPass must pass (not be
	// skipped), to show the failures are the breakage's.
	mustFail []string
	mustPass []string
}

var brokenCases = []brokenCase{
	{
		name: "PendingNotificationReadAsCompleted", of: wezoPaySubject,
		build:    driverBug(func(d mfspay.Driver, _ mfspay.Resilience) mfspay.Driver { return pendingNotificationCompleted{d} }),
		mustFail: []string{"Webhooks/PendingNotificationIsNotCompleted"},
		mustPass: []string{"Webhooks/ParsesGenuineNotificationAfterPay", "Webhooks/DistinctEventsHaveDistinctIDs"},
	},
	{
		name: "PendingNotificationReadAsCompleted", of: eazzPaySubject,
		build:    driverBug(func(d mfspay.Driver, _ mfspay.Resilience) mfspay.Driver { return pendingNotificationCompleted{d} }),
		mustFail: []string{"Webhooks/PendingNotificationIsNotCompleted"},
		mustPass: []string{"Webhooks/ParsesGenuineNotificationAfterPay", "Status/PaidAfterPay"},
	},
	{
		name: "RecreatesAfter503", of: eazzPaySubject,
		build:    driverBug(func(d mfspay.Driver, _ mfspay.Resilience) mfspay.Driver { return recreatesAfter503{d} }),
		mustFail: []string{"Resilience/AmbiguousCreateNeverDoublesPayment/ServiceUnavailableAfterProcessing"},
		mustPass: []string{
			"Resilience/AmbiguousCreateNeverDoublesPayment/ServerErrorAfterProcessing",
			"Resilience/AmbiguousCreateNeverDoublesPayment/BadGatewayAfterProcessing",
			"Resilience/AmbiguousCreateNeverDoublesPayment/GatewayTimeoutAfterProcessing",
		},
	},
	{
		name: "RecreatesAfterTimeout", of: eazzPaySubject,
		build:    recreatingAfterTimeout,
		mustFail: []string{"Resilience/AmbiguousCreateNeverDoublesPayment/TimeoutAfterProcessing"},
		mustPass: []string{
			"Resilience/AmbiguousCreateNeverDoublesPayment/ServiceUnavailableAfterProcessing",
			"Resilience/AmbiguousCreateNeverDoublesPayment/ConnectionResetAfterProcessing",
			"Cancellation/ReturnsPromptlyWhenDeadlinePassesWhileProviderDelays",
		},
	},
	{
		name: "RetriesAmbiguousCreateBlindly", of: eazzPaySubject,
		build: gatewayBug(func(gw mfspay.Gateway, _ map[string]string) mfspay.Gateway { return retriesBlindly{gw} }),
		mustFail: []string{
			"Resilience/AmbiguousCreateNeverDoublesPayment/ServerErrorAfterProcessing",
			"Resilience/AmbiguousCreateNeverDoublesPayment/BadGatewayAfterProcessing",
			"Resilience/AmbiguousCreateNeverDoublesPayment/ServiceUnavailableAfterProcessing",
			"Resilience/AmbiguousCreateNeverDoublesPayment/GatewayTimeoutAfterProcessing",
			"Resilience/AmbiguousCreateNeverDoublesPayment/ConnectionResetAfterProcessing",
			"Resilience/AmbiguousCreateNeverDoublesPayment/TruncatedAnswerAfterProcessing",
			"Resilience/AmbiguousCreateNeverDoublesPayment/TimeoutAfterProcessing",
			// The replaying transport's refusal is ambiguous too.
			"Resilience/CreateNotReplayedBelowThePolicy",
		},
		mustPass: []string{"Resilience/CreateUnderPersistentServerErrorsCreatesNothing"},
	},
	{
		name: "AnswersPassedOnUnchecked", of: miniPayNoReturnSubject,
		build: unchecked,
		mustFail: []string{
			"Answers/RefusesPaidReadWithZeroAmount",
			"Answers/RefusesPaidReadWithNegativeAmount",
			"Answers/RefusesReadAboutAnotherPayment",
			"Answers/RefusesCreateWithNonHTTPRedirect",
			"Returns/UnsupportedWithoutTraffic",
		},
		// The driver maps a status outside its table to unknown itself.
		mustPass: []string{"Answers/NeverReadsUnknownStatusAsKnown"},
	},
	{
		name: "UnknownStatusReadAsPending", of: wezoPaySubject,
		build:    driverBug(func(d mfspay.Driver, _ mfspay.Resilience) mfspay.Driver { return unknownStatusAsPending{d} }),
		mustFail: []string{"Answers/NeverReadsUnknownStatusAsKnown"},
		mustPass: []string{"Answers/RefusesPaidReadWithZeroAmount", "Answers/RefusesReadAboutAnotherPayment"},
	},
	{
		name: "TrustsTheReturnsStatus", of: miniPayExecuteSubject,
		build:    miniReturnBug(trustsReturnStatus),
		mustFail: []string{"Returns/ForgedReturnNeverPaysTheRealInvoice"},
		mustPass: []string{"Returns/PaidAfterPay", "Returns/NeverPaidAfterCancel", "Returns/ConcurrentRepeatsReportOneOutcome"},
	},
	{
		name: "RepeatedReturnFailsOnTheRefusedExecute", of: miniPayExecuteSubject,
		build: miniReturnBug(executeRefusalIsAnError),
		// The forgery rule completes the genuine return twice.
		mustFail: []string{"Returns/ConcurrentRepeatsReportOneOutcome", "Returns/ForgedReturnNeverPaysTheRealInvoice"},
		mustPass: []string{"Returns/PaidAfterPay", "Returns/NeverPaidAfterCancel"},
	},
	{
		name: "PendingReportedAsPaid", of: wezoPaySubject,
		build:    gatewayBug(func(gw mfspay.Gateway, _ map[string]string) mfspay.Gateway { return pendingAsPaid{gw} }),
		mustFail: []string{"Verify/ByInvoiceReturnsThePendingPayment", "Verify/ByPaymentIDReturnsThePendingPayment"},
		mustPass: []string{"Verify/UnknownInvoiceIsNotFound"},
	},
	{
		name: "SkipsSignatureCheck", of: wezoPaySubject,
		build: gatewayBug(func(gw mfspay.Gateway, settings map[string]string) mfspay.Gateway {
			return signsForItself{gw, settings[wezopaytest.SettingWebhookSecrets]}
		}),
		mustFail: []string{
			"Webhooks/RejectsTamperedBody", "Webhooks/RejectsWrongAuthentication", "Webhooks/RejectsMissingAuthentication",
		},
		mustPass: []string{"Webhooks/ParsesGenuineNotificationAfterPay", "Webhooks/RedeliveryHasSameEventID"},
	},
	{
		name: "LeaksItsAPIKeyInErrors", of: eazzPaySubject,
		build:    gatewayBug(leakingSettings),
		mustFail: []string{"Hygiene/NoSecretInErrorsWhenProviderEchoesSecrets", "Hygiene/NoSecretInAnyErrorOfTheRun"},
		mustPass: []string{"Hygiene/NoSecretInLogs", "Create/ReturnsPendingCheckout"},
	},
	{
		name: "LetsGetBodyThroughToTheTransport", of: eazzPaySubject,
		build:    letsGetBodyThrough,
		mustFail: []string{"Resilience/CreateNotReplayedBelowThePolicy"},
		mustPass: []string{"Resilience/AmbiguousCreateNeverDoublesPayment/ServerErrorAfterProcessing"},
	},
	{
		name: "AnswersNotFoundForUnsupported", of: eazzPaySubject,
		build:    gatewayBug(func(gw mfspay.Gateway, _ map[string]string) mfspay.Gateway { return hidesUnsupported{gw} }),
		mustFail: []string{"Capabilities/UnsupportedOperationsReturnErrUnsupported"},
		mustPass: []string{"Capabilities/SupportedOperationsNeverReturnErrUnsupported"},
	},
	{
		name: "ClaimsVerifyItLacks", of: eazzPaySubject,
		build: gatewayBug(func(gw mfspay.Gateway, _ map[string]string) mfspay.Gateway { return overclaims{gw} }),
		// Every verify rule runs on the overclaiming gateway, and each
		// finds verification unsupported.
		mustFail: []string{
			"Capabilities/SupportedOperationsNeverReturnErrUnsupported",
			"Verify/ByInvoiceReturnsThePendingPayment",
			"Verify/UnknownInvoiceIsNotFound",
			"Verify/RejectsEmptyRefWithoutTraffic",
			"Verify/RejectsRefWithBothIDsWithoutTraffic",
		},
		mustPass: []string{"Capabilities/NamesItsProvider", "Capabilities/UnsupportedOperationsReturnErrUnsupported"},
	},
	{
		name: "DropsThePaymentID", of: wezoPaySubject,
		build:    driverBug(func(d mfspay.Driver, _ mfspay.Resilience) mfspay.Driver { return dropsPaymentID{d} }),
		mustFail: []string{"Create/ReturnsPendingCheckout", "Create/RegistersExactlyOnePayment"},
		mustPass: []string{"Create/RejectsZeroAmountWithoutTraffic"},
	},
	{
		name: "NamesNoPaymentEvenLater", of: miniPayLaterSubject,
		build: driverBug(func(d mfspay.Driver, _ mfspay.Resilience) mfspay.Driver {
			return namesNoPaymentEvenLater{d.(mfspay.ReturnDriver)}
		}),
		// Each rule that has the customer pay, or announces a payment,
		// finds no payment id where one is due.
		mustFail: []string{"Status/PaidAfterPay", "Status/PendingWhileTheWalletHasNotConfirmed", "Status/NotPaidAfterCancelOrExpire"},
		mustPass: []string{"Create/ReturnsPendingCheckout"},
	},
	{
		name: "AnnouncesPaymentsOnlyAsMoneyReceived", of: miniPayNoReturnSubject,
		build: driverBug(func(d mfspay.Driver, _ mfspay.Resilience) mfspay.Driver { return announcesMoneyOnly{d} }),
		// Without a customer's return, the amount rules wait for the
		// notification naming the paid payment, which never comes; the
		// lookups that say paid are the driver's own and stay right.
		mustFail: []string{
			"Amounts/ExactAt0.01Taka", "Amounts/ExactAt1.10Taka", "Amounts/ExactAt79.10Taka", "Amounts/ExactAt99999999.99Taka",
		},
		mustPass: []string{"Status/PaidAfterPay"},
	},
	{
		name: "BreakerExcludesDeadlines", of: wezoPaySubject,
		build:    excludesDeadlines,
		mustFail: []string{"Breaker/OpensOnHungProviderUnderCallerDeadlines"},
		mustPass: []string{"Breaker/OpensAfterRepeatedUnavailability", "Breaker/FailsFastWithoutTrafficWhileOpen"},
	},
}

// TestBrokenAdaptersFailTheMatchingRules runs the suite, with the same rule
// code as every other test here, against adapters broken on purpose: each
// breakage must fail exactly the rules named for it among the groups run,
// and the other rules named must pass.
func TestBrokenAdaptersFailTheMatchingRules(t *testing.T) {
	for _, bc := range brokenCases {
		t.Run(bc.of.name+"/"+bc.name, func(t *testing.T) {
			t.Parallel()
			sim, stop := bc.of.sim()
			t.Cleanup(stop)
			groups := map[string]bool{}
			for _, rule := range slices.Concat(bc.mustFail, bc.mustPass) {
				groups[strings.SplitN(rule, "/", 2)[0]] = true
			}
			rec := conformance.NewRecorder(slices.Sorted(maps.Keys(groups))...)
			conformance.RunRules(rec, conformance.InProcess(sim, bc.build(bc.of)))
			rec.Finish()
			failed := rec.Rules(conformance.Failed)
			want := slices.Clone(bc.mustFail)
			slices.Sort(want)
			ok := assert.Equal(t, want, failed, "the rules the breakage fails")
			for _, rule := range bc.mustPass {
				res, _ := rec.Result(rule)
				ok = assert.Equal(t, conformance.Passed, res.Outcome, "rule %s, whose subject the breakage leaves alone", rule) && ok
			}
			if !ok {
				t.Logf("checklist:\n%s", rec.Checklist())
			}
		})
	}
}
