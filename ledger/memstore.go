package ledger

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a Store in this process's memory, for tests and
// examples: everything is lost when the process ends. Make it with
// NewMemoryStore.
type MemoryStore struct {
	mu        sync.Mutex
	entries   map[entryKey]*Entry
	byPayment map[entryKey]entryKey // (provider, payment id) → entry key
	history   map[entryKey][]Change
}

// entryKey is a (provider, id) pair.
type entryKey struct{ provider, id string }

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		entries:   map[entryKey]*Entry{},
		byPayment: map[entryKey]entryKey{},
		history:   map[entryKey][]Change{},
	}
}

// Begin implements Store.
func (m *MemoryStore) Begin(_ context.Context, in Intent) (Entry, error) {
	if err := in.Validate(); err != nil {
		return Entry{}, err
	}
	in.At, in.NextCheck = Timestamp(in.At), Timestamp(in.NextCheck)
	m.mu.Lock()
	defer m.mu.Unlock()
	k := entryKey{in.Provider, in.InvoiceID}
	if old, ok := m.entries[k]; ok {
		if old.Outcome != OutcomeNotCreated {
			return *old, fmt.Errorf("%w: invoice %q at %s", ErrExists, in.InvoiceID, in.Provider)
		}
		if old.PaymentID != "" {
			delete(m.byPayment, entryKey{old.Provider, old.PaymentID})
		}
	}
	e := NewEntry(in)
	m.entries[k] = &e
	return e, nil
}

// Answer implements Store.
func (m *MemoryStore) Answer(_ context.Context, provider, invoiceID string, a Answer) (Entry, error) {
	if err := a.Validate(); err != nil {
		return Entry{}, err
	}
	a.At, a.NextCheck = Timestamp(a.At), Timestamp(a.NextCheck)
	if a.Checkout != nil {
		co := *a.Checkout
		co.ExpiresAt = Timestamp(co.ExpiresAt)
		a.Checkout = &co
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := entryKey{provider, invoiceID}
	e, ok := m.entries[k]
	if !ok {
		return Entry{}, fmt.Errorf("%w: invoice %q at %s", ErrNoEntry, invoiceID, provider)
	}
	next, changed := e.WithAnswer(a)
	if !changed {
		return *e, nil
	}
	if err := m.put(k, e, next); err != nil {
		return *e, err
	}
	return next, nil
}

// Apply implements Store.
func (m *MemoryStore) Apply(_ context.Context, c Change) (Entry, Effect, error) {
	if err := c.Validate(); err != nil {
		return Entry{}, "", err
	}
	c.At, c.Effect = Timestamp(c.At), ""
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := entryKey{c.Provider, c.InvoiceID}, false
	if c.InvoiceID != "" {
		_, ok = m.entries[k]
	} else {
		k, ok = m.byPayment[entryKey{c.Provider, c.PaymentID}]
	}
	if !ok {
		return Entry{}, "", fmt.Errorf("%w: %s payment %q invoice %q", ErrNoEntry, c.Provider, c.PaymentID, c.InvoiceID)
	}
	e := m.entries[k]
	next, effect := e.WithChange(c)
	if effect != EffectStale && effect != EffectConflict {
		if err := m.put(k, e, next); err != nil {
			return *e, "", err
		}
	}
	if effect.Announced() || effect == EffectConflict {
		c.InvoiceID, c.Effect = k.id, effect
		m.history[k] = append(m.history[k], c)
	}
	return *m.entries[k], effect, nil
}

// put replaces the entry at k, keeping the payment-id index, which must
// stay unique.
func (m *MemoryStore) put(k entryKey, old *Entry, next Entry) error {
	if next.PaymentID != old.PaymentID {
		pk := entryKey{next.Provider, next.PaymentID}
		if holder, taken := m.byPayment[pk]; taken && holder != k {
			return fmt.Errorf("%w: payment %q at %s belongs to another invoice", ErrExists, next.PaymentID, next.Provider)
		}
		m.byPayment[pk] = k
	}
	*old = next
	return nil
}

// ByInvoice implements Store.
func (m *MemoryStore) ByInvoice(_ context.Context, provider, invoiceID string) (Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.entries[entryKey{provider, invoiceID}]; ok {
		return *e, nil
	}
	return Entry{}, fmt.Errorf("%w: invoice %q at %s", ErrNoEntry, invoiceID, provider)
}

// ByPaymentID implements Store.
func (m *MemoryStore) ByPaymentID(_ context.Context, provider, paymentID string) (Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.byPayment[entryKey{provider, paymentID}]; ok && paymentID != "" {
		return *m.entries[k], nil
	}
	return Entry{}, fmt.Errorf("%w: payment %q at %s", ErrNoEntry, paymentID, provider)
}

// Claim implements Store.
func (m *MemoryStore) Claim(_ context.Context, due, until time.Time, limit int) ([]Entry, error) {
	due, until = Timestamp(due), Timestamp(until)
	m.mu.Lock()
	defer m.mu.Unlock()
	var found []*Entry
	for _, e := range m.entries {
		if !e.NextCheck.IsZero() && !e.NextCheck.After(due) {
			found = append(found, e)
		}
	}
	slices.SortFunc(found, func(a, b *Entry) int {
		return cmp.Or(a.NextCheck.Compare(b.NextCheck), cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.InvoiceID, b.InvoiceID))
	})
	out := make([]Entry, 0, min(len(found), max(limit, 0)))
	for _, e := range found[:min(len(found), max(limit, 0))] {
		e.NextCheck = until
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.InvoiceID, b.InvoiceID))
	})
	return out, nil
}

// Checked implements Store.
func (m *MemoryStore) Checked(_ context.Context, provider, invoiceID string, at, next time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[entryKey{provider, invoiceID}]
	if !ok {
		return fmt.Errorf("%w: invoice %q at %s", ErrNoEntry, invoiceID, provider)
	}
	*e = e.WithCheck(Timestamp(at), Timestamp(next))
	return nil
}

// Open implements Store.
func (m *MemoryStore) Open(_ context.Context, createdBefore time.Time, after Entry, limit int) ([]Entry, error) {
	createdBefore, after.CreatedAt = Timestamp(createdBefore), Timestamp(after.CreatedAt)
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Entry
	for _, e := range m.entries {
		if e.Open() && e.CreatedAt.Before(createdBefore) && openOrder(*e, after) > 0 {
			out = append(out, *e)
		}
	}
	slices.SortFunc(out, openOrder)
	return out[:min(len(out), max(limit, 0))], nil
}

// openOrder is the order of Open: (CreatedAt, Provider, InvoiceID).
func openOrder(a, b Entry) int {
	return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.InvoiceID, b.InvoiceID))
}

// History implements Store.
func (m *MemoryStore) History(_ context.Context, provider, invoiceID string) ([]Change, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.history[entryKey{provider, invoiceID}]), nil
}
