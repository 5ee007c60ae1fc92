package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
)

// returnGateway is the fake provider with customer returns: a return names
// a payment id in its query, and completing it reports the payment as the
// provider holds it.
type returnGateway struct {
	*fakeGateway
	returns sync.Map // payment id -> number of completions
}

func newReturnGateway() *returnGateway {
	g := &returnGateway{fakeGateway: newFake("fake")}
	g.caps.Return = mfspay.ReturnExecute
	g.caps.EventTypes = append(g.caps.EventTypes, mfspay.EventPaymentCancelled)
	return g
}

func (g *returnGateway) CompleteReturn(ctx context.Context, r mfspay.ReturnRequest) (*mfspay.Event, error) {
	id := r.Query.Get("paymentID")
	if r.Method == http.MethodPost {
		id = r.Form.Get("paymentID")
	}
	p, err := g.VerifyPayment(ctx, mfspay.PaymentRef{PaymentID: id})
	if err != nil {
		return nil, &mfspay.Error{Kind: mfspay.ErrInvalidRequest, Provider: "fake", Op: mfspay.OpReturn, Field: "paymentID"}
	}
	n, _ := g.returns.LoadOrStore(id, new(int))
	*n.(*int)++
	typ, _ := mfspay.EventTypeFor(p.Status)
	return &mfspay.Event{ID: "fake:" + id + ":" + string(p.Status), Provider: "fake", Type: typ, Payment: *p}, nil
}

func returnRequest(method, paymentID string) *http.Request {
	if method == http.MethodPost {
		r := httptest.NewRequest(http.MethodPost, "/return/fake", strings.NewReader(url.Values{"paymentID": {paymentID}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetPathValue("provider", "fake")
		return r
	}
	r := httptest.NewRequest(http.MethodGet, "/return/fake?paymentID="+url.QueryEscape(paymentID)+"&status=success", nil)
	r.SetPathValue("provider", "fake")
	return r
}

// TestReturnIsDeliveredOnceWhicheverComesFirst: the customer's return and
// the provider's notification of one payment state reach the callback
// once, in either order, and the customer is sent on either way.
func TestReturnIsDeliveredOnceWhicheverComesFirst(t *testing.T) {
	for _, returnFirst := range []bool{true, false} {
		name := "notification first"
		if returnFirst {
			name = "return first"
		}
		t.Run(name, func(t *testing.T) {
			gw := newReturnGateway()
			paid := mfspay.Payment{Provider: "fake", PaymentID: "pay_INV-R", InvoiceID: "INV-R", Status: mfspay.StatusPaid, Amount: mfspay.Taka(250)}
			gw.setPayment(paid)
			var rec recorder
			h := webhook.New(rec.callback, webhook.Route(gw), webhook.Confirm(),
				webhook.ReturnTo(func(_ context.Context, ev *mfspay.Event) string {
					if ev == nil {
						return "/shop/problem"
					}
					return "/orders/" + ev.Payment.InvoiceID
				}))
			notify := func() {
				code, text := do(h, signedRequest("/", paidBody("evt_r", "INV-R", mfspay.Taka(250)).bytes(t)))
				assert.Equal(t, http.StatusOK, code, text)
			}
			back := func() {
				w := httptest.NewRecorder()
				h.Returns().ServeHTTP(w, returnRequest(http.MethodGet, "pay_INV-R"))
				assert.Equal(t, http.StatusSeeOther, w.Code)
				assert.Equal(t, "/orders/INV-R", w.Header().Get("Location"))
			}
			if returnFirst {
				back()
				notify()
			} else {
				notify()
				back()
			}
			require.Len(t, rec.delivered(), 1, "one state, one delivery")
			assert.Equal(t, mfspay.EventPaymentCompleted, rec.delivered()[0].Type)
			d := rec.deliveries()[0]
			assert.True(t, d.Confirmed)
			if returnFirst {
				assert.Equal(t, webhook.SourceReturn, d.Source)
			} else {
				assert.Equal(t, webhook.SourceNotification, d.Source)
			}
		})
	}
}

// TestReturnAnswers: what the customer sees for each way a return ends, and
// that nothing unconfirmed is delivered.
func TestReturnAnswers(t *testing.T) {
	gw := newReturnGateway()
	gw.setPayment(mfspay.Payment{Provider: "fake", PaymentID: "pay_PAID", InvoiceID: "INV-P", Status: mfspay.StatusPaid, Amount: 100})
	gw.setPayment(mfspay.Payment{Provider: "fake", PaymentID: "pay_PEND", InvoiceID: "INV-Q", Status: mfspay.StatusPending, Amount: 100})
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(gw)) // no ReturnTo: the handler answers a page
	mux := http.NewServeMux()
	mux.Handle("/return/{provider}", h.Returns())

	page := func(r *http.Request) (int, string) {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	code, body := page(returnRequest(http.MethodGet, "pay_PAID"))
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "Payment received")
	code, body = page(returnRequest(http.MethodPost, "pay_PEND"))
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "Payment pending")
	code, body = page(returnRequest(http.MethodGet, "pay_FORGED"))
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body, "Link not valid")
	assert.NotContains(t, body, "pay_FORGED", "nothing from the request is echoed")
	code, _ = page(httptest.NewRequest(http.MethodPut, "/return/fake", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, code)
	code, _ = page(httptest.NewRequest(http.MethodGet, "/return/nobody", nil))
	assert.Equal(t, http.StatusNotFound, code)

	gw.verifyFn = func(mfspay.PaymentRef) (*mfspay.Payment, error) {
		return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: "fake", Op: "verify"}
	}
	transient := &failingReturns{returnGateway: gw}
	h2 := webhook.New(rec.callback, webhook.Route(transient))
	w := httptest.NewRecorder()
	h2.Returns().ServeHTTP(w, returnRequest(http.MethodGet, "pay_PAID"))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Contains(t, w.Body.String(), "try again")

	events := rec.delivered()
	require.Len(t, events, 2, "the paid and the pending return, nothing else")
	assert.Equal(t, mfspay.EventPaymentCompleted, events[0].Type)
	assert.Equal(t, mfspay.EventPaymentPending, events[1].Type)
}

