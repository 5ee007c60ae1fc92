package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/mfspay/mfspay"
)

// orderStatus is where an order stands from the shop's point of view.
type orderStatus string

// The order statuses. Only a verified payment.completed notification whose
// amount matches makes an order paid, and paid is final.
const (
	statusAwaiting   orderStatus = "awaiting_payment"
	statusPaid       orderStatus = "paid"
	statusCancelled  orderStatus = "cancelled"
	statusFailed     orderStatus = "failed"
	statusExpired    orderStatus = "expired"
	statusNotStarted orderStatus = "not_started" // the gateway refused or could not create the payment
)

// label is how the status reads on the order page.
func (s orderStatus) label() string {
	switch s {
	case statusAwaiting:
		return "AWAITING PAYMENT"
	case statusPaid:
		return "PAID"
	case statusCancelled:
		return "CANCELLED"
	case statusFailed:
		return "FAILED"
	case statusExpired:
		return "EXPIRED"
	case statusNotStarted:
		return "NOT STARTED"
	}
	return string(s)
}

// final reports whether no notification can move the order any more
// (a late "paid" for a cancelled order is still accepted: the money came).
func (s orderStatus) final() bool { return s == statusPaid || s == statusNotStarted }

// notice is one notification the shop's callback saw about an order.
type notice struct {
	At      time.Time `json:"at"`
	Event   string    `json:"event"`
	Outcome string    `json:"outcome"`
}

// order is one purchase. The store hands out copies.
type order struct {
	ID            string        `json:"order_id"`
	InvoiceID     string        `json:"invoice_id"`
	Provider      string        `json:"provider"`
	ProductName   string        `json:"product"`
	Amount        mfspay.Amount `json:"amount"`
	CustomerName  string        `json:"customer_name"`
	CustomerPhone string        `json:"customer_phone,omitempty"`
	Status        orderStatus   `json:"status"`
	PaymentID     string        `json:"payment_id,omitempty"`
	RedirectURL   string        `json:"redirect_url,omitempty"`
	CreatedAt     time.Time     `json:"created_at"`
	PaidAt        time.Time     `json:"paid_at,omitzero"`
	// Wallet, Sender and TrxID come from the verified payment or, for
	// EazzPay, from its wallet-transaction notification.
	Wallet mfspay.Method `json:"wallet,omitempty"`
	Sender string        `json:"sender,omitempty"`
	TrxID  string        `json:"trx_id,omitempty"`
	// PaidBecause says how the paid status was established.
	PaidBecause string `json:"paid_because,omitempty"`
	// StartError says why the payment could not be created.
	StartError string   `json:"start_error,omitempty"`
	Notices    []notice `json:"notifications"`
	// Alerts are notifications the shop refused that a human should look at.
	Alerts []string `json:"alerts,omitempty"`
}

func (o *order) clone() order {
	c := *o
	c.Notices = slices.Clone(o.Notices)
	c.Alerts = slices.Clone(o.Alerts)
	return c
}

// Errors of markPaid: the notification does not fit any order.
var (
	errUnknownOrder   = errors.New("no order has this invoice at this provider")
	errAmountMismatch = errors.New("the amount paid is not the order's amount")
)

// orderStore keeps orders in memory, indexed by order id and by invoice id.
// It is the only place an order becomes paid.
type orderStore struct {
	mu        sync.Mutex
	byID      map[string]*order
	byInvoice map[string]*order
	now       func() time.Time
}

func newOrderStore() *orderStore {
	return &orderStore{byID: map[string]*order{}, byInvoice: map[string]*order{}, now: time.Now}
}

// create records a new order awaiting payment with fresh order and invoice
// ids. The invoice id is 12 characters, so EazzPay's wallet-transaction
// notification (whose reference holds 6 to 15) can carry it.
func (s *orderStore) create(p product, provider, name, phone string) order {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &order{
		Provider:      provider,
		ProductName:   p.Name,
		Amount:        p.Price,
		CustomerName:  name,
		CustomerPhone: phone,
		Status:        statusAwaiting,
		CreatedAt:     s.now(),
	}
	for o.ID == "" || s.byID[o.ID] != nil || s.byInvoice[o.InvoiceID] != nil {
		o.ID = randomID(lowerAlphabet, 10)
		o.InvoiceID = "INV-" + randomID(upperAlphabet, 8)
	}
	s.byID[o.ID] = o
	s.byInvoice[o.InvoiceID] = o
	return o.clone()
}

