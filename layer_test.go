package mfspay_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

// answerDriver answers whatever the test puts in it.
type answerDriver struct {
	caps     mfspay.Capabilities
	checkout *mfspay.Checkout
	payment  *mfspay.Payment
	page     *mfspay.PaymentPage
	event    *mfspay.Event
	err      error
}

func (d *answerDriver) Provider() string                  { return "fake" }
func (d *answerDriver) Capabilities() mfspay.Capabilities { return d.caps }
func (d *answerDriver) Create(context.Context, mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	return d.checkout, d.err
}
func (d *answerDriver) Verify(context.Context, mfspay.PaymentRef) (*mfspay.Payment, error) {
	return d.payment, d.err
}
func (d *answerDriver) List(context.Context, mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	return d.page, d.err
}
func (d *answerDriver) ParseNotification(context.Context, mfspay.WebhookRequest) (*mfspay.Event, error) {
	return d.event, d.err
}

var allCaps = mfspay.Capabilities{VerifyByInvoice: true, VerifyByPaymentID: true, List: true, ListByStatus: true,
	MaxPerPage: 10, EventTypes: []mfspay.EventType{mfspay.EventPaymentCompleted, mfspay.EventPaymentPending,
		mfspay.EventTransactionReceived}}

func goodCheckout() *mfspay.Checkout {
	return &mfspay.Checkout{PaymentID: "pay_1", RedirectURL: "https://p.example/pay_1", Status: mfspay.StatusPending}
}

func paid() *mfspay.Payment {
	return &mfspay.Payment{PaymentID: "pay_1", InvoiceID: "INV-1", Status: mfspay.StatusPaid, Amount: mfspay.Taka(250)}
}

func completed() *mfspay.Event {
	return &mfspay.Event{ID: "ev-1", Type: mfspay.EventPaymentCompleted, Payment: *paid()}
}

