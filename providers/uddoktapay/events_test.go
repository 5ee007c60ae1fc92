package uddoktapay_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/uddoktapay"
)

func TestIPNWithoutTheKeyIsRefusedBeforeAnything(t *testing.T) {
	s := newStack(t)
	_, co := s.create(t)
	id := s.pay(t, co, false)
	body := answer(id, "COMPLETED", `"250.50"`)
	twice := ipn(s.key, body)
	twice.Header.Add(uddoktapay.KeyHeader, s.key)
	for name, req := range map[string]mfspay.WebhookRequest{
		"missing":           ipn("", body),
		"wrong":             ipn(strings.ToUpper(s.key), body),
		"another panel's":   ipn("982d381360a69d419689740d9f2e26ce36fb7a50", body),
		"the key as prefix": ipn(s.key+"x", body),
		"empty":             {Header: http.Header{http.CanonicalHeaderKey(uddoktapay.KeyHeader): {""}}, Body: []byte(body)},
		"repeated":          twice,
		"in the query":      {Query: url.Values{"key": {s.key}}, Body: []byte(body)},
	} {
		before := s.requests(t)
		ev, err := s.gw.ParseWebhook(bg, req)
		require.ErrorIs(t, err, mfspay.ErrInvalidSignature, name)
		assert.Nil(t, ev)
		assert.Equal(t, before, s.requests(t), "%s: no verify for an unauthenticated IPN", name)
		assert.NotContains(t, err.Error(), s.key)
	}
}

func TestIPNKeyRotationAndHeaderSpelling(t *testing.T) {
	s := newStack(t)
	settings, err := s.sim.Settings(bg)
	require.NoError(t, err)
	const oldKey = "0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0ld0"
	gw, err := uddoktapay.New(uddoktapay.Config{BaseURL: settings.Values["base_url"], APIKey: s.key,
		AcceptedKeys: []string{oldKey}, Resilience: fastResilience()})
	require.NoError(t, err)
	_, co := s.create(t)
	id := s.pay(t, co, false)
	body := answer(id, "COMPLETED", `"250.50"`)
	for _, req := range []mfspay.WebhookRequest{
		ipn(oldKey, body),
		{Header: http.Header{"rt-uddoktapay-api-key": {s.key}}, Body: []byte(body)},
	} {
		ev, err := gw.ParseWebhook(bg, req)
		require.NoError(t, err)
		assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
	}
}

func TestGenuineIPNBecomesTheVerifiedEvent(t *testing.T) {
	s := newStack(t)
	req, co := s.create(t)
	id := s.pay(t, co, false)
	notes, err := s.sim.Notifications(bg, co.RedirectURL)
	require.NoError(t, err)
	require.Len(t, notes, 1, "one IPN after the move to COMPLETED")
	assert.Equal(t, s.key, notes[0].Header.Get(uddoktapay.KeyHeader))

	ev, err := s.gw.ParseWebhook(bg, notes[0])
	require.NoError(t, err)
	assert.Equal(t, id+":paid", ev.ID)
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
	assert.Equal(t, uddoktapay.ProviderName, ev.Provider)
	assert.Equal(t, mfspay.Payment{Provider: "uddoktapay", PaymentID: id, InvoiceID: req.InvoiceID, Status: mfspay.StatusPaid,
		Amount: req.Amount, TrxID: ev.Payment.TrxID, Method: mfspay.MethodNagad, Sender: "01811111111", PaidAt: ev.Payment.PaidAt}, ev.Payment)
	assert.NotEmpty(t, ev.Payment.TrxID)
}

func TestIPNClaimingCompletedForAPendingPaymentIsPending(t *testing.T) {
	s := newStack(t)
	req, co := s.create(t)
	id := s.pay(t, co, true)
	forged := ipn(s.key, answer(id, "COMPLETED", `"250.50"`))

	ev, err := s.gw.ParseWebhook(bg, forged)
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentPending, ev.Type)
	assert.Equal(t, mfspay.StatusPending, ev.Payment.Status)
	assert.Equal(t, id+":pending", ev.ID)
	assert.Empty(t, ev.Payment.TrxID, "a submitted transaction the panel has not matched is not a payment")
	assert.Equal(t, req.Amount, ev.Payment.Amount)

	require.NoError(t, s.sim.Approve(bg, id))
	ev, err = s.gw.ParseWebhook(bg, forged)
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type, "once the admin approves, the same IPN is paid")
	assert.Equal(t, id+":paid", ev.ID, "a new state, a new event")
}

