package simkit

import (
	"errors"
	"maps"
	"sync"
	"time"

	"github.com/mfspay/mfspay"
)

// Payment is one payment as a simulator holds it. Status is the provider's
// own string ("paid", "COMPLETED"…); the simulator owns its vocabulary.
type Payment struct {
	ID        string
	InvoiceID string
	Status    string
	Amount    mfspay.Amount
	Method    string
	Sender    string
	TrxID     string

	CustomerName  string
	CustomerEmail string
	CustomerPhone string

	SuccessURL string
	CancelURL  string
	WebhookURL string

	Metadata map[string]string
	// Extra holds provider-specific fields the common ones do not cover.
	Extra map[string]string

	CreatedAt time.Time
	UpdatedAt time.Time
	PaidAt    time.Time
	ExpiresAt time.Time
}

// clone returns a deep copy so callers never share maps with the store.
func (p *Payment) clone() Payment {
	c := *p
	c.Metadata = maps.Clone(p.Metadata)
	c.Extra = maps.Clone(p.Extra)
	return c
}

// Store errors.
var (
	// ErrPaymentNotFound: no payment has that id.
	ErrPaymentNotFound = errors.New("simkit: payment not found")
	// ErrPaymentExists: a payment already has that id.
	ErrPaymentExists = errors.New("simkit: payment id already exists")
	// ErrInvoiceExists: a payment already has that invoice id.
	ErrInvoiceExists = errors.New("simkit: invoice id already exists")
)

// Store is a concurrency-safe in-memory payment table. It hands out copies:
// changes go through Update or Sweep so that check-and-set is atomic.
type Store struct {
	mu   sync.RWMutex
	byID map[string]*Payment
	// order is insertion order; newest first means from its end.
	order []*Payment
	// byInvoice holds each invoice's payments in insertion order, so that
	// lookups by invoice cost the same with ten payments or a million.
	byInvoice map[string][]*Payment
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{byID: map[string]*Payment{}, byInvoice: map[string][]*Payment{}}
}

// Insert adds p. With uniqueInvoice it fails with ErrInvoiceExists when
// another payment already has p.InvoiceID, checked atomically with the
// insert so that concurrent creates cannot both win.
func (s *Store) Insert(p Payment, uniqueInvoice bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[p.ID]; ok {
		return ErrPaymentExists
	}
	if uniqueInvoice && p.InvoiceID != "" && len(s.byInvoice[p.InvoiceID]) > 0 {
		return ErrInvoiceExists
	}
	c := p.clone()
	s.byID[p.ID] = &c
	s.order = append(s.order, &c)
	s.byInvoice[c.InvoiceID] = append(s.byInvoice[c.InvoiceID], &c)
	return nil
}

// Get returns the payment with id.
func (s *Store) Get(id string) (Payment, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.byID[id]
	if !ok {
		return Payment{}, false
	}
	return p.clone(), true
}

// ByInvoice returns the newest payment for invoiceID.
func (s *Store) ByInvoice(invoiceID string) (Payment, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if ps := s.byInvoice[invoiceID]; len(ps) > 0 {
		return ps[len(ps)-1].clone(), true
	}
	return Payment{}, false
}

// CountByInvoice is how many payments carry invoiceID: more than one means
// a double charge.
func (s *Store) CountByInvoice(invoiceID string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byInvoice[invoiceID])
}

// Len is how many payments the store holds.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.order)
}

// Update runs fn on the payment with id under the store's lock and keeps
// its changes unless fn returns an error. It returns the payment as it
// stands afterwards.
func (s *Store) Update(id string, fn func(p *Payment) error) (Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.byID[id]
	if !ok {
		return Payment{}, ErrPaymentNotFound
	}
	c := p.clone()
	if err := fn(&c); err != nil {
		return p.clone(), err
	}
	c.ID = p.ID // the id is the key; it does not change.
	moved := c.InvoiceID != p.InvoiceID
	*p = c
	if moved {
		s.reindex()
	}
	return p.clone(), nil
}

// Sweep runs fn on every payment under the store's lock, newest first, and
// returns copies of those for which fn reported a change. Simulators use it
// to expire overdue payments before a listing.
func (s *Store) Sweep(fn func(p *Payment) bool) []Payment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var changed []Payment
	moved := false
	for i := len(s.order) - 1; i >= 0; i-- {
		p := s.order[i]
		id, invoice := p.ID, p.InvoiceID
		if fn(p) {
			p.ID = id
			changed = append(changed, p.clone())
		}
		moved = moved || p.InvoiceID != invoice
	}
	if moved {
		s.reindex()
	}
	return changed
}

// reindex rebuilds byInvoice after a payment's invoice id changed, which
// simulators never do in normal operation. s.mu must be held.
func (s *Store) reindex() {
	clear(s.byInvoice)
	for _, p := range s.order {
		s.byInvoice[p.InvoiceID] = append(s.byInvoice[p.InvoiceID], p)
	}
}

// ListQuery selects a page of payments.
type ListQuery struct {
	// Status, when set, keeps only payments with exactly that status.
	Status string
	// Page counts from 1; PerPage is the page size. Values below 1 mean 1
	// and 20.
	Page    int
	PerPage int
}

// List returns one page of payments, newest first, and the total number of
// payments matching the filter.
func (s *Store) List(q ListQuery) (page []Payment, total int) {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 {
		q.PerPage = 20
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	skip := (q.Page - 1) * q.PerPage
	if q.Page > 1 && skip/(q.Page-1) != q.PerPage { // overflow: nothing that far.
		skip = len(s.order)
	}
	for i := len(s.order) - 1; i >= 0; i-- {
		p := s.order[i]
		if q.Status != "" && p.Status != q.Status {
			continue
		}
		total++
		if total > skip && len(page) < q.PerPage {
			page = append(page, p.clone())
		}
	}
	return page, total
}

// All returns every payment, newest first.
func (s *Store) All() []Payment {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Payment, 0, len(s.order))
	for i := len(s.order) - 1; i >= 0; i-- {
		out = append(out, s.order[i].clone())
	}
	return out
}
