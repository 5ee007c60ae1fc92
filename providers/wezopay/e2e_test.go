package wezopay_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/simkit"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// receiver is the merchant's webhook endpoint: it authenticates and parses
// each delivery with the gateway, answering 401 to forgeries. The first
// failFirst deliveries are answered 500 after parsing, so the provider
// retries.
type receiver struct {
	url       string
	events    chan *mfspay.Event
	failFirst atomic.Int32
}

func newReceiver(t *testing.T, e *env) *receiver {
	rv := &receiver{events: make(chan *mfspay.Event, 16)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		ev, err := e.parse(mfspay.WebhookRequest{Header: r.Header, Query: r.URL.Query(), Body: body})
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		rv.events <- ev
		if rv.failFirst.Add(-1) >= 0 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	rv.url = srv.URL + "/hooks/wezopay"
	return rv
}

func (rv *receiver) next(t *testing.T) *mfspay.Event {
	t.Helper()
	select {
	case ev := <-rv.events:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook arrived")
		return nil
	}
}

// browser does not follow redirects, so the test sees where it is sent.
var browser = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

var formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)

// openPage loads the hosted page like the customer's browser and returns
// the absolute URL its form posts to.
func openPage(t *testing.T, redirectURL string) string {
	t.Helper()
	resp, err := browser.Get(redirectURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	page, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	for _, wallet := range []string{"bkash", "nagad", "rocket", "upay"} {
		assert.Contains(t, string(page), `value="`+wallet+`"`)
	}
	m := formAction.FindSubmatch(page)
	require.NotNil(t, m, "the page has a payment form")
	action, err := url.Parse(string(m[1]))
	require.NoError(t, err)
	base, _ := url.Parse(redirectURL)
	return base.ResolveReference(action).String()
}

func submit(t *testing.T, action string, form url.Values) *http.Response {
	t.Helper()
	resp, err := browser.PostForm(action, form)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func TestEndToEndCustomerPays(t *testing.T) {
	e := newEnv(t, nil, nil)
	rv := newReceiver(t, e)
	rv.failFirst.Store(1) // the first delivery fails: WezoPay sends it again

	req := newRequest(mfspay.Taka(250))
	req.WebhookURL = rv.url
	co, err := e.create(req)
	require.NoError(t, err)

	action := openPage(t, co.RedirectURL)
	resp := submit(t, action, url.Values{"action": {"pay"}, "method": {"bkash"}, "sender": {"01712345678"}, "trx_id": {"8N2K3TEST12"}})
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, req.SuccessURL, resp.Header.Get("Location"))

	p, err := e.verify(mfspay.PaymentRef{InvoiceID: req.InvoiceID})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPaid, p.Status)
	assert.Equal(t, mfspay.Taka(250), p.Amount)
	assert.Equal(t, "8N2K3TEST12", p.TrxID)
	assert.Equal(t, mfspay.MethodBKash, p.Method)
	assert.Equal(t, "01712345678", p.Sender)
	assert.False(t, p.PaidAt.IsZero())

	first, second := rv.next(t), rv.next(t)
	assert.Equal(t, first, second, "the re-delivery parses to the same event")
	assert.Equal(t, "wezopay:"+co.PaymentID+":payment.completed", first.ID)
	assert.Equal(t, mfspay.EventPaymentCompleted, first.Type)
	assert.Equal(t, mfspay.StatusPaid, first.Payment.Status)
	assert.Equal(t, req.InvoiceID, first.Payment.InvoiceID)
	assert.Equal(t, mfspay.Taka(250), first.Payment.Amount)
	assert.Equal(t, "8N2K3TEST12", first.Payment.TrxID)
	assert.True(t, first.Payment.PaidAt.Equal(p.PaidAt.Truncate(time.Second)))

	require.NoError(t, e.sim.WaitDeliveries(context.Background()))
	ds := e.sim.Deliveries()
	require.Len(t, ds, 1)
	assert.True(t, ds[0].Delivered)
	require.Len(t, ds[0].Attempts, 2)
	assert.Equal(t, 500, ds[0].Attempts[0].StatusCode)
	assert.Equal(t, 200, ds[0].Attempts[1].StatusCode)

	resp = submit(t, action, url.Values{"action": {"cancel"}})
	assert.Equal(t, http.StatusConflict, resp.StatusCode, "a paid payment cannot be cancelled")
}

func TestEndToEndCustomerCancels(t *testing.T) {
	e := newEnv(t, nil, nil)
	rv := newReceiver(t, e)
	req := newRequest(mfspay.Poisha(5010))
	req.WebhookURL = rv.url
	co, err := e.create(req)
	require.NoError(t, err)

	resp := submit(t, openPage(t, co.RedirectURL), url.Values{"action": {"cancel"}})
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, req.CancelURL, resp.Header.Get("Location"))

	p, err := e.verify(mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusCancelled, p.Status)
	assert.Empty(t, p.TrxID)
	assert.True(t, p.PaidAt.IsZero())

	ev := rv.next(t)
	assert.Equal(t, mfspay.EventPaymentCancelled, ev.Type)
	assert.Equal(t, mfspay.StatusCancelled, ev.Payment.Status)
	assert.Equal(t, mfspay.Poisha(5010), ev.Payment.Amount)
}

func TestEndToEndPaymentExpires(t *testing.T) {
	clock := simkit.NewManualClock(time.Date(2026, 6, 8, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, []wezopaytest.Option{wezopaytest.WithClock(clock.Now)}, nil)
	rv := newReceiver(t, e)
	req := newRequest(mfspay.Taka(99))
	req.WebhookURL = rv.url
	co, err := e.create(req)
	require.NoError(t, err)
	assert.Equal(t, clock.Now().Add(30*time.Minute), co.ExpiresAt)

	clock.Advance(29 * time.Minute)
	p, err := e.verify(mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusPending, p.Status)

	clock.Advance(time.Minute)
	p, err = e.verify(mfspay.PaymentRef{PaymentID: co.PaymentID})
	require.NoError(t, err)
	assert.Equal(t, mfspay.StatusExpired, p.Status)
	ev := rv.next(t)
	assert.Equal(t, mfspay.EventPaymentExpired, ev.Type)
	assert.Equal(t, mfspay.StatusExpired, ev.Payment.Status)

	page, err := browser.Get(co.RedirectURL)
	require.NoError(t, err)
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	assert.NotContains(t, string(html), "<form", "the page no longer offers payment")
	assert.Contains(t, string(html), "expired")

	// A stale tab posting the old form is refused.
	resp := submit(t, co.RedirectURL, url.Values{"action": {"pay"}, "method": {"nagad"}, "sender": {"01712345678"}, "trx_id": {"LATE12345"}})
	assert.Equal(t, http.StatusConflict, resp.StatusCode, "an expired payment cannot be paid")
}

func TestControllerNotificationsParse(t *testing.T) {
	// The conformance suite hands the simulator's notifications straight to
	// ParseWebhook, without HTTP in between.
	e := newEnv(t, nil, nil)
	co, err := e.create(newRequest(mfspay.Poisha(7910)))
	require.NoError(t, err)
	require.NoError(t, e.sim.Decline(co.PaymentID))
	notes, err := e.sim.Notifications(context.Background(), co.PaymentID)
	require.NoError(t, err)
	require.Len(t, notes, 1)
	ev, err := e.parse(notes[0])
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentFailed, ev.Type)
	assert.Equal(t, mfspay.StatusFailed, ev.Payment.Status)
	assert.Equal(t, mfspay.Poisha(7910), ev.Payment.Amount)
	assert.Contains(t, string(notes[0].Body), `"amount":79.10,`)
}
