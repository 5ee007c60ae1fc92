package ledger_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/providers/wezopay"
)

// The intent is in the ledger before the request leaves, and the answer
// after it.
func TestRecordWritesIntentBeforeSendingAndAnswerAfter(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	var during ledger.Entry
	spy := &fakeGateway{name: wezopay.ProviderName, caps: e.gw.Capabilities(),
		create: func(req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
			var err error
			during, err = e.store.ByInvoice(e.ctx, wezopay.ProviderName, req.InvoiceID)
			require.NoError(t, err, "the intent is recorded before the create is sent")
			return e.gw.CreatePayment(e.ctx, req)
		}}
	rec := ledger.Record(spy, e.store, ledger.WithClock(e.clock), ledger.WithSchedule(testSchedule))
	req := request("inv-1")
	co, err := rec.CreatePayment(e.ctx, req)
	require.NoError(t, err)

	assert.Equal(t, ledger.OutcomeSending, during.Outcome)
	assert.Equal(t, mfspay.Taka(250), during.Amount)
	assert.Equal(t, ledger.Fingerprint(wezopay.ProviderName, req), during.Fingerprint)
	assert.Equal(t, ledger.Timestamp(e.clock.Now().Add(testSchedule.IntentTimeout)), during.NextCheck)

	en := e.entry("inv-1")
	assert.Equal(t, ledger.OutcomeCreated, en.Outcome)
	assert.Equal(t, co.PaymentID, en.PaymentID)
	assert.Equal(t, co.RedirectURL, en.RedirectURL)
	assert.Equal(t, ledger.Timestamp(co.ExpiresAt), en.ExpiresAt)
	assert.Equal(t, mfspay.StatusPending, en.Status)
	assert.Equal(t, ledger.Timestamp(e.clock.Now().Add(testSchedule.FirstCheck)), en.NextCheck)
	byID, err := e.store.ByPaymentID(e.ctx, wezopay.ProviderName, co.PaymentID)
	require.NoError(t, err)
	assert.Equal(t, "inv-1", byID.InvoiceID, "the payment id leads back to the invoice")
}

// The same create again returns the recorded checkout without a second
// request; the invoice reused for another request is a duplicate.
func TestRecordRepeatsAndDuplicates(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	first, err := e.rec.CreatePayment(e.ctx, request("inv-1"))
	require.NoError(t, err)
	sent, err := e.sim.RequestCount(e.ctx)
	require.NoError(t, err)

	again, err := e.rec.CreatePayment(e.ctx, request("inv-1"))
	require.NoError(t, err)
	assert.Equal(t, first.PaymentID, again.PaymentID)
	assert.Equal(t, first.RedirectURL, again.RedirectURL)
	after, err := e.sim.RequestCount(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, sent, after, "a repeat sends nothing")

	other := request("inv-1")
	other.Amount = mfspay.Taka(999)
	_, err = e.rec.CreatePayment(e.ctx, other)
	assert.ErrorIs(t, err, mfspay.ErrDuplicate)

	require.NoError(t, e.sim.Pay(e.ctx, first.PaymentID, simctl.Payer{}))
	e.clock.Advance(testSchedule.FirstCheck)
	e.sweep(e.reconciler())
	_, err = e.rec.CreatePayment(e.ctx, request("inv-1"))
	assert.ErrorIs(t, err, mfspay.ErrDuplicate, "a paid invoice is never paid again")
	n, err := e.sim.PaymentCount(e.ctx, "inv-1")
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	_, err = e.rec.CreatePayment(e.ctx, request("expiring"))
	require.NoError(t, err)
	e.clock.Advance(31 * time.Minute) // WezoPay's page expires after 30
	_, err = e.rec.CreatePayment(e.ctx, request("expiring"))
	assert.ErrorIs(t, err, mfspay.ErrDuplicate, "an expired page is not handed out again")
}

func TestRecordRefusesWithoutSideEffects(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	bad := request("inv-1")
	bad.Amount = 0
	_, err := e.rec.CreatePayment(e.ctx, bad)
	var me *mfspay.Error
	require.ErrorAs(t, err, &me)
	assert.ErrorIs(t, err, mfspay.ErrInvalidRequest)
	assert.Equal(t, wezopay.ProviderName, me.Provider)
	assert.Equal(t, mfspay.OpCreate, me.Op)
	_, err = e.store.ByInvoice(e.ctx, wezopay.ProviderName, "inv-1")
	assert.ErrorIs(t, err, ledger.ErrNoEntry, "an invalid request is not recorded")

	down := ledger.Record(e.gw, failingStore{ledger.NewMemoryStore()}, ledger.WithClock(e.clock))
	_, err = down.CreatePayment(e.ctx, request("inv-2"))
	assert.ErrorIs(t, err, mfspay.ErrUnavailable)
	sent, err := e.sim.RequestCount(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, sent, "nothing is sent when the intent cannot be recorded")
}

// A create the provider refuses is recorded as not created, and may be
// tried again.
func TestRecordRefusedCreateMayBeRetried(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	require.NoError(t, e.sim.Fail(e.ctx, simctl.Fault{Status: http.StatusUnauthorized, Body: `{"message":"bad key"}`}))
	_, err := e.rec.CreatePayment(e.ctx, request("inv-1"))
	require.ErrorIs(t, err, mfspay.ErrUnauthorized)
	assert.Equal(t, ledger.OutcomeNotCreated, e.entry("inv-1").Outcome)

	co, err := e.rec.CreatePayment(e.ctx, request("inv-1"))
	require.NoError(t, err)
	assert.Equal(t, co.PaymentID, e.entry("inv-1").PaymentID)
}

