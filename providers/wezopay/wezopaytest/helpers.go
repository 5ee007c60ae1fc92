package wezopaytest

import (
	"context"
	"fmt"

	"github.com/mfspay/mfspay/providers/simkit"
)

// Payment is a payment as the server holds it.
type Payment = simkit.Payment

// Request is one API request as the server received it.
type Request = simkit.RequestRecord

// Delivery is one webhook and its delivery attempts.
type Delivery = simkit.Delivery

// Payment returns the payment with token, as stored (without expiring it).
func (s *Server) Payment(token string) (Payment, bool) { return s.store.Get(token) }

// PaymentByInvoice returns the newest payment for invoiceID.
func (s *Server) PaymentByInvoice(invoiceID string) (Payment, bool) {
	return s.store.ByInvoice(invoiceID)
}

// Requests returns every API request received, oldest first.
func (s *Server) Requests() []Request { return s.log.Records() }

// LastRequest returns the newest API request.
func (s *Server) LastRequest() (Request, bool) { return s.log.Last() }

// Deliveries returns every webhook produced and how its delivery went.
func (s *Server) Deliveries() []Delivery { return s.notifier.Deliveries() }

// WaitDeliveries blocks until no webhook delivery is in progress or ctx
// ends.
func (s *Server) WaitDeliveries(ctx context.Context) error { return s.notifier.Wait(ctx) }

// Decline marks the pending payment failed, as when the wallet rejects it,
// and sends the payment.failed webhook.
func (s *Server) Decline(token string) error {
	_, err := s.move(token, StatusFailed, nil)
	return err
}

// SetStatus forces the payment's status to any string, without a webhook,
// so that tests can show an adapter a status it does not know.
func (s *Server) SetStatus(token, status string) error {
	_, err := s.store.Update(token, func(p *Payment) error {
		p.Status = status
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: %s", ErrUnknownPayment, token)
	}
	return nil
}
