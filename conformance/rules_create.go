package conformance

import (
	"net/url"
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

// invalidCreate is a create request the gateway must refuse itself.
type invalidCreate struct {
	name   string
	mutate func(req *mfspay.CreatePaymentRequest)
}

var invalidCreates = []invalidCreate{
	{"ZeroAmount", func(r *mfspay.CreatePaymentRequest) { r.Amount = 0 }},
	{"NegativeAmount", func(r *mfspay.CreatePaymentRequest) { r.Amount = -mfspay.Taka(10) }},
	{"MissingInvoiceID", func(r *mfspay.CreatePaymentRequest) { r.InvoiceID = "" }},
	{"OverlongInvoiceID", func(r *mfspay.CreatePaymentRequest) {
		r.InvoiceID = strings.Repeat("A", mfspay.MaxInvoiceIDLen+1)
	}},
	{"InvoiceIDWithSpaces", func(r *mfspay.CreatePaymentRequest) { r.InvoiceID = "INV 1/2" }},
	{"RelativeSuccessURL", func(r *mfspay.CreatePaymentRequest) { r.SuccessURL = "/ok" }},
	{"RelativeCancelURL", func(r *mfspay.CreatePaymentRequest) { r.CancelURL = "cancel" }},
	{"RelativeWebhookURL", func(r *mfspay.CreatePaymentRequest) { r.WebhookURL = "/wh" }},
	{"NonHTTPSuccessURL", func(r *mfspay.CreatePaymentRequest) { r.SuccessURL = "javascript:alert(1)" }},
	{"OverlongSuccessURL", func(r *mfspay.CreatePaymentRequest) {
		r.SuccessURL = "https://shop.example/" + strings.Repeat("x", mfspay.MaxURLLen)
	}},
	{"OverlongCustomerName", func(r *mfspay.CreatePaymentRequest) { r.Customer.Name = strings.Repeat("N", 201) }},
	{"OverlongMetadata", func(r *mfspay.CreatePaymentRequest) {
		r.Metadata = map[string]string{"note": strings.Repeat("m", mfspay.MaxMetadataBytes+1)}
	}},
}

// createRules check CreatePayment: what comes back, what the provider
// holds, and that invalid requests never leave the process.
func (s *suite) createRules(r Reporter) {
	s.rule(r, "ReturnsPendingCheckout", func(c *check) {
		req := s.request(mustAmount("250.50"))
		start := time.Now()
		co := c.create(c.gateway(), req)
		assert.Equal(c, s.provider, co.Provider, "Checkout.Provider")
		assert.Equal(c, req.InvoiceID, co.InvoiceID, "Checkout.InvoiceID")
		assert.Equal(c, mfspay.StatusPending, co.Status, "Checkout.Status")
		u, err := url.Parse(co.RedirectURL)
		if assert.NoError(c, err, "Checkout.RedirectURL %q", co.RedirectURL) {
			assert.True(c, u.IsAbs() && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "",
				"Checkout.RedirectURL %q is not an absolute http(s) URL", co.RedirectURL)
		}
		if !co.ExpiresAt.IsZero() {
			assert.True(c, co.ExpiresAt.After(start), "Checkout.ExpiresAt %v is not in the future", co.ExpiresAt)
		}
	})
	s.rule(r, "RegistersExactlyOnePayment", func(c *check) {
		before := c.requests()
		req, co := c.newPayment(mfspay.Taka(100))
		assert.Equal(c, 1, c.payments(req.InvoiceID), "payments the provider holds for the invoice")
		assert.Greater(c, c.requests(), before, "the create reached no provider")
		_, co2 := c.newPayment(mfspay.Taka(100))
		// Where the create names no payment, its page is what tells
		// payments apart.
		assert.NotEqual(c, handle(co), handle(co2), "two creates returned one payment id (or, naming none, one redirect URL)")
	})
	for _, tc := range invalidCreates {
		s.rule(r, "Rejects"+tc.name+"WithoutTraffic", func(c *check) {
			gw := c.gateway()
			req := s.request(mfspay.Taka(100))
			tc.mutate(&req)
			c.noTraffic("an invalid create", func() {
				co, err := gw.CreatePayment(c.ctx, req)
				require.ErrorIs(c, err, mfspay.ErrInvalidRequest)
				assert.Nil(c, co, "a checkout next to the error")
			})
			if req.InvoiceID != "" && len(req.InvoiceID) <= mfspay.MaxInvoiceIDLen {
				assert.Zero(c, c.payments(req.InvoiceID), "the provider holds a payment for the invalid request")
			}
		})
	}
}