func TestIPNShapesAndFailures(t *testing.T) {
	s := newStack(t)
	_, co := s.create(t)
	id := s.pay(t, co, true)
	require.NoError(t, s.sim.Reject(bg, id))

	for name, body := range map[string]string{
		// UddoktaPay's v1 IPN: no fee, charged_amount or date, amount "50".
		"v1": fmt.Sprintf(`{"full_name":"John Doe","email":"someone@gmail.com","amount":"50","invoice_id":%q,`+
			`"metadata":{"invoice_id":"10"},"payment_method":"bkash","sender_number":"123456789","transaction_id":"azusd346","status":"COMPLETED"}`, id),
		"amounts as numbers": fmt.Sprintf(`{"amount":250.5,"fee":0,"charged_amount":250.5,"invoice_id":%q,"status":"COMPLETED"}`, id),
		"FAILED":             fmt.Sprintf(`{"invoice_id":%q,"status":"FAILED"}`, id),
	} {
		ev, err := s.gw.ParseWebhook(bg, ipn(s.key, body))
		require.NoError(t, err, name)
		assert.Equal(t, mfspay.EventPaymentFailed, ev.Type, "%s: the panel says ERROR", name)
		assert.Equal(t, id+":failed", ev.ID, name)
	}
	// The panel itself answering FAILED, as UddoktaPay's SDK expects.
	require.NoError(t, s.sim.Fail(bg, simctl.Fault{Status: 200, Body: fmt.Sprintf(
		`{"invoice_id":%q,"status":"FAILED","amount":"250.50","metadata":{"order_id":%q}}`, id, co.InvoiceID)}))
	ev, err := s.gw.ParseWebhook(bg, ipn(s.key, fmt.Sprintf(`{"invoice_id":%q,"status":"PENDING"}`, id)))
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentFailed, ev.Type)
	assert.Equal(t, id+":failed", ev.ID, "ERROR and FAILED are one state")

	for name, body := range map[string]string{
		"not JSON":           `invoice_id=abc`,
		"no invoice_id":      `{"status":"COMPLETED"}`,
		"no status":          fmt.Sprintf(`{"invoice_id":%q}`, id),
		"a bad invoice_id":   `{"invoice_id":"a/b","status":"COMPLETED"}`,
		"the brand webhook":  `{"event":"payment.completed","data":{"payment_id":"x","amount":"10.00","customer":"y"}}`,
		"invoice_id numeric": `{"invoice_id":123,"status":"COMPLETED"}`,
	} {
		_, err := s.gw.ParseWebhook(bg, ipn(s.key, body))
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, name)
	}
}

func TestIPNForAChargeWithoutMerchantInvoiceIsRefused(t *testing.T) {
	s := newStack(t)
	const id = "Erm9wzjM0FBwjSYT0QVb"
	for _, md := range []string{`{"user_id":"10"}`, `{"order_id":"has spaces"}`, `null`} {
		require.NoError(t, s.sim.Fail(bg, simctl.Fault{Status: 200, Body: fmt.Sprintf(
			`{"invoice_id":%q,"status":"COMPLETED","amount":"10.00","metadata":%s}`, id, md)}))
		_, err := s.gw.ParseWebhook(bg, ipn(s.key, fmt.Sprintf(`{"invoice_id":%q,"status":"COMPLETED"}`, id)))
		require.ErrorIs(t, err, mfspay.ErrInvalidRequest, md)
		assert.Contains(t, err.Error(), "order_id")
	}
}

func TestIPNOfAnUnknownInvoiceIsNotFound(t *testing.T) {
	s := newStack(t)
	_, err := s.gw.ParseWebhook(bg, ipn(s.key, `{"invoice_id":"Erm9wzjM0FBwjSYT0QVb","status":"COMPLETED"}`))
	require.ErrorIs(t, err, mfspay.ErrNotFound)
}

func TestReturnIsVerified(t *testing.T) {
	s := newStack(t)
	req, co := s.create(t)
	id := s.pay(t, co, false)
	rets, err := s.sim.Returns(bg, co.RedirectURL)
	require.NoError(t, err)
	require.Len(t, rets, 1)
	assert.Equal(t, url.Values{"order": {"1"}, "invoice_id": {id}}, rets[0].Query, "redirect_url with invoice_id appended")

	ev, err := s.gw.CompleteReturn(bg, rets[0])
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
	assert.Equal(t, req.InvoiceID, ev.Payment.InvoiceID)
	notes, err := s.sim.Notifications(bg, id)
	require.NoError(t, err)
	fromIPN, err := s.gw.ParseWebhook(bg, notes[0])
	require.NoError(t, err)
	assert.Equal(t, fromIPN.ID, ev.ID, "the return and the IPN of one state de-duplicate")

	posted, err := s.gw.CompleteReturn(bg, mfspay.ReturnRequest{Method: http.MethodPost, Form: url.Values{"invoice_id": {id}}})
	require.NoError(t, err)
	assert.Equal(t, ev, posted, "a POST return carries invoice_id in the form")
}

func TestReturnOfAPendingPaymentIsPending(t *testing.T) {
	s := newStack(t)
	_, co := s.create(t)
	id := s.pay(t, co, true)
	ev, err := s.gw.CompleteReturn(bg, mfspay.ReturnRequest{Method: http.MethodGet, Query: url.Values{"invoice_id": {id}}})
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentPending, ev.Type)
}