// get returns a copy of the order with id.
func (s *orderStore) get(id string) (order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.byID[id]
	if !ok {
		return order{}, false
	}
	return o.clone(), true
}

// find returns the order for invoiceID at provider, under s.mu.
func (s *orderStore) find(provider, invoiceID string) (*order, bool) {
	o, ok := s.byInvoice[invoiceID]
	if !ok || o.Provider != provider {
		return nil, false
	}
	return o, true
}

// started records the created payment.
func (s *orderStore) started(id string, co *mfspay.Checkout) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.byID[id]; ok {
		o.PaymentID, o.RedirectURL = co.PaymentID, co.RedirectURL
	}
}

// startFailed records that the payment could not be created.
func (s *orderStore) startFailed(id, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.byID[id]; ok {
		o.Status, o.StartError = statusNotStarted, reason
	}
}

// expected is what the shop expects to be paid for invoiceID at provider:
// the webhook handler's ExpectAmount lookup.
func (s *orderStore) expected(provider, invoiceID string) (mfspay.Amount, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.find(provider, invoiceID)
	if !ok {
		return 0, false
	}
	return o.Amount, true
}

// markPaid makes the order paid from a completed payment the webhook handler
// delivered. It checks the provider and the amount once more, whatever the
// handler already did, and is idempotent: a re-delivery changes nothing.
func (s *orderStore) markPaid(provider string, p mfspay.Payment, because string) (order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.find(provider, p.InvoiceID)
	if !ok {
		return order{}, errUnknownOrder
	}
	if p.Amount != o.Amount {
		return o.clone(), fmt.Errorf("%w: paid %s BDT, order is %s BDT", errAmountMismatch, p.Amount, o.Amount)
	}
	if o.Status == statusPaid {
		return o.clone(), nil
	}
	o.Status, o.PaidBecause = statusPaid, because
	o.PaidAt = p.PaidAt
	if o.PaidAt.IsZero() {
		o.PaidAt = s.now()
	}
	if p.PaymentID != "" {
		o.PaymentID = p.PaymentID
	}
	if p.Method != "" && p.Method != mfspay.MethodUnknown {
		o.Wallet = p.Method
	}
	if p.Sender != "" {
		o.Sender = p.Sender
	}
	if p.TrxID != "" {
		o.TrxID = p.TrxID
	}
	return o.clone(), nil
}

// markClosed records a payment that ended without money. A paid order stays
// paid; the contradiction is kept as an alert.
func (s *orderStore) markClosed(provider, invoiceID string, status orderStatus) (order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.find(provider, invoiceID)
	if !ok {
		return order{}, false
	}
	switch {
	case o.Status == statusPaid:
		o.Alerts = append(o.Alerts, fmt.Sprintf("The provider later reported this paid order as %s; it stays paid until someone checks.", status))
	case !o.Status.final():
		o.Status = status
	}
	return o.clone(), true
}

// recordTransfer attaches the wallet transaction EazzPay reports (money seen
// arriving, tied to an order only by the reference the customer gave) to the
// order whose invoice is that reference, when the amounts agree. It never
// makes an order paid: that takes the per-payment notification.
func (s *orderStore) recordTransfer(provider, reference string, p mfspay.Payment) (order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.find(provider, reference)
	if !ok || p.Amount != o.Amount {
		return order{}, false
	}
	o.Wallet, o.Sender, o.TrxID = p.Method, p.Sender, p.TrxID
	return o.clone(), true
}

// note appends what the callback did with a notification to the order it
// names; it reports false when no order matches.
func (s *orderStore) note(provider, invoiceID string, n notice) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.find(provider, invoiceID)
	if !ok {
		return false
	}
	if n.At.IsZero() {
		n.At = s.now()
	}
	o.Notices = append(o.Notices, n)
	return true
}

// alert records a refused notification that a human should look at.
func (s *orderStore) alert(provider, invoiceID, msg string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.find(provider, invoiceID)
	if !ok {
		return false
	}
	o.Alerts = append(o.Alerts, msg)
	return true
}

const (
	lowerAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	upperAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
)

// randomID returns n characters drawn from a 32-character alphabet.
func randomID(alphabet string, n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics instead).
	for i := range b {
		b[i] = alphabet[b[i]%32]
	}
	return string(b)
}
