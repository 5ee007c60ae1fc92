package uddoktapay_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/uddoktapay"
	"github.com/mfspay/mfspay/providers/uddoktapay/uddoktapaytest"
)

func TestCreateSendsCheckoutV2(t *testing.T) {
	s := newStack(t, uddoktapaytest.WithBrandSlug("shop"))
	req := request()
	req.Metadata = map[string]string{"cart": "42", "order_id": req.InvoiceID}
	co, err := s.gw.CreatePayment(bg, req)
	require.NoError(t, err)

	assert.Equal(t, &mfspay.Checkout{Provider: uddoktapay.ProviderName, InvoiceID: req.InvoiceID,
		RedirectURL: co.RedirectURL, Status: mfspay.StatusPending}, co, "no payment id: create answers none")
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/payment/[0-9a-f]{40}$`, co.RedirectURL)

	last, ok := s.sim.LastRequest()
	require.True(t, ok)
	assert.Equal(t, "/shop/api/checkout-v2", last.Path, "the brand's path is kept before /api")
	assert.Equal(t, s.key, last.Header.Get(uddoktapay.KeyHeader))
	assert.Equal(t, "application/json", last.Header.Get("Accept"))
	var body map[string]any
	require.NoError(t, json.Unmarshal(last.Body, &body))
	assert.Equal(t, map[string]any{
		"full_name": "Rahim Khan", "email": "rahim@example.com",
		"amount":       "250.50", // an exact string, never a float
		"metadata":     map[string]any{"cart": "42", "order_id": req.InvoiceID},
		"redirect_url": req.ReturnURL, "return_type": "GET",
		"cancel_url": "https://shop.example/cancel", "webhook_url": "http://127.0.0.1:9/ipn",
	}, body)
}

func TestCreateWithoutWebhookURLSendsNone(t *testing.T) {
	s := newStack(t)
	req := request()
	req.WebhookURL = ""
	_, err := s.gw.CreatePayment(bg, req)
	require.NoError(t, err)
	last, _ := s.sim.LastRequest()
	assert.NotContains(t, string(last.Body), "webhook_url")
}

func TestCreateRefusesWhatUddoktaPayCannotTakeWithoutTraffic(t *testing.T) {
	s := newStack(t)
	for _, tc := range []struct {
		field  string
		mutate func(*mfspay.CreatePaymentRequest)
	}{
		{"customer.name", func(r *mfspay.CreatePaymentRequest) { r.Customer.Name = " " }},
		{"customer.email", func(r *mfspay.CreatePaymentRequest) { r.Customer.Email = "" }},
		{"metadata", func(r *mfspay.CreatePaymentRequest) { r.Metadata = map[string]string{"order_id": "OTHER"} }},
		// The payment's id comes back only with the customer's return (the
		// create answers none, nothing is found by invoice, and a v2 IPN
		// may be sent only by hand): without a return URL the merchant may
		// never learn of a paid payment.
		{"return_url", func(r *mfspay.CreatePaymentRequest) { r.ReturnURL = "" }},
	} {
		req := request()
		tc.mutate(&req)
		before := s.requests(t)
		co, err := s.gw.CreatePayment(bg, req)
		require.ErrorIs(t, err, mfspay.ErrInvalidRequest, tc.field)
		assert.Nil(t, co)
		var e *mfspay.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, tc.field, e.Field)
		assert.Equal(t, before, s.requests(t), "%s: nothing sent", tc.field)
	}
}

func TestCreateErrorsByKind(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault simctl.Fault
		kind  error
	}{
		{"401", simctl.Fault{Status: 401, Body: `{"status":false,"message":"Invalid API Key"}`}, mfspay.ErrUnauthorized},
		{"422", simctl.Fault{Status: 422, Body: `{"status":false,"message":"The amount field is required."}`}, mfspay.ErrInvalidRequest},
		{"domain not allowed", simctl.Fault{Status: 400, Body: `{"status":false,"message":"Domain not allowed for API access. Requested domain: a.example, Allowed domains: b.example"}`}, mfspay.ErrForbidden},
		{"403", simctl.Fault{Status: 403, Body: `{"status":false,"message":"Forbidden"}`}, mfspay.ErrForbidden},
		{"200 status false", simctl.Fault{Status: 200, Body: `{"status":false,"message":"The email must be a valid email address."}`}, mfspay.ErrInvalidRequest},
		{"200 invalid key", simctl.Fault{Status: 200, Body: `{"status":false,"message":"Invalid API Key"}`}, mfspay.ErrUnauthorized},
		{"500 after processing", simctl.Fault{Status: 500, AfterProcessing: true}, mfspay.ErrOutcomeUnknown},
		{"200 without payment_url", simctl.Fault{Status: 200, Body: `{"status":true,"message":"Payment Url"}`}, mfspay.ErrOutcomeUnknown},
		{"200 relative payment_url", simctl.Fault{Status: 200, Body: `{"status":true,"payment_url":"/payment/abc"}`}, mfspay.ErrOutcomeUnknown},
		{"200 HTML", simctl.Fault{Status: 200, ContentType: "text/html", Body: "<html>maintenance</html>"}, mfspay.ErrOutcomeUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			require.NoError(t, s.sim.Fail(bg, tc.fault))
			co, err := s.gw.CreatePayment(bg, request())
			require.ErrorIs(t, err, tc.kind)
			assert.Nil(t, co)
			assert.Equal(t, 1, s.requests(t), "a create is sent once")
			if tc.kind == mfspay.ErrOutcomeUnknown && !strings.Contains(tc.name, "payment_url") {
				assert.Contains(t, err.Error(), "creating it again is money-safe")
			}
		})
	}
}

func TestConfigRefusesWhatCannotWork(t *testing.T) {
	for _, tc := range []struct {
		cfg   uddoktapay.Config
		field string
	}{
		{uddoktapay.Config{APIKey: "k1234567"}, "base_url"},
		{uddoktapay.Config{BaseURL: "ftp://pay.example", APIKey: "k1234567"}, "base_url"},
		{uddoktapay.Config{BaseURL: uddoktapay.SandboxBaseURL}, "api_key"},
		{uddoktapay.Config{BaseURL: uddoktapay.SandboxBaseURL, APIKey: "secret key"}, "api_key"},
		{uddoktapay.Config{BaseURL: uddoktapay.SandboxBaseURL, APIKey: "k1234567", AcceptedKeys: []string{"old\nkey"}}, "accepted_api_keys"},
	} {
		_, err := uddoktapay.New(tc.cfg)
		require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
		var e *mfspay.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, tc.field, e.Field)
		for _, k := range append([]string{tc.cfg.APIKey}, tc.cfg.AcceptedKeys...) {
			if k != "" {
				assert.NotContains(t, err.Error(), k, "a key in a configuration error")
			}
		}
	}
	gw, err := uddoktapay.FromSettings(map[string]string{"base_url": " https://pay.example/brand/ ", "api_key": "k1234567",
		"accepted_api_keys": "old12345, older123"}, mfspay.Resilience{})
	require.NoError(t, err)
	assert.Equal(t, uddoktapay.ProviderName, gw.Provider())
	assert.True(t, strings.HasPrefix(string(gw.Capabilities().Webhook), "shared"))
}

func TestCapabilitiesAreHonest(t *testing.T) {
	s := newStack(t)
	caps := s.gw.Capabilities()
	assert.Equal(t, mfspay.Capabilities{
		VerifyByPaymentID: true,
		Webhook:           mfspay.WebhookSharedSecret,
		EventTypes:        []mfspay.EventType{mfspay.EventPaymentPending, mfspay.EventPaymentCompleted, mfspay.EventPaymentFailed},
		Statuses:          []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed},
		Return:            mfspay.ReturnVerify,
		PaymentIDLater:    true,
	}, caps)
	_, co := s.create(t)
	before := s.requests(t)
	_, err := s.gw.VerifyPayment(bg, mfspay.PaymentRef{InvoiceID: co.InvoiceID})
	assert.ErrorIs(t, err, mfspay.ErrUnsupported, "no lookup by the merchant's invoice")
	_, err = s.gw.ListPayments(bg, mfspay.ListQuery{})
	assert.ErrorIs(t, err, mfspay.ErrUnsupported)
	assert.Equal(t, before, s.requests(t))
}
