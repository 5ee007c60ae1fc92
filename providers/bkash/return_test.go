package bkash_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/bkash"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
)

func TestReturnSuccessExecutesOnceUnderFiveConcurrentHits(t *testing.T) {
	e := newEnv(t)
	req, co := e.create(t)
	require.NoError(t, e.sim.Approve(co.PaymentID, "01770618575"))
	ret := e.lastReturn(t, co.PaymentID)
	assert.Equal(t, "success", ret.Query.Get("status"))
	assert.Equal(t, req.InvoiceID, ret.Query.Get(bkash.ReturnInvoiceParam))
	assert.Equal(t, "7", ret.Query.Get("shop"), "the merchant's own parameter survives")

	events := make([]*mfspay.Event, 5)
	errs := make([]error, 5)
	var wg sync.WaitGroup
	for i := range events {
		wg.Add(1)
		go func() {
			defer wg.Done()
			events[i], errs[i] = e.gw.CompleteReturn(context.Background(), ret)
		}()
	}
	wg.Wait()
	for i := range events {
		require.NoError(t, errs[i])
		assert.Equal(t, events[0], events[i], "every hit reports the same outcome")
	}
	ev := events[0]
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
	assert.Equal(t, "bkash:"+co.PaymentID+":paid", ev.ID)
	assert.Equal(t, mfspay.StatusPaid, ev.Payment.Status)
	assert.Equal(t, req.Amount, ev.Payment.Amount)
	assert.Equal(t, req.InvoiceID, ev.Payment.InvoiceID)
	assert.Equal(t, "01770618575", ev.Payment.Sender)
	assert.Len(t, ev.Payment.TrxID, 10)
	assert.Equal(t, 1, e.requestsTo("/execute"), "executes sent")

	// A reload later is answered from the memo: no traffic at all.
	before := len(e.sim.Requests())
	again, err := e.gw.CompleteReturn(context.Background(), ret)
	require.NoError(t, err)
	assert.Equal(t, ev, again)
	assert.Equal(t, before, len(e.sim.Requests()))

	// After the memo lapses, the query answers: still no second execute.
	e.clock.Advance(11 * time.Minute)
	again, err = e.gw.CompleteReturn(context.Background(), ret)
	require.NoError(t, err)
	assert.Equal(t, ev.ID, again.ID)
	assert.Equal(t, 1, e.requestsTo("/execute"), "executes sent")

	p, err := e.gw.VerifyPayment(context.Background(), mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPaid, p.Status)
	assert.Equal(t, ev.Payment.TrxID, p.TrxID)
}

func TestExecuteThatTimesOutButCompletesIsPaidAfterAQuery(t *testing.T) {
	e := newEnv(t)
	gw := e.gateway(t, time.Second) // well under the held answer
	_, co := e.create(t)
	require.NoError(t, e.sim.Approve(co.PaymentID, "01929918378"))
	e.sim.HangNextExecute(5 * time.Second)
	ev, err := gw.CompleteReturn(context.Background(), e.lastReturn(t, co.PaymentID))
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
	assert.Equal(t, mfspay.StatusPaid, ev.Payment.Status)
	assert.Equal(t, 1, e.requestsTo("/execute"), "execute is never sent blindly twice")
	assert.Equal(t, 2, e.requestsTo("/payment/status"), "the query before, and the query bKash's rule asks for after")
	notes, err := e.sim.Notifications(context.Background(), co.PaymentID)
	require.NoError(t, err)
	assert.Len(t, notes, 1, "one debit, one notification")
}

func TestForgedReturnForAnotherInvoicesPaymentChangesNothing(t *testing.T) {
	e := newEnv(t)
	_, victim := e.create(t)
	attacker, _ := e.create(t)
	require.NoError(t, e.sim.Approve(victim.PaymentID, "01770618575"))
	forged := withQuery(e.lastReturn(t, victim.PaymentID), bkash.ReturnInvoiceParam, attacker.InvoiceID)
	ev, err := e.gw.CompleteReturn(context.Background(), forged)
	require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
	assert.Nil(t, ev)
	assert.Zero(t, e.requestsTo("/execute"), "nothing executed")
	p, err := e.gw.VerifyPayment(context.Background(), mfspay.PaymentRef{PaymentID: victim.PaymentID})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPending, p.Status)
}

func TestReturnOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		act    func(e *env, id string) error
		status mfspay.Status
		typ    mfspay.EventType
	}{
		{"cancelled on the page", func(e *env, id string) error { return e.sim.Cancel(context.Background(), id) },
			mfspay.StatusCancelled, mfspay.EventPaymentCancelled},
		{"failed PIN", func(e *env, id string) error { return e.sim.Decline(context.Background(), id) },
			mfspay.StatusFailed, mfspay.EventPaymentFailed},
		{"insufficient balance at execute", func(e *env, id string) error { return e.sim.Approve(id, bkashtest.InsufficientBalance) },
			mfspay.StatusFailed, mfspay.EventPaymentFailed},
		{"debit blocked at execute", func(e *env, id string) error { return e.sim.Approve(id, bkashtest.DebitBlocked) },
			mfspay.StatusFailed, mfspay.EventPaymentFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			req, co := e.create(t)
			require.NoError(t, tc.act(e, co.PaymentID))
			ev, err := e.gw.CompleteReturn(context.Background(), e.lastReturn(t, co.PaymentID))
			require.NoError(t, err)
			assert.Equal(t, tc.typ, ev.Type)
			assert.Equal(t, tc.status, ev.Payment.Status)
			assert.Equal(t, req.Amount, ev.Payment.Amount)
			assert.Equal(t, req.InvoiceID, ev.Payment.InvoiceID)
			assert.Empty(t, ev.Payment.TrxID)
			assert.Equal(t, "bkash:"+co.PaymentID+":"+string(tc.status), ev.ID)
		})
	}
}

func TestCancelReturnOfAnApprovedPaymentIsPending(t *testing.T) {
	e := newEnv(t)
	_, co := e.create(t)
	require.NoError(t, e.sim.Approve(co.PaymentID, "01770618575"))
	forged := withQuery(e.lastReturn(t, co.PaymentID), "status", "cancel")
	ev, err := e.gw.CompleteReturn(context.Background(), forged)
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentPending, ev.Type, "the customer approved: a cancel return cannot be true")
	ev, err = e.gw.CompleteReturn(context.Background(), e.lastReturn(t, co.PaymentID))
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type, "the pending outcome is not remembered against the success return")
}

func TestSuccessReturnBeforeApprovalIsPendingAndExecutesNothingTwice(t *testing.T) {
	e := newEnv(t)
	_, co := e.create(t)
	forged := mfspay.ReturnRequest{Method: "GET", Query: map[string][]string{
		"paymentID": {co.PaymentID}, "status": {"success"}, bkash.ReturnInvoiceParam: {co.InvoiceID}}}
	ev, err := e.gw.CompleteReturn(context.Background(), forged)
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentPending, ev.Type, "bKash answers 2056: not approved")
	assert.Equal(t, mfspay.StatusPending, ev.Payment.Status)
}

func TestMalformedReturnsAreInvalid(t *testing.T) {
	e := newEnv(t)
	_, co := e.create(t)
	ok := mfspay.ReturnRequest{Method: "GET", Query: map[string][]string{
		"paymentID": {co.PaymentID}, "status": {"success"}, bkash.ReturnInvoiceParam: {co.InvoiceID}}}
	for name, r := range map[string]mfspay.ReturnRequest{
		"unknown status":  withQuery(ok, "status", "paid"),
		"no invoice":      withQuery(ok, bkash.ReturnInvoiceParam, ""),
		"bad payment id":  withQuery(ok, "paymentID", "TR 0011/../x"),
		"unknown payment": withQuery(ok, "paymentID", "TR0011AAAAAAA1762072142166"),
	} {
		ev, err := e.gw.CompleteReturn(context.Background(), r)
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, name)
		assert.Nil(t, ev, name)
	}
	assert.Zero(t, e.requestsTo("/execute"))
}

// executeAnswer is a transport that lets an execute reach bKash and then
// hands the adapter another answer: what a gateway timeout, an API
// gateway's message, or a replica that executed first looks like.
type executeAnswer struct {
	status int
	body   string
}

func (x executeAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/execute") {
		return resp, err
	}
	resp.Body.Close()
	return &http.Response{StatusCode: x.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(x.body)), Request: r}, nil
}