// TestLayerChecksEveryAnswer: the portable layer refuses every answer that
// contradicts its request or the vocabulary, with the kind that tells the
// caller what is safe (a create may have happened; a read can be tried
// again; a notification is malformed), names the rule, never the values,
// and logs it.
func TestLayerChecksEveryAnswer(t *testing.T) {
	with := func(f func(*answerDriver)) *answerDriver {
		d := &answerDriver{caps: allCaps, checkout: goodCheckout(), payment: paid(),
			page: &mfspay.PaymentPage{Payments: []mfspay.Payment{*paid()}}, event: completed()}
		f(d)
		return d
	}
	createCall := func(g mfspay.Gateway) error { _, err := g.CreatePayment(ctx, validCreate); return err }
	verifyCall := func(g mfspay.Gateway) error { _, err := g.VerifyPayment(ctx, ref); return err }
	verifyByID := func(g mfspay.Gateway) error { _, err := g.VerifyPayment(ctx, refPay); return err }
	listCall := func(g mfspay.Gateway) error { _, err := g.ListPayments(ctx, mfspay.ListQuery{}); return err }
	listPaid := func(g mfspay.Gateway) error {
		_, err := g.ListPayments(ctx, mfspay.ListQuery{Status: mfspay.StatusPaid})
		return err
	}
	parseCall := func(g mfspay.Gateway) error { _, err := g.ParseWebhook(ctx, mfspay.WebhookRequest{}); return err }

	cases := []struct {
		name string
		d    *answerDriver
		call func(mfspay.Gateway) error
		kind error
		rule string
	}{
		{"no checkout", with(func(d *answerDriver) { d.checkout = nil }), createCall, mfspay.ErrOutcomeUnknown, "no checkout"},
		{"checkout of another invoice", with(func(d *answerDriver) { d.checkout.InvoiceID = "INV-2" }), createCall, mfspay.ErrOutcomeUnknown, "another invoice"},
		{"checkout of another provider", with(func(d *answerDriver) { d.checkout.Provider = "other" }), createCall, mfspay.ErrOutcomeUnknown, "another provider"},
		{"checkout with a bad payment id", with(func(d *answerDriver) { d.checkout.PaymentID = "a/b" }), createCall, mfspay.ErrOutcomeUnknown, "payment id"},
		{"checkout naming no payment, undeclared", with(func(d *answerDriver) { d.checkout.PaymentID = "" }), createCall, mfspay.ErrOutcomeUnknown, "names no payment"},
		{"javascript redirect", with(func(d *answerDriver) { d.checkout.RedirectURL = "javascript:alert(1)" }), createCall, mfspay.ErrOutcomeUnknown, "redirect URL"},
		{"relative redirect", with(func(d *answerDriver) { d.checkout.RedirectURL = "/pay" }), createCall, mfspay.ErrOutcomeUnknown, "redirect URL"},
		{"unknown checkout status", with(func(d *answerDriver) { d.checkout.Status = mfspay.StatusUnknown }), createCall, mfspay.ErrOutcomeUnknown, "status"},
		{"no payment", with(func(d *answerDriver) { d.payment = nil }), verifyCall, mfspay.ErrUnavailable, "no payment"},
		{"another invoice", with(func(d *answerDriver) { d.payment.InvoiceID = "INV-OTHER" }), verifyCall, mfspay.ErrUnavailable, "another invoice"},
		{"another payment id", with(func(d *answerDriver) { d.payment.PaymentID = "pay_2" }), verifyByID, mfspay.ErrUnavailable, "another payment id"},
		{"another provider", with(func(d *answerDriver) { d.payment.Provider = "other" }), verifyCall, mfspay.ErrUnavailable, "another provider"},
		{"status outside the vocabulary", with(func(d *answerDriver) { d.payment.Status = "settled" }), verifyCall, mfspay.ErrUnavailable, "status"},
		{"paid zero", with(func(d *answerDriver) { d.payment.Amount = 0 }), verifyCall, mfspay.ErrUnavailable, "no amount"},
		{"negative amount", with(func(d *answerDriver) { d.payment.Status, d.payment.Amount = mfspay.StatusPending, -1 }), verifyCall, mfspay.ErrUnavailable, "negative"},
		{"NUL in invoice id", with(func(d *answerDriver) { d.payment.InvoiceID = "INV\x00" }), verifyByID, mfspay.ErrUnavailable, "invoice id"},
		{"control character in trx id", with(func(d *answerDriver) { d.payment.TrxID = "T\n1" }), verifyCall, mfspay.ErrUnavailable, "transaction id"},
		{"no page", with(func(d *answerDriver) { d.page = nil }), listCall, mfspay.ErrUnavailable, "no page"},
		{"another page", with(func(d *answerDriver) { d.page.Page = 3 }), listCall, mfspay.ErrUnavailable, "another page"},
		{"negative total", with(func(d *answerDriver) { d.page.Total = -1 }), listCall, mfspay.ErrUnavailable, "negative"},
		{"too many payments", with(func(d *answerDriver) { d.page.Payments = make([]mfspay.Payment, 21) }), listCall, mfspay.ErrUnavailable, "more payments"},
		{"a paid payment of zero in a page", with(func(d *answerDriver) { d.page.Payments[0].Amount = 0 }), listCall, mfspay.ErrUnavailable, "no amount"},
		{"a payment of another status", with(func(d *answerDriver) { d.page.Payments[0].Status = mfspay.StatusPending }), listPaid, mfspay.ErrUnavailable, "another status"},
		{"no event", with(func(d *answerDriver) { d.event = nil }), parseCall, mfspay.ErrInvalidRequest, "no event"},
		{"no event id", with(func(d *answerDriver) { d.event.ID = "" }), parseCall, mfspay.ErrInvalidRequest, "event id"},
		{"event of another provider", with(func(d *answerDriver) { d.event.Provider = "other" }), parseCall, mfspay.ErrInvalidRequest, "another provider"},
		{"unknown event type", with(func(d *answerDriver) { d.event.Type = "payment.settled" }), parseCall, mfspay.ErrInvalidRequest, "not a known event type"},
		{"undeclared event type", with(func(d *answerDriver) {
			d.event.Type, d.event.Payment.Status = mfspay.EventPaymentExpired, mfspay.StatusExpired
		}), parseCall, mfspay.ErrInvalidRequest, "declares"},
		{"completed but pending", with(func(d *answerDriver) { d.event.Payment.Status = mfspay.StatusPending }), parseCall, mfspay.ErrInvalidRequest, "does not agree"},
		{"completed with zero", with(func(d *answerDriver) { d.event.Payment.Amount = 0 }), parseCall, mfspay.ErrInvalidRequest, "positive amount"},
		{"payment event naming no payment", with(func(d *answerDriver) { d.event.Payment.PaymentID, d.event.Payment.InvoiceID = "", "" }), parseCall, mfspay.ErrInvalidRequest, "names no payment"},
		{"event with a NUL invoice id", with(func(d *answerDriver) { d.event.Payment.InvoiceID = "INV\x00" }), parseCall, mfspay.ErrInvalidRequest, "invoice id"},
		{"event with a control character in its reference", with(func(d *answerDriver) { d.event.Reference = "a\x01" }), parseCall, mfspay.ErrInvalidRequest, "reference"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			g := mfspay.NewGateway(tc.d, mfspay.Resilience{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			err := tc.call(g)
			require.Error(t, err)
			assert.Equal(t, tc.kind, mfspay.KindOf(err), "%v", err)
			assert.Contains(t, err.Error(), "breaks the contract")
			assert.Contains(t, err.Error(), tc.rule)
			assert.Contains(t, logs.String(), "breaks the contract")
			assert.Contains(t, logs.String(), "provider=fake")
		})
	}
}

// TestLayerFillsWhatDriversMayLeaveOut: the provider, and an id the request
// already named, are filled in; nothing else is invented.
func TestLayerFillsWhatDriversMayLeaveOut(t *testing.T) {
	d := &answerDriver{caps: allCaps, checkout: goodCheckout(),
		payment: &mfspay.Payment{Status: mfspay.StatusPending},
		page:    &mfspay.PaymentPage{Payments: []mfspay.Payment{{Status: mfspay.StatusFailed}}},
		event: &mfspay.Event{ID: "e", Type: mfspay.EventTransactionReceived,
			Payment: mfspay.Payment{Status: mfspay.StatusPaid, Amount: 1}}}
	g := mfspay.NewGateway(d, mfspay.Resilience{})

	co, err := g.CreatePayment(ctx, validCreate)
	require.NoError(t, err)
	assert.Equal(t, "fake", co.Provider)
	assert.Equal(t, validCreate.InvoiceID, co.InvoiceID)

	d.caps.PaymentIDLater = true
	d.checkout.PaymentID = ""
	co, err = g.CreatePayment(ctx, validCreate)
	require.NoError(t, err, "a gateway that declares it names the payment later")
	assert.Empty(t, co.PaymentID)

	p, err := g.VerifyPayment(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, mfspay.Payment{Provider: "fake", InvoiceID: ref.InvoiceID, Status: mfspay.StatusPending}, *p)

	page, err := g.ListPayments(ctx, mfspay.ListQuery{})
	require.NoError(t, err)
	assert.Equal(t, 1, page.Page)
	assert.Equal(t, 10, page.PerPage, "the default page size, within MaxPerPage")
	assert.Equal(t, "fake", page.Payments[0].Provider)

	ev, err := g.ParseWebhook(ctx, mfspay.WebhookRequest{})
	require.NoError(t, err)
	assert.Equal(t, "fake", ev.Provider)
	assert.Equal(t, "fake", ev.Payment.Provider)
}

// TestLayerStampsDriverErrors: every error reaching a caller is an *Error
// with the provider and operation; a driver error of no known kind is
// ErrUnavailable, or ErrOutcomeUnknown for a create, which may have
// happened.
func TestLayerStampsDriverErrors(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name    string
		err     error
		create  error
		verify  error
		message string
	}{
		{"plain error", boom, mfspay.ErrOutcomeUnknown, mfspay.ErrUnavailable, "the driver failed"},
		{"caller's context", context.Canceled, mfspay.ErrOutcomeUnknown, mfspay.ErrUnavailable, "caller's context"},
		{"an *Error without kind", &mfspay.Error{Message: "odd"}, mfspay.ErrOutcomeUnknown, mfspay.ErrUnavailable, "odd"},
		{"an *Error of a foreign kind", &mfspay.Error{Kind: boom}, mfspay.ErrOutcomeUnknown, mfspay.ErrUnavailable, ""},
		{"a kind", &mfspay.Error{Kind: mfspay.ErrNotFound}, mfspay.ErrNotFound, mfspay.ErrNotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := mfspay.NewGateway(&answerDriver{caps: allCaps, err: tc.err}, mfspay.Resilience{Breaker: mfspay.BreakerSettings{Disabled: true}})
			for op, want := range map[string]error{mfspay.OpCreate: tc.create, mfspay.OpVerify: tc.verify} {
				var err error
				if op == mfspay.OpCreate {
					_, err = g.CreatePayment(ctx, validCreate)
				} else {
					_, err = g.VerifyPayment(ctx, ref)
				}
				var e *mfspay.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, want, e.Kind)
				assert.Equal(t, "fake", e.Provider)
				assert.Equal(t, op, e.Op)
				assert.Contains(t, e.Message, tc.message)
				if tc.err == boom || tc.err == context.Canceled {
					assert.ErrorIs(t, err, tc.err, "the cause stays reachable")
				}
			}
		})
	}
	t.Run("a complete error is returned as is", func(t *testing.T) {
		full := &mfspay.Error{Kind: mfspay.ErrNotFound, Provider: "fake", Op: mfspay.OpVerify}
		g := mfspay.NewGateway(&answerDriver{caps: allCaps, err: full}, mfspay.Resilience{})
		_, err := g.VerifyPayment(ctx, ref)
		assert.Same(t, full, err)
	})
}

