package eazzpay_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
)

// simGateway starts a simulator with testSecret and a gateway on it.
func simGateway(t *testing.T, r mfspay.Resilience, opts ...eazzpaytest.Option) (*eazzpaytest.Server, mfspay.Gateway) {
	t.Helper()
	sim := eazzpaytest.NewServer(append([]eazzpaytest.Option{
		eazzpaytest.WithClientSecret(testSecret), eazzpaytest.WithDelivery(3, time.Millisecond),
	}, opts...)...)
	t.Cleanup(sim.Close)
	return sim, newGateway(t, sim.BaseURL(), r)
}

// inbox is the merchant's notification endpoint: it keeps every request
// exactly as it arrived.
type inbox struct {
	*httptest.Server
	mu  sync.Mutex
	got []mfspay.WebhookRequest
}

func newInbox(t *testing.T) *inbox {
	t.Helper()
	in := &inbox{}
	in.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		in.mu.Lock()
		in.got = append(in.got, mfspay.WebhookRequest{Header: r.Header.Clone(), Query: r.URL.Query(), Body: body})
		in.mu.Unlock()
	}))
	t.Cleanup(in.Close)
	return in
}

func (in *inbox) Got() []mfspay.WebhookRequest {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]mfspay.WebhookRequest(nil), in.got...)
}