func TestExecuteWhoseAnswerSaysNothingIsSettledByAQuery(t *testing.T) {
	for name, answer := range map[string]executeAnswer{
		"2117 already executed":    {200, `{"statusCode":"2117","statusMessage":"Payment execution already been called before"}`},
		"2062 already completed":   {200, `{"statusCode":"2062","statusMessage":"The payment has already been completed"}`},
		"API gateway message":      {200, `{"message":"Endpoint request timed out"}`},
		"gateway timeout":          {504, `{"message":"Endpoint request timed out"}`},
		"HTML page":                {502, `<html><body>Bad Gateway</body></html>`},
		"2003 process failed":      {200, `{"statusCode":"2003","statusMessage":"Process failed"}`},
		"an answer cut short":      {200, `{"statusCode":"0000","paymentID":"TR`},
		"0000 but not Completed":   {200, `{"statusCode":"0000","transactionStatus":"Initiated"}`},
		"a 401 after it was taken": {401, `{"message":"The incoming token has expired"}`},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			r := testResilience(e.logs, 2*time.Second)
			r.Transport = answer
			d, err := bkash.DriverFromSettings(e.settings, r)
			require.NoError(t, err)
			bkash.SetClock(d, e.clock.Now)
			gw := mfspay.NewGateway(d, r)
			req, co := e.create(t)
			require.NoError(t, e.sim.Approve(co.PaymentID, "01770618575"))
			ev, err := gw.CompleteReturn(context.Background(), e.lastReturn(t, co.PaymentID))
			require.NoError(t, err)
			assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
			assert.Equal(t, req.Amount, ev.Payment.Amount)
			assert.Equal(t, 1, e.requestsTo("/execute"), "executes sent")
			assert.Equal(t, 2, e.requestsTo("/payment/status"), "the query before, and the one that settles it")
		})
	}
}

// TestNamedCompletionExecutesOnlyWhatTheCustomerApproved: a reconciler
// names a payment whose customer never came back; bKash executes it only
// if the customer approved it, once however often it is asked.
func TestNamedCompletionExecutesOnlyWhatTheCustomerApproved(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, unapproved := e.create(t)
	req, approved := e.create(t)
	require.NoError(t, e.sim.Approve(approved.PaymentID, "01770618575"))

	ev, err := e.gw.CompleteReturn(ctx, mfspay.ReturnRequest{PaymentID: unapproved.PaymentID})
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentPending, ev.Type, "not approved: nothing to capture")
	assert.Zero(t, e.requestsTo("/execute"))

	for range 3 {
		ev, err = e.gw.CompleteReturn(ctx, mfspay.ReturnRequest{PaymentID: approved.PaymentID})
		require.NoError(t, err)
		assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
		assert.Equal(t, req.Amount, ev.Payment.Amount)
		assert.Equal(t, "bkash:"+approved.PaymentID+":paid", ev.ID, "the same event as the customer's own return")
	}
	assert.Equal(t, 1, e.requestsTo("/execute"), "executed once")

	_, err = e.gw.CompleteReturn(ctx, mfspay.ReturnRequest{PaymentID: "TR0011NOBODY"})
	assert.Error(t, err)
}

// A customer's return and a reconciler's completion of the same payment
// run in flights of their own, and with latency both would find it
// approved and execute it: execute runs in one flight per payment, so one
// process sends one execute per payment at a time.
func TestReturnAndReconcilerExecuteOnce(t *testing.T) {
	e := newEnv(t)
	gw := e.gatewayWith(t, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/execute") {
			time.Sleep(200 * time.Millisecond) // network latency before bKash sees it
		}
		return http.DefaultTransport.RoundTrip(r)
	}))
	_, co := e.create(t)
	require.NoError(t, e.sim.Approve(co.PaymentID, "01770618575"))
	ret := e.lastReturn(t, co.PaymentID)
	var wg sync.WaitGroup
	evs := make([]*mfspay.Event, 2)
	errs := make([]error, 2)
	for i, r := range []mfspay.ReturnRequest{ret, {PaymentID: co.PaymentID}} {
		wg.Go(func() { evs[i], errs[i] = gw.CompleteReturn(context.Background(), r) })
	}
	wg.Wait()
	for i := range evs {
		require.NoError(t, errs[i])
		assert.Equal(t, mfspay.EventPaymentCompleted, evs[i].Type)
		assert.Equal(t, co.InvoiceID, evs[i].Payment.InvoiceID)
	}
	assert.Equal(t, 1, e.requestsTo("/execute"))
}