// returnDriver is an answerDriver whose provider sends customers back with
// something to act on.
type returnDriver struct{ *answerDriver }

func (d returnDriver) CompleteReturn(context.Context, mfspay.ReturnRequest) (*mfspay.Event, error) {
	return d.event, d.err
}

// TestLayerCustomerReturn: the customer's return is gated on the declared
// return action, its event is held to the notification rules, and a
// provider that completes payments only on the return gets a return URL.
func TestLayerCustomerReturn(t *testing.T) {
	caps := allCaps
	caps.Return = mfspay.ReturnExecute
	ret := mfspay.ReturnRequest{Method: "GET"}

	t.Run("unsupported without a declared return", func(t *testing.T) {
		g := mfspay.NewGateway(returnDriver{&answerDriver{caps: allCaps, event: completed()}}, mfspay.Resilience{})
		_, err := g.CompleteReturn(ctx, ret)
		assert.ErrorIs(t, err, mfspay.ErrUnsupported)
		noDriver := mfspay.NewGateway(&answerDriver{caps: caps, event: completed()}, mfspay.Resilience{})
		_, err = noDriver.CompleteReturn(ctx, ret)
		assert.ErrorIs(t, err, mfspay.ErrUnsupported, "declared, but the driver cannot")
	})
	t.Run("the event is checked", func(t *testing.T) {
		d := &answerDriver{caps: caps, event: completed()}
		g := mfspay.NewGateway(returnDriver{d}, mfspay.Resilience{})
		ev, err := g.CompleteReturn(ctx, ret)
		require.NoError(t, err)
		assert.Equal(t, "fake", ev.Provider)
		d.event.Payment.Amount = 0
		_, err = g.CompleteReturn(ctx, ret)
		assert.ErrorIs(t, err, mfspay.ErrUnavailable)
		assert.ErrorContains(t, err, "breaks the contract")
	})
	t.Run("execute needs a return URL", func(t *testing.T) {
		g := mfspay.NewGateway(returnDriver{&answerDriver{caps: caps, checkout: goodCheckout()}}, mfspay.Resilience{})
		_, err := g.CreatePayment(ctx, validCreate)
		requireInvalid(t, err, "return_url")
		withReturn := validCreate
		withReturn.ReturnURL = "https://shop.example/return/fake"
		_, err = g.CreatePayment(ctx, withReturn)
		require.NoError(t, err)
		withReturn.ReturnURL = "ftp://shop.example/r"
		_, err = g.CreatePayment(ctx, withReturn)
		requireInvalid(t, err, "return_url")
	})
	t.Run("statuses outside the declaration are refused", func(t *testing.T) {
		c := caps
		c.Statuses = []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid}
		d := &answerDriver{caps: c, event: completed(), payment: paid()}
		g := mfspay.NewGateway(returnDriver{d}, mfspay.Resilience{})
		_, err := g.VerifyPayment(ctx, ref)
		require.NoError(t, err)
		d.payment.Status = mfspay.StatusUnknown
		_, err = g.VerifyPayment(ctx, ref)
		require.NoError(t, err, "an unknown status needs no declaring")
		d.payment.Status = mfspay.StatusExpired
		_, err = g.VerifyPayment(ctx, ref)
		assert.ErrorContains(t, err, "does not declare")
	})
}

