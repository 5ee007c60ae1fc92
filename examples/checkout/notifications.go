package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
)

// newWebhookHandler receives every provider's notifications at
// /webhooks/{provider}, the customers' returns at /returns/{provider}, and
// what the reconciler finds (it is the reconciler's Deliverer). By the time
// onEvent runs, the handler has authenticated a notification's raw bytes,
// dropped duplicates — keyed by payment and state, so a notification, a
// return and a sweep of the same state deliver once — confirmed the payment
// with the provider when the gateway can verify, and refused a completed
// payment whose amount is not the order's.
func (s *shop) newWebhookHandler() *webhook.Handler {
	opts := []webhook.Option{
		webhook.Confirm(),
		// The orders are the merchant's truth: the amount expected is the
		// order's, whatever the create asked for.
		webhook.ExpectAmount(func(ctx context.Context, provider, invoiceID string) (mfspay.Amount, bool, error) {
			return s.orders.expected(ctx, provider, invoiceID)
		}),
		webhook.OnAmountMismatch(s.onAmountMismatch),
		webhook.ReturnTo(s.returnTo),
		webhook.WithLogger(s.log),
	}
	for _, g := range s.gateways {
		opts = append(opts, webhook.Route(g.GW))
	}
	if s.dedup != nil {
		opts = append(opts, webhook.WithStore(s.dedup))
	}
	return webhook.New(s.onEvent, opts...)
}

// onEvent is the webhook callback: the only way an order becomes paid. It
// updates the order, then records the payment's state in the ledger with
// how it was learnt; an error (the database is down) has the state
// delivered again, by the provider's retry or the next sweep.
func (s *shop) onEvent(ctx context.Context, e *mfspay.Event) error {
	if s.beforeEvent != nil {
		s.beforeEvent(ctx, e)
	}
	g, ok := s.gateway(e.Provider)
	if !ok {
		return nil // routed gateways only; cannot happen.
	}
	d, _ := webhook.DeliveryFrom(ctx)
	p := e.Payment
	event := string(e.Type)
	switch e.Type {
	case mfspay.EventPaymentCompleted:
		if g.canVerify() && !d.Confirmed {
			// Confirm is on, so this does not happen; if it ever did, a
			// claim the provider could have confirmed is not enough, and
			// the ledger does not take it either.
			err := s.orders.annotate(ctx, g.Name, p.InvoiceID, "",
				notice{Event: event, Source: d.Source, Outcome: "ignored: not confirmed with the provider"})
			if errors.Is(err, errUnknownOrder) {
				return nil
			}
			return err
		}
		_, err := s.orders.markPaid(ctx, g.Name, p, g.paidBecause(d), d.Source)
		switch {
		case errors.Is(err, errUnknownOrder):
			s.log.Warn("completed payment for no known order", "provider", g.Name, "invoice", p.InvoiceID)
		case errors.Is(err, errAmountMismatch):
			if err := s.orders.annotate(ctx, g.Name, p.InvoiceID, "Refused a completed payment: "+err.Error()+".",
				notice{Event: event, Source: d.Source, Outcome: "refused: " + err.Error()}); err != nil {
				return err
			}
		case err != nil:
			return err
		}
	case mfspay.EventPaymentFailed, mfspay.EventPaymentCancelled, mfspay.EventPaymentExpired:
		status := map[mfspay.EventType]orderStatus{
			mfspay.EventPaymentFailed:    statusFailed,
			mfspay.EventPaymentCancelled: statusCancelled,
			mfspay.EventPaymentExpired:   statusExpired,
		}[e.Type]
		n := notice{Event: event, Source: d.Source, Outcome: "order " + string(status) + " (" + g.sourceNote(d) + ")"}
		if _, err := s.orders.markClosed(ctx, g.Name, p.InvoiceID, status, d.Source, n); err != nil && !errors.Is(err, errUnknownOrder) {
			return err
		}
	case mfspay.EventTransactionReceived:
		// Money seen arriving in the wallet, tied to an order only by the
		// reference; it adds the wallet details, never the paid status.
		n := notice{Event: event, Source: d.Source, Outcome: fmt.Sprintf(
			"wallet transaction %s from %s %s attached (%s; it does not mark the order paid)", p.TrxID, p.Method, p.Sender, g.authNote())}
		_, err := s.orders.recordTransfer(ctx, g.Name, e.Reference, p, n)
		if err != nil && !errors.Is(err, errUnknownOrder) && !errors.Is(err, errAmountMismatch) {
			return err
		}
	default:
		if err := s.orders.annotate(ctx, g.Name, p.InvoiceID, "", notice{Event: event, Source: d.Source, Outcome: "noted"}); err != nil &&
			!errors.Is(err, errUnknownOrder) {
			return err
		}
	}
	return s.recordState(ctx, e, d.Source)
}

// onAmountMismatch hears of every completed payment ExpectAmount refused:
// a payment for another amount than the order's, or for no known order.
func (s *shop) onAmountMismatch(ctx context.Context, m webhook.AmountMismatch) error {
	p := m.Event.Payment
	if !m.Known {
		s.log.Warn("completed payment for no known order", "provider", m.Event.Provider, "invoice", p.InvoiceID, "amount", p.Amount.String())
		return nil
	}
	d, _ := webhook.DeliveryFrom(ctx)
	msg := fmt.Sprintf("paid %s BDT, order is %s BDT", p.Amount, m.Expected)
	if err := s.orders.annotate(ctx, m.Event.Provider, p.InvoiceID, "Refused a completed payment: "+msg+". The order is not paid; check with the provider.",
		notice{Event: string(m.Event.Type), Source: d.Source, Outcome: "refused: " + msg}); err != nil && !errors.Is(err, errUnknownOrder) {
		return err
	}
	s.log.Warn("completed payment with the wrong amount", slog.String("provider", m.Event.Provider),
		slog.String("invoice", p.InvoiceID), slog.String("paid", p.Amount.String()), slog.String("expected", m.Expected.String()))
	return nil
}

// returnTo sends a customer back from a provider's return endpoint to the
// order's page: its cancel page when the provider reported the payment
// cancelled or failed, else its success page, which shows the order as it
// stands. It is "" (the handler's own page) when the return named no order
// of the shop.
func (s *shop) returnTo(ctx context.Context, e *mfspay.Event) string {
	if e == nil {
		return ""
	}
	o, err := s.orders.find(ctx, e.Provider, e.Payment.InvoiceID)
	if err != nil {
		return ""
	}
	if e.Type == mfspay.EventPaymentCancelled || e.Type == mfspay.EventPaymentFailed {
		return s.publicURL + "/orders/" + o.ID + "/cancel"
	}
	return s.publicURL + "/orders/" + o.ID + "/success"
}
