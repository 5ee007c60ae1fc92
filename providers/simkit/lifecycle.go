package simkit

import (
	"errors"
	"fmt"
)

// ErrNotOpen: the payment has left its open (or pending) status and can no
// longer be paid, cancelled, declined or expired.
var ErrNotOpen = errors.New("simkit: payment is no longer open")

// Payer is what the customer entered, in the provider's words.
type Payer struct {
	Method, Sender, TrxID string
}

// Insert stores a new payment, open and stamped with the clock (created
// now, expiring after Options.Expiry). p.ID must be set. With
// uniqueInvoice a second payment for one invoice id is ErrInvoiceExists.
func (s *Server) Insert(p Payment, uniqueInvoice bool) (Payment, error) {
	now := s.clock()
	p.Status, p.CreatedAt, p.UpdatedAt = s.spec.Open, now, now
	if s.expiry > 0 {
		p.ExpiresAt = now.Add(s.expiry)
	}
	return p, s.Store.Insert(p, uniqueInvoice)
}

// open says whether p can still be paid.
func (s *Server) open(p *Payment) bool {
	return p.Status == s.spec.Open || (s.spec.Pending != "" && p.Status == s.spec.Pending)
}

// overdue expires p when its time is up and reports whether it did.
func (s *Server) overdue(p *Payment) bool {
	now := s.clock()
	if s.expiry <= 0 || !s.open(p) || now.Before(p.ExpiresAt) {
		return false
	}
	p.Status, p.UpdatedAt = s.spec.Expired, now
	return true
}

// Refresh returns the payment as it stands now, expiring it (and
// announcing that) first if its time is up: providers notice expiry when a
// payment is read.
func (s *Server) Refresh(id string) (Payment, bool) {
	expired := false
	p, err := s.Store.Update(id, func(p *Payment) error {
		expired = s.overdue(p)
		return nil
	})
	if expired {
		s.spec.Announce(s, p)
	}
	return p, err == nil
}

// Sweep expires every overdue payment, announcing each, as reads would.
func (s *Server) Sweep() {
	for _, p := range s.Store.Sweep(s.overdue) {
		s.spec.Announce(s, p)
	}
}

// Move takes an open payment to status and announces it. The payer, when
// given, is kept: its method and sender for any status, its transaction id
// and the payment time only for Spec.Paid. An overdue payment expires
// instead, and the move fails with ErrNotOpen unless status was Expired.
func (s *Server) Move(id, status string, payer *Payer) (Payment, error) {
	expired := false
	p, err := s.Store.Update(id, func(p *Payment) error {
		if expired = s.overdue(p); expired {
			return nil
		}
		if !s.open(p) {
			return fmt.Errorf("%w: it is %s", ErrNotOpen, p.Status)
		}
		now := s.clock()
		p.Status, p.UpdatedAt = status, now
		if payer != nil {
			p.Method, p.Sender = payer.Method, payer.Sender
			if status == s.spec.Paid {
				p.TrxID, p.PaidAt = payer.TrxID, now
			}
		}
		return nil
	})
	if err != nil {
		return p, err
	}
	s.spec.Announce(s, p)
	if expired && status != s.spec.Expired {
		return p, fmt.Errorf("%w: it is %s", ErrNotOpen, p.Status)
	}
	return p, nil
}