// After ErrOutcomeUnknown the next create for the invoice asks the
// provider first: a payment that exists is not made twice, and one that
// does not is created.
func TestRecordSettlesAnUnknownOutcomeBeforeCreatingAgain(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	unknown := &mfspay.Error{Kind: mfspay.ErrOutcomeUnknown, Message: "timed out"}
	// The create reaches WezoPay but its answer is lost.
	lossy := &fakeGateway{name: wezopay.ProviderName, caps: e.gw.Capabilities(), verify: func(ref mfspay.PaymentRef) (*mfspay.Payment, error) {
		return e.gw.VerifyPayment(e.ctx, ref)
	}, create: func(req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
		if _, err := e.gw.CreatePayment(e.ctx, req); err != nil {
			return nil, err
		}
		return nil, unknown
	}}
	rec := ledger.Record(lossy, e.store, ledger.WithClock(e.clock), ledger.WithSchedule(testSchedule))
	_, err := rec.CreatePayment(e.ctx, request("lost"))
	require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	assert.Equal(t, ledger.OutcomeUnknown, e.entry("lost").Outcome)
	_, err = rec.CreatePayment(e.ctx, request("lost"))
	assert.ErrorIs(t, err, mfspay.ErrDuplicate, "the lost create made the payment: no second one")
	n, err := e.sim.PaymentCount(e.ctx, "lost")
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	// The create never reaches WezoPay.
	lossy.create = func(mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) { return nil, unknown }
	_, err = rec.CreatePayment(e.ctx, request("unsent"))
	require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	co, err := e.rec.CreatePayment(e.ctx, request("unsent"))
	require.NoError(t, err, "the provider holds no payment: creating is safe")
	assert.Equal(t, co.PaymentID, e.entry("unsent").PaymentID)

	// A provider that cannot look up by invoice cannot settle it.
	blind := &fakeGateway{name: "blind", caps: mfspay.Capabilities{VerifyByPaymentID: true},
		create: func(mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) { return nil, unknown }}
	rb := ledger.Record(blind, e.store, ledger.WithClock(e.clock))
	_, err = rb.CreatePayment(e.ctx, request("b"))
	require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	_, err = rb.CreatePayment(e.ctx, request("b"))
	assert.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "cannot look payments up by invoice")
}

// A create cut short by its caller's context is still recorded.
func TestRecordKeepsTheAnswerWhenTheCallerLeaves(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	ctx, cancel := context.WithCancel(e.ctx)
	leaving := &fakeGateway{name: wezopay.ProviderName, caps: e.gw.Capabilities(),
		create: func(req mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
			co, err := e.gw.CreatePayment(e.ctx, req)
			cancel() // the customer closed the tab while the answer came back
			return co, err
		}}
	rec := ledger.Record(leaving, e.store, ledger.WithClock(e.clock))
	co, err := rec.CreatePayment(ctx, request("inv-1"))
	require.NoError(t, err)
	assert.Equal(t, co.PaymentID, e.entry("inv-1").PaymentID)
}

func TestRecordPassesTheRestThrough(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	assert.Equal(t, e.gw.Provider(), e.rec.Provider())
	assert.Equal(t, e.gw.Capabilities(), e.rec.Capabilities())
	co, err := e.rec.CreatePayment(e.ctx, request("inv-1"))
	require.NoError(t, err)
	p, err := e.rec.VerifyPayment(e.ctx, mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.NoError(t, err)
	assert.Equal(t, "inv-1", p.InvoiceID)
	page, err := e.rec.ListPayments(e.ctx, mfspay.ListQuery{})
	require.NoError(t, err)
	assert.Len(t, page.Payments, 1)
	_, err = e.rec.ParseWebhook(e.ctx, mfspay.WebhookRequest{Body: []byte(`{}`)})
	assert.ErrorIs(t, err, mfspay.ErrInvalidSignature)
	withBreaker, err := wezopay.FromSettings(e.settings().Values, mfspay.Resilience{})
	require.NoError(t, err)
	state, on := mfspay.BreakerStateOf(ledger.Record(withBreaker, e.store))
	assert.True(t, on, "the wrapped gateway's breaker shows through")
	assert.Equal(t, mfspay.BreakerClosed, state)
}

// failingStore is a ledger whose database is down.
type failingStore struct{ ledger.Store }

var errDown = errors.New("database is down")

func (failingStore) Begin(context.Context, ledger.Intent) (ledger.Entry, error) {
	return ledger.Entry{}, errDown
}

// dyingStore loses every answer, as a process that dies between sending
// a create and recording what it answered.
type dyingStore struct{ ledger.Store }

func (dyingStore) Answer(context.Context, string, string, ledger.Answer) (ledger.Entry, error) {
	return ledger.Entry{}, errDown
}

// A create answered with neither a checkout nor an error may or may not
// have made a payment: the caller gets ErrOutcomeUnknown and the entry is
// reconciled like any unknown outcome, never taken as created or as not
// created (which would let a second create through).
func TestRecordCreateAnsweredWithNothingIsUnknown(t *testing.T) {
	e := newEnv(t, ledger.NewMemoryStore())
	broken := &fakeGateway{name: wezopay.ProviderName, caps: e.gw.Capabilities(),
		create: func(mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) { return nil, nil }}
	rec := ledger.Record(broken, e.store, ledger.WithClock(e.clock), ledger.WithSchedule(testSchedule))
	co, err := rec.CreatePayment(e.ctx, request("inv-nil"))
	assert.Nil(t, co)
	require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)
	en := e.entry("inv-nil")
	assert.Equal(t, ledger.OutcomeUnknown, en.Outcome)
	assert.True(t, en.Open())
}
