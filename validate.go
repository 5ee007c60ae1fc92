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
		return Invalid("", op, "amount", "must be greater than zero")
	}
	if err := validInvoiceID(r.InvoiceID); err != "" {
		return Invalid("", op, "invoice_id", err)
	}
	for _, u := range []struct{ field, value string }{
		{"success_url", r.SuccessURL}, {"cancel_url", r.CancelURL},
	} {
		if err := validURL(u.value); err != "" {
			return Invalid("", op, u.field, err)
		}
	}
	if r.WebhookURL != "" {
		if err := validURL(r.WebhookURL); err != "" {
			return Invalid("", op, "webhook_url", err)
		}
	}
	if err := validText(r.Customer.Name, 200); err != "" {
		return Invalid("", op, "customer.name", err)
	}
	if r.Customer.Email != "" && (!strings.Contains(r.Customer.Email, "@") || validText(r.Customer.Email, 254) != "") {
		return Invalid("", op, "customer.email", "is not an email address")
	}
	if r.Customer.Phone != "" && !validPhone(r.Customer.Phone) {
		return Invalid("", op, "customer.phone", "must be digits with an optional leading +")
	}
	if len(r.Metadata) > MaxMetadataEntries {
		return Invalid("", op, "metadata", "has too many entries")
	}
	size := 0
	for k, v := range r.Metadata {
		if k == "" {
			return Invalid("", op, "metadata", "has an empty key")
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return Invalid("", op, "metadata", "is not valid UTF-8")
		}
		size += len(k) + len(v)
	}
	if size > MaxMetadataBytes {
		return Invalid("", op, "metadata", "is too large")
	}
	return nil
}

// Validate checks that exactly one of InvoiceID and PaymentID is set.
func (r PaymentRef) Validate() error {
	switch {
	case r.InvoiceID == "" && r.PaymentID == "":
		return Invalid("", "verify", "ref", "needs an invoice id or a payment id")
	case r.InvoiceID != "" && r.PaymentID != "":
		return Invalid("", "verify", "ref", "takes an invoice id or a payment id, not both")
	case r.InvoiceID != "":
		if err := validInvoiceID(r.InvoiceID); err != "" {
			return Invalid("", "verify", "invoice_id", err)
		}
	default:
		if err := validPaymentID(r.PaymentID); err != "" {
			return Invalid("", "verify", "payment_id", err)
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
		return q, Invalid("", "list", "page", "must not be negative")
	}
	if q.PerPage < 0 {
		return q, Invalid("", "list", "per_page", "must not be negative")
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
		return q, Invalid("", "list", "per_page", "is larger than the provider allows")
	}
	if q.Status != "" && (!q.Status.Valid() || q.Status == StatusUnknown) {
		return q, Invalid("", "list", "status", "is not a payment status")
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
	if plainHTTPURL(raw) {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "must be an absolute http or https URL"
	}
	return ""
}

// plainHTTPURL reports, without allocating, URLs that url.Parse certainly
// accepts as absolute http(s) URLs with a host and no user information: a
// lowercase scheme, a host of letters, digits, dots and hyphens with an
// optional numeric port, then a path and query of unreserved characters,
// '/', '?', '=' and '&'. Every other URL is left to url.Parse. It keeps
// validation cheap on the paths that must be: failing fast on an open
// breaker validates first.
func plainHTTPURL(s string) bool {
	switch {
	case strings.HasPrefix(s, "https://"):
		s = s[len("https://"):]
	case strings.HasPrefix(s, "http://"):
		s = s[len("http://"):]
	default:
		return false
	}
	i := 0
	for i < len(s) && (isAlnum(s[i]) || s[i] == '.' || s[i] == '-') {
		i++
	}
	if i == 0 {
		return false
	}
	if i < len(s) && s[i] == ':' {
		for i++; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		}
	}
	if i < len(s) && s[i] != '/' && s[i] != '?' {
		return false
	}
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case isAlnum(c), c == '/', c == '?', c == '=', c == '&', c == '.', c == '_', c == '~', c == '-':
		default:
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
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
