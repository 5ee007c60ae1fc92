package wezopay

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// Verify asks WezoPay for the payment's current state, by invoice id or by
// token (the PaymentID).
func (g *gateway) Verify(ctx context.Context, ref mfspay.PaymentRef) (*mfspay.Payment, error) {
	// What url.Values.Encode gives for the one parameter, without the map.
	query := "token=" + url.QueryEscape(ref.PaymentID)
	if ref.InvoiceID != "" {
		query = "invoice_id=" + url.QueryEscape(ref.InvoiceID)
	}
	env, resp, err := g.get(ctx, mfspay.OpVerify, "/payments/verify?"+query)
	if err != nil {
		return nil, err
	}
	p, err := parsePayment(env.Data)
	if err != nil {
		return nil, g.malformed(mfspay.OpVerify, resp, err)
	}
	return &p, nil
}

// listMeta is the list answer's pagination block.
type listMeta struct {
	Page     int `json:"page"`
	PerPage  int `json:"per_page"`
	Total    int `json:"total"`
	LastPage int `json:"last_page"`
}

// List returns one page of payments, newest first, optionally only those
// with q.Status.
func (g *gateway) List(ctx context.Context, q mfspay.ListQuery) (*mfspay.PaymentPage, error) {
	params := url.Values{}
	params.Set("page", strconv.Itoa(q.Page))
	params.Set("per_page", strconv.Itoa(q.PerPage))
	if q.Status != "" {
		params.Set("status", providerStatus(q.Status))
	}
	env, resp, err := g.get(ctx, mfspay.OpList, "/payments/list?"+params.Encode())
	if err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if isNull(env.Data) || json.Unmarshal(env.Data, &items) != nil {
		return nil, g.malformed(mfspay.OpList, resp, &badField{"data", "is not a list"})
	}
	var meta listMeta
	if err := json.Unmarshal(env.Meta, &meta); err != nil || isNull(env.Meta) ||
		meta.Page < 1 || meta.PerPage < 1 || meta.Total < 0 || meta.LastPage < 0 || len(items) > meta.PerPage {
		return nil, g.malformed(mfspay.OpList, resp, &badField{"meta", "is missing or inconsistent"})
	}
	page := &mfspay.PaymentPage{
		Payments: make([]mfspay.Payment, 0, len(items)),
		Page:     meta.Page,
		PerPage:  meta.PerPage,
		Total:    meta.Total,
		HasMore:  meta.Page < meta.LastPage,
	}
	for _, item := range items {
		p, err := parsePayment(item)
		if err != nil {
			return nil, g.malformed(mfspay.OpList, resp, err)
		}
		page.Payments = append(page.Payments, p)
	}
	return page, nil
}

// get performs a read and returns its successful envelope, or the error
// its answer amounts to.
func (g *gateway) get(ctx context.Context, op, pathAndQuery string) (envelope, *kit.HTTPResponse, error) {
	resp, err := g.http.Do(ctx, kit.HTTPRequest{
		Op:         op,
		Method:     http.MethodGet,
		URL:        g.base + pathAndQuery,
		Header:     g.headers(false),
		Idempotent: true,
	})
	if err != nil {
		return envelope{}, nil, err
	}
	if !resp.OK() {
		return envelope{}, resp, g.statusError(op, resp)
	}
	env, ok := decodeEnvelope(resp.Body)
	if !ok {
		return envelope{}, resp, g.malformed(op, resp, nil)
	}
	if !env.succeeded() {
		return envelope{}, resp, g.unsuccessful(op, resp, env)
	}
	return env, resp, nil
}
