package wezopaytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/mfspay/mfspay/providers/simkit"
	"github.com/mfspay/mfspay/webhook"
)

// ErrNotPending: the payment has left the pending state and cannot be paid,
// cancelled or expired.
var ErrNotPending = errors.New("wezopaytest: payment is not pending")

// ErrUnknownPayment: no payment has that token.
var ErrUnknownPayment = errors.New("wezopaytest: no such payment")

// eventFor names the webhook event announcing status.
var eventFor = map[string]string{
	StatusPaid:      EventCompleted,
	StatusFailed:    EventFailed,
	StatusCancelled: EventCancelled,
	StatusExpired:   EventExpired,
}

// overdue expires p when its time is up; it reports whether it did.
func (s *Server) overdue(p *simkit.Payment) bool {
	now := s.now()
	if p.Status != StatusPending || now.Before(p.ExpiresAt) {
		return false
	}
	p.Status, p.UpdatedAt = StatusExpired, now
	return true
}

// refresh returns the payment with id as it stands now, expiring it (and
// notifying) first if its time is up. The provider notices expiry on read.
func (s *Server) refresh(id string) simkit.Payment {
	expired := false
	p, _ := s.store.Update(id, func(p *simkit.Payment) error {
		expired = s.overdue(p)
		return nil
	})
	if expired {
		s.notify(p)
	}
	return p
}

// Sweep expires every overdue payment now, sending its webhook, as the
// provider would on its next read. Listing sweeps first.
func (s *Server) Sweep() {
	for _, p := range s.store.Sweep(s.overdue) {
		s.notify(p)
	}
}

// move takes a pending payment to status, filling in the payer for a
// payment, and sends the webhook. An overdue payment expires instead and
// the move fails with ErrNotPending.
func (s *Server) move(id, status string, payer *payerInfo) (simkit.Payment, error) {
	expired := false
	p, err := s.store.Update(id, func(p *simkit.Payment) error {
		if expired = s.overdue(p); expired {
			return nil
		}
		if p.Status != StatusPending {
			return fmt.Errorf("%w: it is %s", ErrNotPending, p.Status)
		}
		now := s.now()
		p.Status, p.UpdatedAt = status, now
		if payer != nil {
			p.Method, p.Sender, p.TrxID, p.PaidAt = payer.method, payer.sender, payer.trxID, now
		}
		return nil
	})
	switch {
	case errors.Is(err, simkit.ErrPaymentNotFound):
		return p, ErrUnknownPayment
	case err != nil:
		return p, err
	case expired:
		s.notify(p)
		if status == StatusExpired {
			return p, nil // it was due anyway
		}
		return p, fmt.Errorf("%w: it is %s", ErrNotPending, StatusExpired)
	}
	s.notify(p)
	return p, nil
}

type payerInfo struct {
	method, sender, trxID string
}

// notify signs and sends the webhook for p's current status.
func (s *Server) notify(p simkit.Payment) {
	event, ok := eventFor[p.Status]
	if !ok {
		return
	}
	payload := webhookPayload{
		Event:     event,
		Token:     p.ID,
		InvoiceID: p.InvoiceID,
		Status:    p.Status,
		Amount:    p.Amount.Number(),
		TrxID:     optional(p.TrxID),
	}
	if !p.PaidAt.IsZero() {
		payload.PaidAt = optional(timestamp(p.PaidAt))
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "WezoPay-Webhook/1.0")
	h.Set(SignatureHeader, webhook.SignHMACSHA256(body, s.webhookSecret))
	s.notifier.Send(simkit.Notification{PaymentID: p.ID, URL: p.WebhookURL, Header: h, Body: body})
}
