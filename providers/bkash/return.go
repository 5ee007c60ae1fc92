package bkash

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// memoLife is how long a final outcome of a return is remembered, so that
// reloads and repeated tabs get it without asking bKash again.
const memoLife = 10 * time.Minute

// returnStatus is what each value of the return's status would mean, if
// bKash confirms it.
var returnStatus = map[string]mfspay.Status{
	"success": mfspay.StatusPaid, "failure": mfspay.StatusFailed, "cancel": mfspay.StatusCancelled,
}

// CompleteReturn executes or settles the payment a customer's return
// names, once per payment, status and invoice (see "The customer's
// return" in the package doc).
func (d *driver) CompleteReturn(ctx context.Context, req mfspay.ReturnRequest) (*mfspay.Event, error) {
	if req.PaymentID != "" {
		return d.completeApproved(ctx, req.PaymentID)
	}
	// The last values: bKash appends its parameters to the merchant's
	// URL, whose own query may use the same names, and the adapter
	// appended ReturnInvoiceParam to that query.
	q := req.Query
	last := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[len(v)-1]
		}
		return ""
	}
	if last("paymentID") == "" && req.Form != nil {
		q = req.Form
	}
	id, status, invoice := last("paymentID"), last("status"), last(ReturnInvoiceParam)
	want, ok := returnStatus[status]
	switch {
	case !ok:
		return nil, kit.Invalid(ProviderName, mfspay.OpReturn, "status", "must be success, failure or cancel")
	case (mfspay.PaymentRef{PaymentID: id}).Validate() != nil:
		return nil, kit.Invalid(ProviderName, mfspay.OpReturn, "paymentID", "is not a bKash payment id")
	case invoice == "":
		return nil, kit.Invalid(ProviderName, mfspay.OpReturn, ReturnInvoiceParam, "is missing: not a return to this gateway")
	}
	// One flight per payment, status and invoice, which outlives a browser
	// that gives up: an execute cut off half way would leave the others
	// waiting on an unknown outcome.
	return fly(ctx, &d.returns, id+"\n"+status+"\n"+invoice, func(ctx context.Context) (*mfspay.Event, error) {
		return d.settle(ctx, id, want, invoice)
	})
}

// fly runs fn in flight f for key (see kit.Flight), each caller getting
// its own copy of the event.
func fly(ctx context.Context, f *kit.Flight[mfspay.Event], key string, fn func(context.Context) (*mfspay.Event, error)) (*mfspay.Event, error) {
	ev, err := f.Do(ctx, key, func(ctx context.Context) (mfspay.Event, error) {
		ev, err := fn(ctx)
		if err != nil {
			return mfspay.Event{}, err
		}
		return *ev, nil
	})
	if err != nil {
		return nil, err
	}
	return &ev, nil
}

// settle finds out what the return amounts to, as the doc of CompleteReturn
// says.
func (d *driver) settle(ctx context.Context, id string, want mfspay.Status, invoice string) (*mfspay.Event, error) {
	pre, err := d.query(ctx, mfspay.OpReturn, id)
	if errors.Is(err, mfspay.ErrNotFound) {
		return nil, kit.Invalid(ProviderName, mfspay.OpReturn, "paymentID", "names no bKash payment")
	}
	if err != nil {
		return nil, err
	}
	switch {
	case pre.PaymentID != id:
		return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: ProviderName, Op: mfspay.OpReturn,
			Message: "the query answered about another payment"}
	case pre.invoice() != invoice:
		return nil, kit.Invalid(ProviderName, mfspay.OpReturn, "paymentID", "does not belong to the invoice in the return")
	case pre.TransactionStatus != "Initiated":
		return event(pre.payment())
	case want == mfspay.StatusPaid:
		return d.execute(ctx, pre)
	}
	p := pre.payment()
	if !pre.verified() {
		p.Status = want
	}
	return event(p)
}

// completeApproved completes a payment named by the merchant's own process
// (a reconciler), for a customer who approved it on bKash's page and never
// came back: it executes only when bKash's query says the customer
// approved it and it still waits; otherwise it reports the payment as it
// stands. One flight per payment, as for returns.
func (d *driver) completeApproved(ctx context.Context, id string) (*mfspay.Event, error) {
	return fly(ctx, &d.returns, id+"\napproved", func(ctx context.Context) (*mfspay.Event, error) {
		pre, err := d.query(ctx, mfspay.OpReturn, id)
		switch {
		case err != nil:
			return nil, err
		case pre.PaymentID != id:
			return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: ProviderName, Op: mfspay.OpReturn,
				Message: "the query answered about another payment"}
		case pre.TransactionStatus == "Initiated" && pre.verified():
			return d.execute(ctx, pre)
		}
		return event(pre.payment())
	})
}

// execute captures an approved payment, querying whenever its answer does
// not settle the outcome. Returns of one payment with another status or
// invoice, and a reconciler's completion, run in flights of their own, so
// execute has one flight per payment, which remembers a final outcome:
// one process sends one execute per payment at a time, and none after it
// is known.
func (d *driver) execute(ctx context.Context, pre *answer) (*mfspay.Event, error) {
	return fly(ctx, &d.executes, pre.PaymentID, func(ctx context.Context) (*mfspay.Event, error) { return d.executeOnce(ctx, pre) })
}

func (d *driver) executeOnce(ctx context.Context, pre *answer) (*mfspay.Event, error) {
	body, _ := json.Marshal(map[string]string{"paymentID": pre.PaymentID})
	resp, err := d.call(ctx, mfspay.OpReturn, "execute", body, false)
	if err == nil && resp.OK() {
		if a, ok := decode(resp.Body); ok && a.Message == nil {
			p := pre.payment()
			switch code, _ := strconv.Atoi(a.StatusCode); {
			case a.StatusCode == "0000" && a.TransactionStatus == "Completed" && a.PaymentID == pre.PaymentID && a.inTaka():
				p = a.payment()
				p.InvoiceID = pre.invoice()
				return event(p)
			case code == 2023 || 2010 <= code && code <= 2019 || 2037 <= code && code <= 2046 || code == 2057 || code == 2058:
				p.Status = mfspay.StatusFailed
				return event(p)
			case code == 2056 || code == 2060:
				return event(p)
			}
		}
	}
	after, err := d.query(ctx, mfspay.OpReturn, pre.PaymentID)
	if err != nil {
		return nil, err
	}
	if after.PaymentID != pre.PaymentID || after.invoice() != pre.invoice() {
		return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: ProviderName, Op: mfspay.OpReturn,
			Message: "the query after execute answered about another payment"}
	}
	return event(after.payment())
}

// event announces p (kit.EventFor): its ID is the same for every return
// that finds the payment in one state.
func event(p mfspay.Payment) (*mfspay.Event, error) {
	return kit.EventFor(ProviderName, "bkash:"+p.PaymentID+":"+string(p.Status), p), nil
}
