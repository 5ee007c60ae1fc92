package mfspay

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Limits shared by every adapter. Providers may be stricter; adapters check
// their own limits after these.
const (
	// MaxInvoiceIDLen bounds CreatePaymentRequest.InvoiceID.
	MaxInvoiceIDLen = 64
	// MaxURLLen bounds every URL in a request.
	MaxURLLen = 2048
	// MaxMetadataEntries and MaxMetadataBytes bound CreatePaymentRequest.Metadata.
	MaxMetadataEntries = 32
	MaxMetadataBytes   = 4096
	// DefaultPerPage is the page size used when ListQuery.PerPage is zero.
	DefaultPerPage = 20
)

// Validate checks what every provider needs of a create request, before any
// network traffic: a positive amount, a sane invoice id, absolute http(s)
// success and cancel URLs, a webhook URL that is absolute when set, and
// bounded metadata. It returns an ErrInvalidRequest *Error naming the field.
func (r CreatePaymentRequest) Validate() error {
	const op = "create"
	if r.Amount <= 0 {
		return invalid(op, "amount", "must be greater than zero")
	}
	if err := validInvoiceID(r.InvoiceID); err != "" {
		return invalid(op, "invoice_id", err)
	}
	for _, u := range []struct{ field, value string }{
		{"success_url", r.SuccessURL}, {"cancel_url", r.CancelURL},
	} {
		if err := validURL(u.value); err != "" {
			return invalid(op, u.field, err)
		}
	}
	if r.WebhookURL != "" {
		if err := validURL(r.WebhookURL); err != "" {
			return invalid(op, "webhook_url", err)
		}
	}
	if r.ReturnURL != "" {
		if err := validURL(r.ReturnURL); err != "" {
			return invalid(op, "return_url", err)
		}
	}
	if err := validText(r.Customer.Name, 200); err != "" {
		return invalid(op, "customer.name", err)
	}
	if r.Customer.Email != "" && (!strings.Contains(r.Customer.Email, "@") || validText(r.Customer.Email, 254) != "") {
		return invalid(op, "customer.email", "is not an email address")
	}
	if r.Customer.Phone != "" && !validPhone(r.Customer.Phone) {
		return invalid(op, "customer.phone", "must be digits with an optional leading +")
	}
	if len(r.Metadata) > MaxMetadataEntries {
		return invalid(op, "metadata", "has too many entries")
	}
	size := 0
	for k, v := range r.Metadata {
		if k == "" {
			return invalid(op, "metadata", "has an empty key")
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return invalid(op, "metadata", "is not valid UTF-8")
		}
		size += len(k) + len(v)
	}
	if size > MaxMetadataBytes {
		return invalid(op, "metadata", "is too large")
	}
	return nil
}

// Validate checks that exactly one of InvoiceID and PaymentID is set.
func (r PaymentRef) Validate() error {
	switch {
	case r.InvoiceID == "" && r.PaymentID == "":
		return invalid("verify", "ref", "needs an invoice id or a payment id")
	case r.InvoiceID != "" && r.PaymentID != "":
		return invalid("verify", "ref", "takes an invoice id or a payment id, not both")
	case r.InvoiceID != "":
		if err := validInvoiceID(r.InvoiceID); err != "" {
			return invalid("verify", "invoice_id", err)
		}
	default:
		if err := validPaymentID(r.PaymentID); err != "" {
			return invalid("verify", "payment_id", err)
		}
	}
	return nil
}

// validPaymentID checks a provider's payment id: plain text that can travel
// in a URL path or query unescaped.
func validPaymentID(id string) string {
	if validText(id, 128) != "" || strings.ContainsAny(id, " /?#&") {
		return "is not a payment id"
	}
	return ""
}

// Normalize returns q with defaults filled in (page 1, DefaultPerPage) and
// checks it against maxPerPage.
func (q ListQuery) Normalize(maxPerPage int) (ListQuery, error) {
	if q.Page < 0 {
		return q, invalid("list", "page", "must not be negative")
	}
	if q.PerPage < 0 {
		return q, invalid("list", "per_page", "must not be negative")
	}
	if q.Page == 0 {
		q.Page = 1
	}
	if q.PerPage == 0 {
		q.PerPage = DefaultPerPage
		if maxPerPage > 0 && q.PerPage > maxPerPage {
			q.PerPage = maxPerPage
		}
	}
	if maxPerPage > 0 && q.PerPage > maxPerPage {
		return q, invalid("list", "per_page", "is larger than the provider allows")
	}
	if q.Status != "" && (!q.Status.Valid() || q.Status == StatusUnknown) {
		return q, invalid("list", "status", "is not a payment status")
	}
	return q, nil
}

func validInvoiceID(id string) string {
	if id == "" {
		return "is required"
	}
	if len(id) > MaxInvoiceIDLen {
		return "is too long"
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':'
		if !ok {
			return "may hold only letters, digits and - _ . :"
		}
	}
	return ""
}

func validURL(raw string) string {
	if raw == "" {
		return "is required"
	}
	if len(raw) > MaxURLLen {
		return "is too long"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "must be an absolute http or https URL"
	}
	return ""
}

func validText(s string, max int) string {
	if len(s) > max {
		return "is too long"
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "contains control characters"
		}
	}
	return ""
}

func validPhone(p string) bool {
	if len(p) < 5 || len(p) > 20 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '+' && i == 0 {
			continue
		}
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}
