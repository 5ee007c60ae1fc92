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
// /webhooks/{provider}. By the time onEvent runs, the handler has
// authenticated the raw bytes, dropped duplicates, confirmed the payment with
// the provider when the gateway can verify, and refused a completed payment
// whose amount is not the order's.
func (s *shop) newWebhookHandler() *webhook.Handler {
	opts := []webhook.Option{
		webhook.Confirm(),
		webhook.ExpectAmount(func(_ context.Context, provider, invoiceID string) (mfspay.Amount, bool, error) {
			a, ok := s.orders.expected(provider, invoiceID)
			return a, ok, nil
		}),
		webhook.OnAmountMismatch(s.onAmountMismatch),
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

// onEvent is the webhook callback: the only way an order becomes paid.
func (s *shop) onEvent(ctx context.Context, e *mfspay.Event) error {
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
			// claim the provider could have confirmed is not enough.
			s.orders.note(g.Name, p.InvoiceID, notice{Event: event, Outcome: "ignored: not confirmed with the provider"})
			return nil
		}
		because := g.paidBecause(d.Confirmed)
		_, err := s.orders.markPaid(g.Name, p, because)
		switch {
		case errors.Is(err, errUnknownOrder):
			s.log.Warn("completed payment for no known order", "provider", g.Name, "invoice", p.InvoiceID)
			return nil
		case errors.Is(err, errAmountMismatch):
			s.orders.alert(g.Name, p.InvoiceID, "Refused a completed payment: "+err.Error()+".")
			s.orders.note(g.Name, p.InvoiceID, notice{Event: event, Outcome: "refused: " + err.Error()})
			return nil
		}
		s.orders.note(g.Name, p.InvoiceID, notice{Event: event, Outcome: "accepted: " + because})
	case mfspay.EventPaymentFailed, mfspay.EventPaymentCancelled, mfspay.EventPaymentExpired:
		status := map[mfspay.EventType]orderStatus{
			mfspay.EventPaymentFailed:    statusFailed,
			mfspay.EventPaymentCancelled: statusCancelled,
			mfspay.EventPaymentExpired:   statusExpired,
		}[e.Type]
		if _, ok := s.orders.markClosed(g.Name, p.InvoiceID, status); ok {
			s.orders.note(g.Name, p.InvoiceID, notice{Event: event, Outcome: "order " + string(status) + " (" + g.authNote() + ")"})
		}
	case mfspay.EventTransactionReceived:
		// Money seen arriving in the wallet, tied to an order only by the
		// reference; it adds the wallet details, never the paid status.
		if _, ok := s.orders.recordTransfer(g.Name, e.Reference, p); ok {
			s.orders.note(g.Name, e.Reference, notice{Event: event, Outcome: fmt.Sprintf(
				"wallet transaction %s from %s %s attached (%s; it does not mark the order paid)", p.TrxID, p.Method, p.Sender, g.authNote())})
		}
	default:
		s.orders.note(g.Name, p.InvoiceID, notice{Event: event, Outcome: "noted"})
	}
	return nil
}

// onAmountMismatch hears of every completed payment ExpectAmount refused:
// a payment for another amount than the order's, or for no known order.
func (s *shop) onAmountMismatch(_ context.Context, m webhook.AmountMismatch) error {
	p := m.Event.Payment
	if !m.Known {
		s.log.Warn("completed payment for no known order", "provider", m.Event.Provider, "invoice", p.InvoiceID, "amount", p.Amount.String())
		return nil
	}
	msg := fmt.Sprintf("paid %s BDT, order is %s BDT", p.Amount, m.Expected)
	s.orders.alert(m.Event.Provider, p.InvoiceID, "Refused a completed payment: "+msg+". The order is not paid; check with the provider.")
	s.orders.note(m.Event.Provider, p.InvoiceID, notice{Event: string(m.Event.Type), Outcome: "refused: " + msg})
	s.log.Warn("completed payment with the wrong amount", slog.String("provider", m.Event.Provider),
		slog.String("invoice", p.InvoiceID), slog.String("paid", p.Amount.String()), slog.String("expected", m.Expected.String()))
	return nil
}
