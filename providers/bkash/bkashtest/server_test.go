package bkashtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
	"github.com/mfspay/mfspay/providers/simkit"
)

// api is a raw client of the simulator's API.
type api struct {
	t     *testing.T
	s     *bkashtest.Server
	st    simctl.Settings
	token string
}

func newAPI(t *testing.T, opts ...bkashtest.Option) *api {
	s := bkashtest.NewServer(opts...)
	t.Cleanup(s.Close)
	st, err := s.Settings(context.Background())
	require.NoError(t, err)
	return &api{t: t, s: s, st: st}
}

// post sends body to path under the checkout API and decodes the answer.
func (a *api) post(path string, header http.Header, body any) (int, map[string]any) {
	a.t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, a.st.Values["base_url"]+"/tokenized/checkout/"+path, bytes.NewReader(b))
	require.NoError(a.t, err)
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	require.NoError(a.t, err)
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	require.NoError(a.t, json.Unmarshal(raw, &out), "%s", raw)
	return resp.StatusCode, out
}

func (a *api) grant() map[string]any {
	a.t.Helper()
	v := a.st.Values
	_, out := a.post("token/grant", http.Header{"Username": {v["username"]}, "Password": {v["password"]}},
		map[string]string{"app_key": v["app_key"], "app_secret": v["app_secret"]})
	a.token, _ = out["id_token"].(string)
	return out
}

func (a *api) call(path string, body any) (int, map[string]any) {
	a.t.Helper()
	return a.post(path, http.Header{"Authorization": {a.token}, "X-App-Key": {a.st.Values["app_key"]}}, body)
}

func (a *api) create(amount string) map[string]any {
	a.t.Helper()
	status, out := a.call("create", map[string]string{"mode": "0011", "payerReference": "01770618575",
		"callbackURL": "https://shop.example/return?ref=INV-1", "amount": amount, "currency": "BDT", "intent": "sale",
		"merchantInvoiceNumber": "INV-1"})
	require.Equal(a.t, http.StatusOK, status)
	require.Equal(a.t, "0000", out["statusCode"], "%v", out)
	return out
}

func TestTokenGrantAndExpiry(t *testing.T) {
	clock := simkit.NewManualClock(time.Date(2025, 11, 2, 8, 0, 0, 0, time.UTC))
	a := newAPI(t, bkashtest.WithClock(clock.Now))
	out := a.grant()
	assert.Equal(t, "0000", out["statusCode"])
	assert.Equal(t, "Bearer", out["token_type"])
	assert.EqualValues(t, 3600, out["expires_in"])
	status, _ := a.call("payment/status", map[string]string{"paymentID": "TR0011AAAAAAA1762072142166"})
	assert.Equal(t, http.StatusOK, status)
	clock.Advance(time.Hour)
	status, body := a.call("payment/status", map[string]string{"paymentID": "TR0011AAAAAAA1762072142166"})
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "The incoming token has expired", body["message"])

	v := a.st.Values
	_, out = a.post("token/refresh", http.Header{"Username": {v["username"]}, "Password": {v["password"]}},
		map[string]string{"app_key": v["app_key"], "app_secret": v["app_secret"], "refresh_token": out["refresh_token"].(string)})
	assert.Equal(t, "0000", out["statusCode"])
	a.token = out["id_token"].(string)
	status, _ = a.call("payment/status", map[string]string{"paymentID": "TR0011AAAAAAA1762072142166"})
	assert.Equal(t, http.StatusOK, status, "the refreshed token works")
	grants, refreshes := a.s.TokenCalls()
	assert.Equal(t, []int{1, 1}, []int{grants, refreshes})

	_, out = a.post("token/grant", http.Header{"Username": {v["username"]}, "Password": {"wrong"}},
		map[string]string{"app_key": v["app_key"], "app_secret": v["app_secret"]})
	assert.Equal(t, "9999", out["statusCode"])
	_, out = a.post("token/grant", http.Header{"Username": {v["username"]}, "Password": {v["password"]}},
		map[string]string{"app_key": "wrong", "app_secret": v["app_secret"]})
	assert.Equal(t, "2001", out["statusCode"])
	a.token = "made-up"
	status, body = a.call("payment/status", map[string]string{"paymentID": "x"})
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "Unauthorized", body["message"])
}

