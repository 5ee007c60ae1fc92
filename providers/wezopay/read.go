package wezopay

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/mfspay/mfspay"
)

// Verify asks WezoPay for the payment's current state, by invoice id or by
// token (the PaymentID).
func (d *driver) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	query := "token=" + url.QueryEscape(ref.PaymentID)
	if ref.InvoiceID != "" {
		query = "invoice_id=" + url.QueryEscape(ref.InvoiceID)
	}
	env, resp, err := call[*payment](ctx, d, mfspay.OpVerify, http.MethodGet, "/payments/verify?"+query, nil)
	if err != nil {
		return nil, err
	}
	if env.Data == nil {
		return nil, malformed(mfspay.OpVerify, resp, &badField{"data", "is missing"})
	}
	p, err := env.Data.toPayment()
	if err != nil {
		return nil, malformed(mfspay.OpVerify, resp, err)
	}
	return &p, nil
}

// List returns one page of payments, newest first, optionally only those
// with q.Status.
func (d *driver) List(ctx context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	params := url.Values{"page": {strconv.Itoa(q.Page)}, "per_page": {strconv.Itoa(q.PerPage)}}
	for raw, s := range statuses {
		if s == q.Status {
			params.Set("status", raw)
		}
	}
	env, resp, err := call[[]payment](ctx, d, mfspay.OpList, http.MethodGet, "/payments/list?"+params.Encode(), nil)
	if err != nil {
		return nil, err
	}
	meta := env.Meta
	switch {
	case env.Data == nil:
		return nil, malformed(mfspay.OpList, resp, &badField{"data", "is not a list"})
	case meta == nil || meta.Page < 1 || meta.PerPage < 1 || meta.LastPage < 0 || len(env.Data) > meta.PerPage:
		return nil, malformed(mfspay.OpList, resp, &badField{"meta", "is missing or inconsistent"})
	}
	page := &mfspay.PaymentPage{
		Payments: make([]mfspay.Payment, 0, len(env.Data)),
		Page:     meta.Page,
		PerPage:  meta.PerPage,
		Total:    meta.Total,
		HasMore:  meta.Page < meta.LastPage,
	}
	for i := range env.Data {
		p, err := env.Data[i].toPayment()
		if err != nil {
			return nil, malformed(mfspay.OpList, resp, err)
		}
		page.Payments = append(page.Payments, p)
	}
	return page, nil
}