// A merchant's ReturnURL may carry parameters of its own, signed and in
// an order that matters, some named as bKash's: the invoice parameter is
// appended without touching them, and the return reads bKash's values,
// which bKash appends last.
func TestMerchantReturnParametersAreKeptAndBKashsWin(t *testing.T) {
	e := newEnv(t)
	req := e.request()
	req.ReturnURL = "https://shop.example/pay/bkash/return?z=1&status=open&paymentID=mine&a=x%2Cy&sig=Ab%3D%3D"
	co, err := e.gw.CreatePayment(context.Background(), req)
	require.NoError(t, err)
	var create struct{ CallbackURL string }
	for _, r := range e.sim.Requests() {
		if strings.HasSuffix(r.Path, "/create") {
			require.NoError(t, json.Unmarshal(r.Body, &create))
		}
	}
	assert.Equal(t, req.ReturnURL+"&"+bkash.ReturnInvoiceParam+"="+req.InvoiceID, create.CallbackURL)

	require.NoError(t, e.sim.Approve(co.PaymentID, "01770618575"))
	ret := e.lastReturn(t, co.PaymentID)
	require.Equal(t, []string{"open", "success"}, ret.Query["status"])
	ev, err := e.gw.CompleteReturn(context.Background(), ret)
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
	assert.Equal(t, co.PaymentID, ev.Payment.PaymentID)
}

// swapCurrency passes requests to bKash and rewrites the currency of the
// answers to paths ending in suffix.
func swapCurrency(suffix, currency string) roundTripFunc {
	return func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil || !strings.HasSuffix(r.URL.Path, suffix) {
			return resp, err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		b = bytes.ReplaceAll(b, []byte(`"currency":"BDT"`), []byte(`"currency":"`+currency+`"`))
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		return resp, nil
	}
}

// bKash is BDT only: an answer in another currency (or none we can read)
// says nothing about this merchant's taka, whatever its amount.
func TestAnswersInAnotherCurrencyAreUnusable(t *testing.T) {
	e := newEnv(t)
	_, co := e.create(t)
	ref := mfspay.PaymentRef{PaymentID: co.PaymentID}
	_, err := e.gatewayWith(t, swapCurrency("/payment/status", "USD")).VerifyPayment(context.Background(), ref)
	require.ErrorIs(t, err, mfspay.ErrUnavailable, "query")

	_, err = e.gatewayWith(t, swapCurrency("/create", "USD")).CreatePayment(context.Background(), e.request())
	require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown, "create")

	// An execute answered in USD is settled by the query, in BDT.
	require.NoError(t, e.sim.Approve(co.PaymentID, "01770618575"))
	before := e.requestsTo("/payment/status")
	ev, err := e.gatewayWith(t, swapCurrency("/execute", "USD")).CompleteReturn(context.Background(), e.lastReturn(t, co.PaymentID))
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
	assert.Equal(t, before+2, e.requestsTo("/payment/status"), "the query before execute and the one settling it")

	_, err = e.gatewayWith(t, swapCurrency("/payment/status", "usd")).VerifyPayment(context.Background(), ref)
	require.ErrorIs(t, err, mfspay.ErrUnavailable, "a paid payment in another currency is not paid")
}

// A cancel return needs no secret (paymentID and invoice are in the
// customer's own URL), so one can be forged; for a payment still
// Initiated it is reported cancelled all the same (bKash has no cancelled
// state to ask for), and if the customer then pays, the completion follows
// the cancellation: the package doc says so.
func TestCompletedCanFollowAForgedCancel(t *testing.T) {
	e := newEnv(t)
	_, co := e.create(t)
	forged := mfspay.ReturnRequest{Method: http.MethodGet, Query: url.Values{
		"paymentID": {co.PaymentID}, "status": {"cancel"}, bkash.ReturnInvoiceParam: {co.InvoiceID}}}
	ev, err := e.gw.CompleteReturn(context.Background(), forged)
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentCancelled, ev.Type)
	require.NoError(t, e.sim.Approve(co.PaymentID, "01770618575"))
	ev, err = e.gw.CompleteReturn(context.Background(), e.lastReturn(t, co.PaymentID))
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
	assert.Equal(t, 1, e.requestsTo("/execute"))
}