func TestCreateValidatesAsTheErrorTableSays(t *testing.T) {
	a := newAPI(t)
	a.grant()
	good := map[string]string{"mode": "0011", "payerReference": " ", "callbackURL": "https://shop.example/r",
		"amount": "10", "currency": "BDT", "intent": "sale", "merchantInvoiceNumber": "INV-2"}
	for field, tc := range map[string]struct{ value, code string }{
		"mode":                  {"0000", "2063"},
		"amount":                {"10.001", "2006"},
		"currency":              {"USD", "2007"},
		"intent":                {"authorization", "2008"},
		"merchantInvoiceNumber": {"INV<1>", "2031"},
		"callbackURL":           {"/relative", "2049"},
	} {
		body := map[string]string{}
		for k, v := range good {
			body[k] = v
		}
		body[field] = tc.value
		_, out := a.call("create", body)
		assert.Equal(t, tc.code, out["statusCode"], field)
	}
	delete(good, "intent")
	_, out := a.call("create", good)
	assert.Equal(t, "2065", out["statusCode"])
	status, out := a.call("create", map[string]any{"amount": 10})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "Invalid request body", out["message"])
}

// page walks the hosted page the way a browser does, returning the last
// page's body or where it redirected.
type page struct {
	t      *testing.T
	client *http.Client
	origin string
	id     string
}

func (p *page) submit(form url.Values) (status int, body, location string) {
	p.t.Helper()
	form.Set("paymentId", p.id)
	resp, err := p.client.PostForm(p.origin+"/", form)
	require.NoError(p.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

func newPage(t *testing.T, a *api, created map[string]any) *page {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(created["bkashURL"].(string))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(b), `value="01770618575"`, "payerReference pre-fills the wallet")
	return &page{t: t, client: client, origin: a.s.PagesURL(), id: created["paymentID"].(string)}
}

func TestHostedPageWalletOTPPINThenExecute(t *testing.T) {
	a := newAPI(t)
	a.grant()
	created := a.create("10")
	id := created["paymentID"].(string)
	p := newPage(t, a, created)

	_, body, _ := p.submit(url.Values{"wallet": {"0177"}, "action": {"confirm"}})
	assert.Contains(t, body, "valid bKash account number")
	_, body, _ = p.submit(url.Values{"wallet": {"01770618575"}, "action": {"confirm"}})
	assert.Contains(t, body, `name="otp"`)
	_, body, _ = p.submit(url.Values{"otp": {"000000"}, "action": {"confirm"}})
	assert.Contains(t, body, "Invalid verification code")
	_, body, _ = p.submit(url.Values{"otp": {bkashtest.OTP}, "action": {"confirm"}})
	assert.Contains(t, body, `name="pin"`)

	_, q := a.call("execute", map[string]string{"paymentID": id})
	assert.Equal(t, "2056", q["statusCode"], "not approved yet")

	status, _, location := p.submit(url.Values{"pin": {bkashtest.PIN}, "action": {"confirm"}})
	require.Equal(t, http.StatusFound, status)
	assert.Equal(t, created["successCallbackURL"].(string)+"&apiVersion=1.2.0-beta/", location)
	rets, err := a.s.Returns(context.Background(), id)
	require.NoError(t, err)
	require.Len(t, rets, 1)
	assert.Equal(t, "success", rets[0].Query.Get("status"))
	assert.Equal(t, "INV-1", rets[0].Query.Get("ref"))

	_, q = a.call("payment/status", map[string]string{"paymentID": id})
	assert.Equal(t, "Initiated", q["transactionStatus"], "approval debits nothing")
	assert.Equal(t, "Complete", q["verificationStatus"])
	assert.Equal(t, "INV-1", q["merchantInvoice"])

	_, ex := a.call("execute", map[string]string{"paymentID": id})
	assert.Equal(t, "0000", ex["statusCode"])
	assert.Equal(t, "Completed", ex["transactionStatus"])
	assert.Equal(t, "10", ex["amount"], "the create's amount string, verbatim")
	assert.Equal(t, "01770618575", ex["customerMsisdn"])
	_, again := a.call("execute", map[string]string{"paymentID": id})
	assert.Equal(t, "2117", again["statusCode"])
	_, q = a.call("payment/status", map[string]string{"paymentID": id})
	assert.Equal(t, "Completed", q["transactionStatus"])
	assert.Equal(t, ex["trxID"], q["trxID"])

	notes, err := a.s.Notifications(context.Background(), id)
	require.NoError(t, err)
	require.Len(t, notes, 1, "one SNS notification per execute")
	assert.Equal(t, "Notification", notes[0].Header.Get("X-Amz-Sns-Message-Type"))
}

func TestHostedPageFailuresAndClose(t *testing.T) {
	a := newAPI(t)
	a.grant()

	created := a.create("10")
	p := newPage(t, a, created)
	p.submit(url.Values{"wallet": {"01770618575"}, "action": {"confirm"}})
	p.submit(url.Values{"otp": {bkashtest.OTP}, "action": {"confirm"}})
	p.submit(url.Values{"pin": {"1"}, "action": {"confirm"}})
	p.submit(url.Values{"pin": {"2"}, "action": {"confirm"}})
	status, _, location := p.submit(url.Values{"pin": {"3"}, "action": {"confirm"}})
	assert.Equal(t, http.StatusFound, status)
	assert.Equal(t, created["failureCallbackURL"].(string)+"&apiVersion=1.2.0-beta/", location, "three wrong PINs")
	_, q := a.call("execute", map[string]string{"paymentID": created["paymentID"].(string)})
	assert.Equal(t, "2056", q["statusCode"])

	created = a.create("10")
	p = newPage(t, a, created)
	status, _, location = p.submit(url.Values{"action": {"close"}})
	assert.Equal(t, http.StatusFound, status)
	assert.Equal(t, created["cancelledCallbackURL"].(string)+"&apiVersion=1.2.0-beta/", location)
	status, body, _ := p.submit(url.Values{"wallet": {"01770618575"}, "action": {"confirm"}})
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, body, "no longer be paid")
	_, q = a.call("payment/status", map[string]string{"paymentID": created["paymentID"].(string)})
	assert.Equal(t, "Initiated", q["transactionStatus"], "bKash reports no cancelled state")
}

