package nodipay

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// Verify asks NodiPay for the payment's current state, by invoice id or by
// payment id.
func (g *gateway) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	p, _, _, err := g.fetch(ctx, ref)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// fetch reads one payment object.
func (g *gateway) fetch(ctx context.Context, ref mfspay.PaymentRef) (mfspay.Payment, *wirePayment, *kit.HTTPResponse, error) {
	path := "/payments/" + url.PathEscape(ref.PaymentID)
	if ref.InvoiceID != "" {
		path = "/invoices/" + url.PathEscape(ref.InvoiceID) + "/payment"
	}
	resp, err := g.get(ctx, mfspay.OpVerify, path)
	if err != nil {
		return mfspay.Payment{}, nil, nil, err
	}
	p, w, err := decodePayment(resp.Body)
	if err != nil {
		return mfspay.Payment{}, nil, nil, g.malformed(mfspay.OpVerify, resp, err)
	}
	// An answer about another payment than the one asked for must never
	// confirm anything.
	if ref.InvoiceID != "" && p.InvoiceID != ref.InvoiceID || ref.PaymentID != "" && p.PaymentID != ref.PaymentID {
		return mfspay.Payment{}, nil, nil, g.malformed(mfspay.OpVerify, resp, &badField{"payment", "does not match the request"})
	}
	return p, w, resp, nil
}

// List returns one page of payments, newest first, optionally only
// those with q.Status.
func (g *gateway) List(ctx context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	params := url.Values{}
	params.Set("page", strconv.Itoa(q.Page))
	params.Set("per_page", strconv.Itoa(q.PerPage))
	if q.Status != "" {
		params.Set("status", wireStatus(q.Status))
	}
	resp, err := g.get(ctx, mfspay.OpList, "/payments?"+params.Encode())
	if err != nil {
		return nil, err
	}
	var body listBody
	if err := json.Unmarshal(resp.Body, &body); err != nil || body.Data == nil {
		return nil, g.malformed(mfspay.OpList, resp, &badField{"data", "is not a list"})
	}
	if body.Page != q.Page || body.PerPage != q.PerPage || body.Total < 0 || len(body.Data) > q.PerPage {
		return nil, g.malformed(mfspay.OpList, resp, &badField{"page", "does not match the request"})
	}
	page := &mfspay.PaymentPage{
		Payments: make([]mfspay.Payment, 0, len(body.Data)),
		Page:     body.Page,
		PerPage:  body.PerPage,
		Total:    body.Total,
		HasMore:  body.HasMore,
	}
	for _, raw := range body.Data {
		p, _, err := decodePayment(raw)
		if err != nil {
			return nil, g.malformed(mfspay.OpList, resp, err)
		}
		if q.Status != "" && p.Status != q.Status {
			return nil, g.malformed(mfspay.OpList, resp, &badField{"data", "holds a payment of another status"})
		}
		page.Payments = append(page.Payments, p)
	}
	return page, nil
}

// get performs an idempotent read and maps any non-2xx answer.
func (g *gateway) get(ctx context.Context, op, path string) (*kit.HTTPResponse, error) {
	resp, err := g.http.Do(ctx, kit.HTTPRequest{
		Op:         op,
		Method:     http.MethodGet,
		URL:        g.base + path,
		Header:     g.headers(false),
		Idempotent: true,
	})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, g.statusError(op, resp)
	}
	return resp, nil
}