// failingReturns cannot reach its provider.
type failingReturns struct{ *returnGateway }

func (g *failingReturns) CompleteReturn(context.Context, mfspay.ReturnRequest) (*mfspay.Event, error) {
	return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: "fake", Op: mfspay.OpReturn}
}

// TestDeliverSharesTheNotificationPath: a reconciler's event goes through
// the same marks as notifications: once per state, retried while the
// callback fails, refused for an unrouted provider.
func TestDeliverSharesTheNotificationPath(t *testing.T) {
	gw := newFake("fake")
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(gw))
	ctx := context.Background()
	sweep := &mfspay.Event{ID: "sweep:fake:pay_INV-S:paid", Provider: "fake", Type: mfspay.EventPaymentCompleted,
		Payment: mfspay.Payment{Provider: "fake", PaymentID: "pay_INV-S", InvoiceID: "INV-S", Status: mfspay.StatusPaid, Amount: 100}}

	rec.fail.Store(1)
	require.Error(t, h.Deliver(ctx, sweep), "a failing callback is worth trying again")
	require.NoError(t, h.Deliver(ctx, sweep))
	require.NoError(t, h.Deliver(ctx, sweep), "already delivered")
	code, text := do(h, signedRequest("/", paidBody("evt_s", "INV-S", 100).bytes(t)))
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "duplicate\n", text, "the notification of a state the sweep delivered")
	require.Len(t, rec.delivered(), 1)
	assert.Equal(t, webhook.SourceReconciliation, rec.deliveries()[0].Source)
	assert.True(t, rec.deliveries()[0].Confirmed)

	other := *sweep
	other.Provider = "nobody"
	assert.ErrorIs(t, h.Deliver(ctx, &other), mfspay.ErrInvalidRequest)
	assert.ErrorIs(t, h.Deliver(ctx, nil), mfspay.ErrInvalidRequest)
}

// silentReturns answers a return with neither an event nor an error.
type silentReturns struct{ *returnGateway }

func (g *silentReturns) CompleteReturn(context.Context, mfspay.ReturnRequest) (*mfspay.Event, error) {
	return nil, nil
}

// A gateway that completes a return with no event and no error is taken as
// unavailable: the customer is asked to try again and nothing is delivered,
// instead of the handler panicking.
func TestReturnAnsweredWithNothingIsRetryLater(t *testing.T) {
	var rec recorder
	h := webhook.New(rec.callback, webhook.Route(&silentReturns{newReturnGateway()}))
	w := httptest.NewRecorder()
	h.Returns().ServeHTTP(w, returnRequest(http.MethodGet, "pay_PAID"))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Contains(t, w.Body.String(), "try again")
	assert.Zero(t, rec.calls.Load())
}