func TestFailureWalletsFailAtExecute(t *testing.T) {
	a := newAPI(t)
	a.grant()
	for wallet, code := range map[string]string{bkashtest.InsufficientBalance: "2023", bkashtest.DebitBlocked: "2037"} {
		id := a.create("10")["paymentID"].(string)
		require.NoError(t, a.s.Approve(id, wallet))
		_, ex := a.call("execute", map[string]string{"paymentID": id})
		assert.Equal(t, code, ex["statusCode"])
		_, q := a.call("payment/status", map[string]string{"paymentID": id})
		assert.Equal(t, "Initiated", q["transactionStatus"])
	}
}

func TestTampers(t *testing.T) {
	a := newAPI(t)
	a.grant()
	ctx := context.Background()
	id := a.create("10")["paymentID"].(string)
	for tamper, check := range map[simctl.Tamper]func(map[string]any){
		simctl.TamperPaidZeroAmount: func(q map[string]any) {
			assert.Equal(t, []any{"Completed", "0"}, []any{q["transactionStatus"], q["amount"]})
		},
		simctl.TamperNegativeAmount: func(q map[string]any) { assert.Equal(t, "-10", q["amount"]) },
		simctl.TamperUnknownStatus:  func(q map[string]any) { assert.Equal(t, "Authorized", q["transactionStatus"]) },
		simctl.TamperOtherPayment:   func(q map[string]any) { assert.NotEqual(t, id, q["paymentID"]) },
	} {
		require.NoError(t, a.s.Fail(ctx, simctl.Fault{Tamper: tamper}))
		_, q := a.call("payment/status", map[string]string{"paymentID": id})
		check(q)
	}
	require.NoError(t, a.s.Fail(ctx, simctl.Fault{Tamper: simctl.TamperBadRedirect}))
	assert.Equal(t, simkit.BadRedirect, a.create("10")["bkashURL"])
	assert.True(t, strings.HasPrefix(a.create("10")["bkashURL"].(string), a.s.PagesURL()))
}