// customer submits the hosted page the way a browser would: it loads the
// redirect URL, then posts the form to the same page.
func customer(t *testing.T, redirectURL string, form url.Values) *http.Response {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := client.Get(redirectURL)
	require.NoError(t, err)
	io.Copy(io.Discard, page.Body)
	page.Body.Close()
	require.Equal(t, http.StatusOK, page.StatusCode)
	resp, err := client.PostForm(redirectURL, form)
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestEndToEndPay(t *testing.T) {
	ipn, listener := newInbox(t), newInbox(t)
	sim, g := simGateway(t, fastResilience(), eazzpaytest.WithWebhookURL(listener.URL+"/eazzpay/listener"))

	req := validRequest()
	req.InvoiceID = "INV-2024-0042"
	req.Amount = mfspay.Poisha(125075)
	req.WebhookURL = ipn.URL + "/eazzpay/ipn?shop=7"
	req.Metadata = map[string]string{"order": "42"}
	co, err := g.CreatePayment(bg, req)
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{24}$`, co.PaymentID)
	assert.Equal(t, sim.CheckoutURL(co.PaymentID), co.RedirectURL)
	assert.Equal(t, mfspay.StatusPending, co.Status)

	resp := customer(t, co.RedirectURL, url.Values{
		"action": {"pay"}, "method": {"ROCKET"}, "sender": {"01911111111"}, "trx_id": {"RKT44556677"},
	})
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, req.SuccessURL, resp.Header.Get("Location"))
	require.NoError(t, sim.WaitNotifications(bg))

	ipns := ipn.Got()
	require.Len(t, ipns, 1)
	assert.Equal(t, "7", ipns[0].Query.Get("shop"), "the merchant's own query survives")
	ev, err := g.ParseWebhook(bg, ipns[0])
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
	assert.Equal(t, "eazzpay:ipn:"+co.PaymentID+":COMPLETED", ev.ID)
	assert.Equal(t, mfspay.Payment{
		Provider: "eazzpay", PaymentID: co.PaymentID, InvoiceID: "INV-2024-0042",
		Status: mfspay.StatusPaid, Amount: mfspay.Poisha(125075), Method: mfspay.MethodRocket,
	}, ev.Payment)

	ls := listener.Got()
	require.Len(t, ls, 1)
	trx, err := g.ParseWebhook(bg, ls[0])
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventTransactionReceived, trx.Type)
	assert.Equal(t, "eazzpay:trx:RKT44556677", trx.ID)
	assert.Equal(t, "INV-2024-0042", trx.Reference, "the simulator's reference ties the money to the invoice")
	assert.Equal(t, mfspay.Poisha(125075), trx.Payment.Amount)
	assert.Equal(t, "01911111111", trx.Payment.Sender)
	assert.Equal(t, mfspay.MethodRocket, trx.Payment.Method)
	assert.WithinDuration(t, time.Now(), trx.Payment.PaidAt, time.Minute, "date_time is Dhaka time, read back as UTC")

	// Both notifications fail authentication under another merchant's secret.
	other, err := eazzpay.New(eazzpay.Config{ClientSecret: "esk_live_someone_else"})
	require.NoError(t, err)
	for _, n := range append(ipns, ls...) {
		_, err := other.ParseWebhook(bg, n)
		require.ErrorIs(t, err, mfspay.ErrInvalidSignature)
	}

	// The controller hands over the same notifications.
	notes, err := sim.Notifications(bg, co.PaymentID)
	require.NoError(t, err)
	require.Len(t, notes, 2)
	assert.Equal(t, ipns[0].Body, notes[0].Body)
	assert.Equal(t, ls[0].Body, notes[1].Body)
	n, err := sim.PaymentCount(bg, "INV-2024-0042")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestEndToEndCancel(t *testing.T) {
	ipn := newInbox(t)
	sim, g := simGateway(t, fastResilience())
	req := validRequest()
	req.WebhookURL = ipn.URL + "/ipn"
	co, err := g.CreatePayment(bg, req)
	require.NoError(t, err)

	resp := customer(t, co.RedirectURL, url.Values{"action": {"cancel"}})
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, req.CancelURL, resp.Header.Get("Location"))
	require.NoError(t, sim.WaitNotifications(bg))

	got := ipn.Got()
	require.Len(t, got, 1, "a cancelled payment sends no listener notification")
	ev, err := g.ParseWebhook(bg, got[0])
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentCancelled, ev.Type)
	assert.Equal(t, mfspay.StatusCancelled, ev.Payment.Status)
	assert.Equal(t, "INV-1", ev.Payment.InvoiceID)
	assert.Contains(t, string(got[0].Body), `"status":"CANCELED"`)
}

func TestEndToEndEveryWalletAndBank(t *testing.T) {
	sim, g := simGateway(t, fastResilience())
	for _, tc := range []struct {
		method mfspay.Method
		ipn    string
	}{
		{mfspay.MethodBKash, "BKASH"}, {mfspay.MethodNagad, "NAGAD"}, {mfspay.MethodRocket, "ROCKET"},
		{mfspay.MethodUpay, "UPAY"}, {mfspay.MethodCellfin, "CELLFIN"}, {mfspay.MethodTap, "TAP"},
		{mfspay.MethodOKWallet, "OK_WALLET"}, {mfspay.MethodIPay, "IPAY"}, {mfspay.MethodBank, "BANK"},
	} {
		t.Run(string(tc.method), func(t *testing.T) {
			co, err := g.CreatePayment(bg, validRequest())
			require.NoError(t, err)
			require.NoError(t, sim.Pay(bg, co.PaymentID, payer(tc.method)))
			notes, err := sim.Notifications(bg, co.PaymentID)
			require.NoError(t, err)
			require.NotEmpty(t, notes)
			assert.Contains(t, string(notes[0].Body), `"`+tc.ipn+`"`)
			ev, err := g.ParseWebhook(bg, notes[0])
			require.NoError(t, err)
			assert.Equal(t, tc.method, ev.Payment.Method)
			assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
			if tc.method == mfspay.MethodBank {
				assert.Len(t, notes, 1, "a bank transfer is no wallet transaction")
				return
			}
			require.Len(t, notes, 2)
			trx, err := g.ParseWebhook(bg, notes[1])
			require.NoError(t, err)
			assert.Equal(t, tc.method, trx.Payment.Method)
		})
	}
}

func TestEndToEndExpireIsFailed(t *testing.T) {
	sim, g := simGateway(t, fastResilience())
	co, err := g.CreatePayment(bg, validRequest())
	require.NoError(t, err)
	require.NoError(t, sim.Expire(bg, co.PaymentID))
	notes, err := sim.Notifications(bg, co.PaymentID)
	require.NoError(t, err)
	require.Len(t, notes, 1)
	ev, err := g.ParseWebhook(bg, notes[0])
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentFailed, ev.Type)
}

func TestRequestShapeAtSimulator(t *testing.T) {
	sim, g := simGateway(t, fastResilience())
	req := validRequest()
	req.Amount = mfspay.Poisha(100001)
	req.Metadata = map[string]string{"k": "v"}
	_, err := g.CreatePayment(bg, req)
	require.NoError(t, err)

	reqs := sim.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, "/api/v1/payments/initiate", r.Path)
	assert.Equal(t, testSecret, r.Header.Get("eazzpay-client-secret"))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.Contains(t, r.Header.Get("User-Agent"), "mfspay/")
	assert.Equal(t, http.StatusCreated, r.Status)
	assert.Contains(t, string(r.Body), `"amount":1000.01`)

	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var body map[string]any
	require.NoError(t, dec.Decode(&body))
	assert.Equal(t, "POST", body["ipn_method"])
	md, ok := body["metadata"].(string)
	require.True(t, ok, "metadata is a JSON string")
	assert.JSONEq(t, `{"invoice_id":"INV-1","metadata":{"k":"v"}}`, md)
	assert.Equal(t, "https://shop.example/ipn?invoice_id=INV-1", body["ipn_url"])
}

func payer(m mfspay.Method) simctl.Payer {
	return simctl.Payer{Method: m, Sender: "01511111111", TrxID: "TX" + string(m)[:3] + "12345"}
}