func TestUnusableReturnsAreInvalidRequests(t *testing.T) {
	s := newStack(t)
	_, co := s.create(t)
	id := s.pay(t, co, false)
	for name, ret := range map[string]mfspay.ReturnRequest{
		"nothing":                  {Method: http.MethodGet},
		"a cancel (nothing added)": {Method: http.MethodGet, Query: url.Values{"order": {"1"}}},
		"empty":                    {Method: http.MethodGet, Query: url.Values{"invoice_id": {""}}},
		"not an id":                {Method: http.MethodGet, Query: url.Values{"invoice_id": {"../../x"}}},
		"unknown":                  {Method: http.MethodGet, Query: url.Values{"invoice_id": {"Erm9wzjM0FBwjSYT0QVb"}}},
		"two values":               {Method: http.MethodGet, Query: url.Values{"invoice_id": {id, "Erm9wzjM0FBwjSYT0QVb"}}},
		"form and query disagree":  {Method: http.MethodPost, Form: url.Values{"invoice_id": {id}}, Query: url.Values{"invoice_id": {"Erm9wzjM0FBwjSYT0QVb"}}},
		"only a form on a GET":     {Method: http.MethodGet, Form: url.Values{"invoice_id": {id}}},
		"PUT":                      {Method: http.MethodPut, Query: url.Values{"invoice_id": {id}}},
	} {
		ev, err := s.gw.CompleteReturn(bg, ret)
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, name)
		assert.Nil(t, ev, name)
	}
	rets, err := s.sim.Returns(bg, co.RedirectURL)
	require.NoError(t, err)
	assert.Len(t, rets, 1)
}

func TestCancelLeavesThePaymentAlone(t *testing.T) {
	s := newStack(t)
	_, co := s.create(t)
	require.NoError(t, s.sim.Cancel(bg, co.RedirectURL))
	rets, err := s.sim.Returns(bg, co.RedirectURL)
	require.NoError(t, err)
	require.Len(t, rets, 1)
	assert.Equal(t, mfspay.ReturnRequest{Method: http.MethodGet, Query: url.Values{}}, rets[0], "cancel_url, nothing appended")
	p, err := s.gw.VerifyPayment(bg, mfspay.PaymentRef{PaymentID: s.invoiceID(t, co)})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPending, p.Status, "UddoktaPay reports no cancelled payment")
	notes, err := s.sim.Notifications(bg, co.RedirectURL)
	require.NoError(t, err)
	assert.Empty(t, notes)
}

// Whatever the panel's verify answers, an IPN claiming completion becomes
// a typed error or an event that is not a completion: never a panic, and
// never paid on an answer the adapter cannot read exactly.
func TestIPNWithOddVerifyAnswersIsNeverPaid(t *testing.T) {
	s := newStack(t)
	_, co := s.create(t)
	id := s.pay(t, co, false)
	md := fmt.Sprintf(`{"order_id":%q}`, co.InvoiceID)
	for _, body := range []string{``, `[]`, `null`, `"x"`, `[{"invoice_id":"` + id + `"}]`,
		fmt.Sprintf(`{"invoice_id":%q,"status":"COMPLETED","amount":true,"metadata":%s}`, id, md),
		fmt.Sprintf(`{"invoice_id":%q,"status":"COMPLETED","amount":1e3,"metadata":%s}`, id, md),
		fmt.Sprintf(`{"invoice_id":%q,"status":"COMPLETED","amount":"99999999999999999999","metadata":%s}`, id, md),
		fmt.Sprintf(`{"invoice_id":%q,"status":"COMPLETED","amount":"250.505","metadata":%s}`, id, md),
		fmt.Sprintf(`{"invoice_id":%q,"status":"COMPLETED","metadata":%s}`, id, md),
		fmt.Sprintf(`{"invoice_id":%q,"status":"COMPLETED","amount":"250.50","metadata":[]}`, id),
		fmt.Sprintf(`{"invoice_id":%q,"status":"completed","amount":"250.50","metadata":%s}`, id, md),
		fmt.Sprintf(`{"invoice_id":%q,"status":"COMPLETED","amount":"0.00","metadata":%s}`, id, md),
	} {
		require.NoError(t, s.sim.Fail(bg, simctl.Fault{Status: 200, Body: body}))
		ev, err := s.gw.ParseWebhook(bg, ipn(s.key, fmt.Sprintf(`{"invoice_id":%q,"status":"COMPLETED"}`, id)))
		if err != nil {
			var me *mfspay.Error
			assert.ErrorAs(t, err, &me, body)
			continue
		}
		assert.NotEqual(t, mfspay.EventPaymentCompleted, ev.Type, body)
		assert.NotEqual(t, mfspay.StatusPaid, ev.Payment.Status, body)
	}
}
