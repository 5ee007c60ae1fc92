package mfspay_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

// requireInvalid checks err is an ErrInvalidRequest *Error naming field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, mfspay.ErrInvalidRequest)
	var e *mfspay.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, field, e.Field)
	assert.Contains(t, err.Error(), field)
}

func TestCreatePaymentRequestValidateAccepts(t *testing.T) {
	full := validCreate
	full.Amount = mfspay.Poisha(1)
	full.InvoiceID = strings.Repeat("a", mfspay.MaxInvoiceIDLen)
	full.Customer = mfspay.Customer{Name: "রহিম খান", Email: "rahim@example.com", Phone: "+8801712345678"}
	full.WebhookURL = "http://127.0.0.1:8080/webhook?shop=1"
	full.Metadata = map[string]string{"order_id": "ORD-123", "note": ""}

	for name, req := range map[string]mfspay.CreatePaymentRequest{
		"minimal":            validCreate,
		"full":               full,
		"invoice characters": withInvoice("INV-2026_01.a:B9"),
		"local phone":        withCustomer(mfspay.Customer{Phone: "01712345678"}),
		"max metadata": withMetadata(func() map[string]string {
			m := map[string]string{}
			for i := range mfspay.MaxMetadataEntries {
				m[fmt.Sprint("k", i)] = "v"
			}
			return m
		}()),
		"max metadata bytes": withMetadata(map[string]string{"k": strings.Repeat("x", mfspay.MaxMetadataBytes-1)}),
		"max url":            withSuccessURL("https://shop.example/" + strings.Repeat("a", mfspay.MaxURLLen-len("https://shop.example/"))),
	} {
		t.Run(name, func(t *testing.T) {
			assert.NoError(t, req.Validate())
		})
	}
}

func TestCreatePaymentRequestValidateRejects(t *testing.T) {
	tests := []struct {
		name  string
		req   mfspay.CreatePaymentRequest
		field string
	}{
		{"zero amount", withAmount(0), "amount"},
		{"negative amount", withAmount(-1), "amount"},
		{"no invoice", withInvoice(""), "invoice_id"},
		{"long invoice", withInvoice(strings.Repeat("a", mfspay.MaxInvoiceIDLen+1)), "invoice_id"},
		{"invoice with space", withInvoice("INV 1"), "invoice_id"},
		{"invoice with slash", withInvoice("INV/1"), "invoice_id"},
		{"invoice with query", withInvoice("INV?x=1"), "invoice_id"},
		{"invoice non-ascii", withInvoice("INV-১"), "invoice_id"},
		{"no success url", withSuccessURL(""), "success_url"},
		{"relative success url", withSuccessURL("/ok"), "success_url"},
		{"ftp success url", withSuccessURL("ftp://shop.example/ok"), "success_url"},
		{"javascript success url", withSuccessURL("javascript:alert(1)"), "success_url"},
		{"success url with user", withSuccessURL("https://user:pw@shop.example/ok"), "success_url"},
		{"success url without host", withSuccessURL("https:///ok"), "success_url"},
		{"long success url", withSuccessURL("https://shop.example/" + strings.Repeat("a", mfspay.MaxURLLen)), "success_url"},
		{"success url control char", withSuccessURL("https://shop.example/\nok"), "success_url"},
		{"no cancel url", withCancelURL(""), "cancel_url"},
		{"relative cancel url", withCancelURL("cancel"), "cancel_url"},
		{"relative webhook url", withWebhookURL("/webhook"), "webhook_url"},
		{"mailto webhook url", withWebhookURL("mailto:a@b.c"), "webhook_url"},
		{"long name", withCustomer(mfspay.Customer{Name: strings.Repeat("a", 201)}), "customer.name"},
		{"name control char", withCustomer(mfspay.Customer{Name: "Rahim\x00"}), "customer.name"},
		{"name bad utf8", withCustomer(mfspay.Customer{Name: "\xff"}), "customer.name"},
		{"email without at", withCustomer(mfspay.Customer{Email: "rahim.example.com"}), "customer.email"},
		{"email control char", withCustomer(mfspay.Customer{Email: "ra\nhim@example.com"}), "customer.email"},
		{"long email", withCustomer(mfspay.Customer{Email: strings.Repeat("a", 250) + "@b.cd"}), "customer.email"},
		{"phone letters", withCustomer(mfspay.Customer{Phone: "01712-345678"}), "customer.phone"},
		{"phone short", withCustomer(mfspay.Customer{Phone: "1234"}), "customer.phone"},
		{"phone long", withCustomer(mfspay.Customer{Phone: strings.Repeat("1", 21)}), "customer.phone"},
		{"phone inner plus", withCustomer(mfspay.Customer{Phone: "0171+345678"}), "customer.phone"},
		{"too many metadata entries", withMetadata(func() map[string]string {
			m := map[string]string{}
			for i := range mfspay.MaxMetadataEntries + 1 {
				m[fmt.Sprint("k", i)] = "v"
			}
			return m
		}()), "metadata"},
		{"empty metadata key", withMetadata(map[string]string{"": "v"}), "metadata"},
		{"metadata bad utf8", withMetadata(map[string]string{"k": "\xff"}), "metadata"},
		{"metadata too large", withMetadata(map[string]string{"k": strings.Repeat("x", mfspay.MaxMetadataBytes)}), "metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireInvalid(t, tt.req.Validate(), tt.field)
		})
	}
}

