package eazzpay_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/eazzpay"
)

// TestNoSecretInErrorsOrLogs drives every failure path with a debug logger
// attached and checks that no secret appears in any error or log line, even
// when the provider echoes the secret back.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	var sink logSink
	r := fastResilience()
	r.Logger = sink.Logger()
	r.Breaker.Disabled = true
	sim, g := simGateway(t, r)
	settings, err := sim.Settings(bg)
	require.NoError(t, err)
	secrets := append([]string{testSecret, oldSecret}, settings.Secrets...)

	var errs []error
	collect := func(err error) {
		t.Helper()
		require.Error(t, err)
		errs = append(errs, err)
	}
	create := func() {
		_, err := g.CreatePayment(bg, validRequest())
		collect(err)
	}
	for _, f := range []simctl.Fault{
		{Status: 500, Body: `{"code":500,"message":"bad secret ` + testSecret + `"}`},
		{Status: 401, Body: `{"code":"` + testSecret + `","message":"Invalid ` + testSecret + `"}`},
		{Status: 502, ContentType: "text/html", Body: "<html>" + strings.Repeat("x", 100) + testSecret + "</html>"},
		{Status: 429, Body: `{"code":429,"message":"slow down ` + testSecret + `"}`, RetryAfter: 60e9},
		{AfterProcessing: true, Reset: true},
		{Delay: 1e9},
	} {
		require.NoError(t, sim.Fail(bg, f))
		create()
	}

	bad, err := eazzpay.FromSettings(settings.BadCredentials, r)
	require.NoError(t, err)
	_, err = bad.CreatePayment(bg, validRequest())
	collect(err)

	req := validRequest()
	req.Customer.Name = ""
	_, err = g.CreatePayment(bg, req)
	collect(err)
	_, err = g.VerifyPayment(bg, mfspay.PaymentRef{InvoiceID: "INV-1"})
	collect(err)

	wg := webhookGateway(t)
	for _, h := range []http.Header{
		{"Eazzpay-Client-Secret": {testSecret + "x"}},
		{"Eazzpay-Client-Secret": {oldSecret[:5]}},
		{"Eazzpay-Client-Secret": {testSecret, testSecret}},
		{},
	} {
		_, err := wg.ParseWebhook(bg, mfspay.WebhookRequest{Header: h, Body: []byte(documentedListener)})
		collect(err)
	}
	_, err = wg.ParseWebhook(bg, notification(testSecret, `{"payment_id":"`+testSecret+`/x","amount":1,"status":"COMPLETED"}`, nil))
	collect(err)

	_, err = g.CreatePayment(bg, validRequest())
	require.NoError(t, err)

	require.Len(t, errs, 14)
	for _, err := range errs {
		requireNoSecret(t, err.Error(), secrets...)
	}
	logs := sink.String()
	require.Contains(t, logs, "mfspay http attempt", "the debug log was collected")
	requireNoSecret(t, logs, secrets...)
}
