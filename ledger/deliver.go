package ledger

import (
	"context"
	"errors"
	"time"

	"github.com/mfspay/mfspay"
)

// Deliverer hands a verified state change to the merchant. It is the seam
// between the reconciler and the notification path: the webhook handler
// implements it, so that a change the reconciler finds goes through the
// same de-duplication store, amount check and callback as a notification,
// and a payment is delivered once whichever of the two sees it first.
//
// Deliver receives a normalised, verified event (see SweepEvent). It returns
// nil once the change is durably handled — or was already delivered — and
// an error to have the reconciler try again at a later sweep. It must be
// safe for concurrent use.
type Deliverer interface {
	Deliver(ctx context.Context, ev *mfspay.Event) error
}

// DelivererFunc adapts a function to Deliverer.
type DelivererFunc func(ctx context.Context, ev *mfspay.Event) error

// Deliver calls f.
func (f DelivererFunc) Deliver(ctx context.Context, ev *mfspay.Event) error { return f(ctx, ev) }

// SweepEventPrefix starts the ID of every event the reconciler delivers,
// which tells them from notifications.
const SweepEventPrefix = "sweep:"

// SweepEvent is the event announcing that the payment p of entry e was
// verified in status p.Status. Its ID is stable for one payment in one
// state: "sweep:" + provider + ":" + payment id (the invoice id when the
// provider gave none) + ":" + status. The payment's invoice and payment ids
// are filled from the entry where the provider left them out.
func SweepEvent(e Entry, p mfspay.Payment) (*mfspay.Event, bool) {
	typ, ok := mfspay.EventTypeFor(p.Status)
	if !ok {
		return nil, false
	}
	if p.InvoiceID == "" {
		p.InvoiceID = e.InvoiceID
	}
	if p.PaymentID == "" {
		p.PaymentID = e.PaymentID
	}
	p.Provider = e.Provider
	ref := p.PaymentID
	if ref == "" {
		ref = p.InvoiceID
	}
	return &mfspay.Event{
		ID:       SweepEventPrefix + e.Provider + ":" + ref + ":" + string(p.Status),
		Provider: e.Provider,
		Type:     typ,
		Payment:  p,
	}, true
}

// EventChange turns a delivered event into the change to record with
// Store.Apply, learnt from src at at. It reports false for events that carry
// no payment state (transaction.received, or a status the adapter could not
// map).
func EventChange(ev *mfspay.Event, src Source, at time.Time) (Change, bool) {
	if ev == nil || ev.Type == mfspay.EventTransactionReceived {
		return Change{}, false
	}
	p := ev.Payment
	c := Change{
		Provider:  ev.Provider,
		InvoiceID: p.InvoiceID,
		PaymentID: p.PaymentID,
		Status:    p.Status,
		Amount:    p.Amount,
		TrxID:     p.TrxID,
		Method:    p.Method,
		At:        at,
		Source:    src,
	}
	if c.Provider == "" {
		c.Provider = p.Provider
	}
	return c, c.Validate() == nil
}

// ExpectedAmount returns a function that answers what the merchant expects
// to be paid for an invoice at a provider: the amount recorded when the
// payment was created. It has the shape of webhook.ExpectedAmountFunc, so
// the webhook handler's amount check can read the ledger; an invoice the
// ledger does not hold is reported as unknown (ok false).
func ExpectedAmount(s Store) func(ctx context.Context, provider, invoiceID string) (mfspay.Amount, bool, error) {
	return func(ctx context.Context, provider, invoiceID string) (mfspay.Amount, bool, error) {
		e, err := s.ByInvoice(ctx, provider, invoiceID)
		switch {
		case errors.Is(err, ErrNoEntry):
			return 0, false, nil
		case err != nil:
			return 0, false, err
		}
		return e.Amount, true, nil
	}
}