func withAmount(a mfspay.Amount) mfspay.CreatePaymentRequest {
	r := validCreate
	r.Amount = a
	return r
}

func withInvoice(id string) mfspay.CreatePaymentRequest {
	r := validCreate
	r.InvoiceID = id
	return r
}

func withSuccessURL(u string) mfspay.CreatePaymentRequest {
	r := validCreate
	r.SuccessURL = u
	return r
}

func withCancelURL(u string) mfspay.CreatePaymentRequest {
	r := validCreate
	r.CancelURL = u
	return r
}

func withWebhookURL(u string) mfspay.CreatePaymentRequest {
	r := validCreate
	r.WebhookURL = u
	return r
}

func withCustomer(c mfspay.Customer) mfspay.CreatePaymentRequest {
	r := validCreate
	r.Customer = c
	return r
}

func withMetadata(m map[string]string) mfspay.CreatePaymentRequest {
	r := validCreate
	r.Metadata = m
	return r
}

func TestPaymentRefValidate(t *testing.T) {
	tests := []struct {
		name  string
		ref   mfspay.PaymentRef
		field string // empty: valid
	}{
		{"invoice", mfspay.PaymentRef{InvoiceID: "INV-1"}, ""},
		{"payment id", mfspay.PaymentRef{PaymentID: "pay_abc123xyz"}, ""},
		{"neither", mfspay.PaymentRef{}, "ref"},
		{"both", mfspay.PaymentRef{InvoiceID: "INV-1", PaymentID: "pay_1"}, "ref"},
		{"bad invoice", mfspay.PaymentRef{InvoiceID: "INV 1"}, "invoice_id"},
		{"long invoice", mfspay.PaymentRef{InvoiceID: strings.Repeat("a", mfspay.MaxInvoiceIDLen+1)}, "invoice_id"},
		{"payment id with slash", mfspay.PaymentRef{PaymentID: "../admin"}, "payment_id"},
		{"payment id with query", mfspay.PaymentRef{PaymentID: "pay?x=1"}, "payment_id"},
		{"payment id with ampersand", mfspay.PaymentRef{PaymentID: "pay&token=x"}, "payment_id"},
		{"payment id with hash", mfspay.PaymentRef{PaymentID: "pay#1"}, "payment_id"},
		{"payment id with space", mfspay.PaymentRef{PaymentID: "pay 1"}, "payment_id"},
		{"payment id control char", mfspay.PaymentRef{PaymentID: "pay\r\n1"}, "payment_id"},
		{"payment id too long", mfspay.PaymentRef{PaymentID: strings.Repeat("p", 129)}, "payment_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.ref.Validate()
			if tt.field == "" {
				assert.NoError(t, err)
				return
			}
			requireInvalid(t, err, tt.field)
		})
	}
}

func TestListQueryNormalize(t *testing.T) {
	tests := []struct {
		name  string
		q     mfspay.ListQuery
		max   int
		want  mfspay.ListQuery
		field string // empty: valid
	}{
		{"defaults", mfspay.ListQuery{}, 100, mfspay.ListQuery{Page: 1, PerPage: mfspay.DefaultPerPage}, ""},
		{"default capped by provider", mfspay.ListQuery{}, 10, mfspay.ListQuery{Page: 1, PerPage: 10}, ""},
		{"no provider max", mfspay.ListQuery{PerPage: 500}, 0, mfspay.ListQuery{Page: 1, PerPage: 500}, ""},
		{"kept", mfspay.ListQuery{Status: mfspay.StatusPaid, Page: 3, PerPage: 100}, 100,
			mfspay.ListQuery{Status: mfspay.StatusPaid, Page: 3, PerPage: 100}, ""},
		{"negative page", mfspay.ListQuery{Page: -1}, 100, mfspay.ListQuery{}, "page"},
		{"negative per page", mfspay.ListQuery{PerPage: -1}, 100, mfspay.ListQuery{}, "per_page"},
		{"per page over max", mfspay.ListQuery{PerPage: 101}, 100, mfspay.ListQuery{}, "per_page"},
		{"unknown status", mfspay.ListQuery{Status: mfspay.StatusUnknown}, 100, mfspay.ListQuery{}, "status"},
		{"invalid status", mfspay.ListQuery{Status: "PAID"}, 100, mfspay.ListQuery{}, "status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.q.Normalize(tt.max)
			if tt.field == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			requireInvalid(t, err, tt.field)
		})
	}
}