// panicDriver panics in every operation with a value holding request
// data, as a driver's bug may.
type panicDriver struct{}

const panicValue = "customer 01712345678 card 4111111111111111"

func (panicDriver) Provider() string { return "fake" }
func (panicDriver) Capabilities() mfspay.Capabilities {
	c := allCaps
	c.Return = mfspay.ReturnVerify
	return c
}
func (panicDriver) Create(context.Context, mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	panic(panicValue)
}
func (panicDriver) Verify(context.Context, mfspay.PaymentRef) (*mfspay.Payment, error) {
	panic(errors.New(panicValue))
}
func (panicDriver) List(context.Context, mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	var pages []*mfspay.PaymentPage
	return pages[len(panicValue)], nil // a runtime error, the commonest panic
}
func (panicDriver) ParseNotification(context.Context, mfspay.WebhookRequest) (*mfspay.Event, error) {
	panic(panicValue)
}
func (panicDriver) CompleteReturn(context.Context, mfspay.ReturnRequest) (*mfspay.Event, error) {
	panic(panicValue)
}

// TestLayerRecoversDriverPanics: a driver's panic never reaches the
// caller. It is ErrOutcomeUnknown for a create, which may have been sent,
// and ErrUnavailable otherwise, as a plugin's server answers it; it counts
// as a failure of the provider; and the log says where, never the panic's
// value, which may hold request data.
func TestLayerRecoversDriverPanics(t *testing.T) {
	calls := map[string]struct {
		call    func(mfspay.Gateway) error
		want    error
		guarded bool
	}{
		mfspay.OpCreate: {func(g mfspay.Gateway) error { _, err := g.CreatePayment(ctx, validCreate); return err }, mfspay.ErrOutcomeUnknown, true},
		mfspay.OpVerify: {func(g mfspay.Gateway) error { _, err := g.VerifyPayment(ctx, ref); return err }, mfspay.ErrUnavailable, true},
		mfspay.OpList:   {func(g mfspay.Gateway) error { _, err := g.ListPayments(ctx, mfspay.ListQuery{}); return err }, mfspay.ErrUnavailable, true},
		mfspay.OpReturn: {func(g mfspay.Gateway) error { _, err := g.CompleteReturn(ctx, mfspay.ReturnRequest{}); return err }, mfspay.ErrUnavailable, true},
		"webhook":       {func(g mfspay.Gateway) error { _, err := g.ParseWebhook(ctx, mfspay.WebhookRequest{}); return err }, mfspay.ErrUnavailable, false},
	}
	for op, c := range calls {
		t.Run(op, func(t *testing.T) {
			var logs bytes.Buffer
			g := mfspay.NewGateway(panicDriver{}, mfspay.Resilience{
				Breaker: mfspay.BreakerSettings{FailureThreshold: 1},
				Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
			})
			var err error
			require.NotPanics(t, func() { err = c.call(g) })
			var e *mfspay.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, c.want, e.Kind)
			assert.Equal(t, "fake", e.Provider)
			assert.Equal(t, op, e.Op)
			for _, format := range []string{"%v", "%+v", "%#v"} {
				assert.NotContains(t, fmt.Sprintf(format, err), "01712345678", format)
			}
			assert.Contains(t, logs.String(), "panicked")
			assert.Contains(t, logs.String(), "provider=fake")
			assert.Contains(t, logs.String(), "op="+op)
			assert.NotContains(t, logs.String(), "01712345678")
			state, _ := mfspay.BreakerStateOf(g)
			if c.guarded {
				assert.Equal(t, mfspay.BreakerOpen, state, "a panic is a failure of the provider")
			} else {
				assert.Equal(t, mfspay.BreakerClosed, state, "notification parsing is not guarded")
			}
		})
	}
}
