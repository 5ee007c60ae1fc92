package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
)

// orderStatus is where an order stands from the shop's point of view.
type orderStatus string

// The order statuses. Only a completed payment the webhook handler
// delivered, whose amount matches, makes an order paid, and paid is final.
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

// notice is one event the shop's callback saw about an order.
type notice struct {
	At    time.Time `json:"at"`
	Event string    `json:"event"`
	// Source says what brought it: a notification, the customer's return
	// or a reconciliation sweep.
	Source  webhook.Source `json:"source,omitempty"`
	Outcome string         `json:"outcome"`
}

// order is one purchase, as the shop keeps it and as GET
// /orders/{id}/status shows it.
type order struct {
	ID            string        `json:"order_id"`
	InvoiceID     string        `json:"invoice_id"`
	Provider      string        `json:"provider"`
	ProductID     string        `json:"product_id"`
	ProductName   string        `json:"product"`
	Amount        mfspay.Amount `json:"amount"`
	CustomerName  string        `json:"customer_name"`
	CustomerPhone string        `json:"customer_phone,omitempty"`
	CustomerEmail string        `json:"customer_email,omitempty"`
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
	// PaidBecause says what the paid status rests on.
	PaidBecause string `json:"paid_because,omitempty"`
	// LearntBy says what brought the order's last status change: the
	// provider's notification, the customer's return, or the shop's
	// reconciler asking the provider because nothing else had.
	LearntBy webhook.Source `json:"learnt_by,omitempty"`
	// StartError says why the payment could not be created, or that its
	// creation had an unknown outcome.
	StartError string   `json:"start_error,omitempty"`
	Notices    []notice `json:"notifications"`
	// Alerts are events the shop refused that a human should look at.
	Alerts []string `json:"alerts,omitempty"`
}

// Errors of the order store.
var (
	// errNoOrder: no order has this id.
	errNoOrder = errors.New("no such order")
	// errUnknownOrder: the event names no order of the shop at this
	// provider.
	errUnknownOrder = errors.New("no order has this invoice at this provider")
	// errAmountMismatch: a completed payment for another amount.
	errAmountMismatch = errors.New("the amount paid is not the order's amount")
	// errOtherOrder: the form's request id was used for a different
	// purchase.
	errOtherOrder = errors.New("this form was already used for another order")
)

// orderStore keeps the orders in the shop's database, beside the payment
// ledger. It is the only place an order changes: every change reads the
// order, applies one of the rules below and writes it back in one
// transaction (an immediate one in SQLite, a row lock in PostgreSQL), so
// replicas and concurrent deliveries never lose each other's updates.
//
// The columns hold what orders are found by; the order itself is one JSON
// document, the same the status endpoint shows. Statements number their
// placeholders ($1, $2…), which PostgreSQL requires and SQLite accepts, so
// one text serves both.
type orderStore struct {
	db       *sql.DB
	postgres bool
	now      func() time.Time
}

// ordersSchema creates the orders table; it runs at every start and is
// idempotent. request_id is the product form's token: a form submitted
// twice (a double click, a retry after the shop did not answer) finds the
// order the first submission made.
const ordersSchema = `
CREATE TABLE IF NOT EXISTS checkout_orders (
	id         TEXT   PRIMARY KEY,
	invoice_id TEXT   NOT NULL UNIQUE,
	request_id TEXT   NOT NULL,
	provider   TEXT   NOT NULL,
	created_at BIGINT NOT NULL,
	data       TEXT   NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS checkout_orders_request ON checkout_orders (request_id) WHERE request_id <> '';
`

// newOrderStore creates the orders table in db if needed.
func newOrderStore(ctx context.Context, db *database) (*orderStore, error) {
	if _, err := db.sql.ExecContext(ctx, ordersSchema); err != nil {
		return nil, fmt.Errorf("creating the orders table: %w", err)
	}
	return &orderStore{db: db.sql, postgres: db.postgres, now: time.Now}, nil
}

// create records a new order awaiting payment with fresh order and invoice
// ids, for customer c. The invoice id is 12 characters, so EazzPay's
// wallet-transaction notification (whose reference holds 6 to 15) can carry
// it. When requestID already made an order for the same product and
// provider, that order is returned with existing true; for another purchase
// it is errOtherOrder.
func (s *orderStore) create(ctx context.Context, p product, provider string, c mfspay.Customer, requestID string) (o order, existing bool, err error) {
	o = order{
		Provider:      provider,
		ProductID:     p.ID,
		ProductName:   p.Name,
		Amount:        p.Price,
		CustomerName:  c.Name,
		CustomerPhone: c.Phone,
		CustomerEmail: c.Email,
		Status:        statusAwaiting,
		CreatedAt:     s.now().UTC(),
		Notices:       []notice{},
	}
	for range 5 {
		o.ID = randomID(lowerAlphabet, 10)
		o.InvoiceID = "INV-" + randomID(upperAlphabet, 8)
		data, err := json.Marshal(o)
		if err != nil {
			return order{}, false, err
		}
		res, err := s.db.ExecContext(ctx, `INSERT INTO checkout_orders (id, invoice_id, request_id, provider, created_at, data)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
			o.ID, o.InvoiceID, requestID, provider, o.CreatedAt.UnixMicro(), string(data))
		if err != nil {
			return order{}, false, fmt.Errorf("recording the order: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return o, false, err
		}
		if requestID == "" {
			continue // the random ids collided: draw again
		}
		prev, err := s.read(ctx, s.db, `request_id = $1`, requestID)
		switch {
		case errors.Is(err, errNoOrder):
			continue
		case err != nil:
			return order{}, false, err
		case prev.ProductID != p.ID || prev.Provider != provider:
			return prev, true, errOtherOrder
		}
		return prev, true, nil
	}
	return order{}, false, errors.New("could not draw unused order ids")
}

// querier is what read needs: the database or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// read returns the order the condition selects, or errNoOrder. Inside a
// transaction it locks the row in PostgreSQL (SQLite's immediate
// transaction already holds the file's write lock).
func (s *orderStore) read(ctx context.Context, db querier, where string, args ...any) (order, error) {
	query := `SELECT data FROM checkout_orders WHERE ` + where
	if _, inTx := db.(*sql.Tx); inTx && s.postgres {
		query += ` FOR UPDATE`
	}
	var data string
	err := db.QueryRowContext(ctx, query, args...).Scan(&data)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return order{}, errNoOrder
	case err != nil:
		return order{}, fmt.Errorf("reading an order: %w", err)
	}
	var o order
	if err := json.Unmarshal([]byte(data), &o); err != nil {
		return order{}, fmt.Errorf("reading an order: %w", err)
	}
	return o, nil
}

// get returns the order with id, or errNoOrder.
func (s *orderStore) get(ctx context.Context, id string) (order, error) {
	return s.read(ctx, s.db, `id = $1`, id)
}

// find returns the order for invoiceID at provider, or errUnknownOrder.
func (s *orderStore) find(ctx context.Context, provider, invoiceID string) (order, error) {
	o, err := s.read(ctx, s.db, `invoice_id = $1 AND provider = $2`, invoiceID, provider)
	if errors.Is(err, errNoOrder) {
		return order{}, errUnknownOrder
	}
	return o, err
}

// update applies change to the order the condition selects, in one
// transaction, and returns the order as it is now. When change fails,
// nothing is written and the order is returned as it was, with the error.
// An order that does not exist is errNoOrder.
func (s *orderStore) update(ctx context.Context, change func(o *order) error, where string, args ...any) (order, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return order{}, fmt.Errorf("updating an order: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	o, err := s.read(ctx, tx, where, args...)
	if err != nil {
		return order{}, err
	}
	before := o.clone()
	if err := change(&o); err != nil {
		return before, err
	}
	data, err := json.Marshal(o)
	if err != nil {
		return before, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE checkout_orders SET data = $1 WHERE id = $2`, string(data), o.ID); err != nil {
		return before, fmt.Errorf("updating an order: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return before, fmt.Errorf("updating an order: %w", err)
	}
	return o, nil
}

// updateInvoice is update for the order of invoiceID at provider; an
// invoice no order has is errUnknownOrder.
func (s *orderStore) updateInvoice(ctx context.Context, provider, invoiceID string, change func(o *order) error) (order, error) {
	o, err := s.update(ctx, change, `invoice_id = $1 AND provider = $2`, invoiceID, provider)
	if errors.Is(err, errNoOrder) {
		return o, errUnknownOrder
	}
	return o, err
}

func (o *order) clone() order {
	c := *o
	c.Notices = slices.Clone(o.Notices)
	c.Alerts = slices.Clone(o.Alerts)
	return c
}

// started records the created payment: the order awaits it (again, if an
// earlier attempt could not start one).
func (s *orderStore) started(ctx context.Context, id string, co *mfspay.Checkout) error {
	_, err := s.update(ctx, func(o *order) error {
		o.PaymentID, o.RedirectURL = co.PaymentID, co.RedirectURL
		if o.Status == statusNotStarted {
			o.Status = statusAwaiting
		}
		o.StartError = ""
		return nil
	}, `id = $1`, id)
	return err
}

// startFailed records why the payment could not be created. Unless
// mayExist, the provider holds no payment for the order and it is not
// started; otherwise (an unknown outcome, a payment whose page is lost) the
// order goes on awaiting what the provider reports.
func (s *orderStore) startFailed(ctx context.Context, id, reason string, mayExist bool) error {
	_, err := s.update(ctx, func(o *order) error {
		if o.Status == statusAwaiting && !mayExist {
			o.Status = statusNotStarted
		}
		o.StartError = reason
		return nil
	}, `id = $1`, id)
	return err
}

// expected is what the shop expects to be paid for invoiceID at provider:
// the webhook handler's ExpectAmount lookup.
func (s *orderStore) expected(ctx context.Context, provider, invoiceID string) (mfspay.Amount, bool, error) {
	o, err := s.find(ctx, provider, invoiceID)
	switch {
	case errors.Is(err, errUnknownOrder):
		return 0, false, nil
	case err != nil:
		return 0, false, err
	}
	return o.Amount, true, nil
}

// markPaid makes the order paid from a completed payment the webhook handler
// delivered, learnt from src, and notes it. It checks the provider and the
// amount once more, whatever the handler already did, and is idempotent: a
// re-delivery changes nothing but the notes.
func (s *orderStore) markPaid(ctx context.Context, provider string, p mfspay.Payment, because string, src webhook.Source) (order, error) {
	return s.updateInvoice(ctx, provider, p.InvoiceID, func(o *order) error {
		if p.Amount != o.Amount {
			return fmt.Errorf("%w: paid %s BDT, order is %s BDT", errAmountMismatch, p.Amount, o.Amount)
		}
		o.Notices = append(o.Notices, s.stamp(notice{Event: string(mfspay.EventPaymentCompleted), Source: src,
			Outcome: "accepted: " + because}))
		if o.Status == statusPaid {
			return nil
		}
		o.Status, o.PaidBecause, o.LearntBy, o.StartError = statusPaid, because, src, ""
		o.PaidAt = p.PaidAt
		if o.PaidAt.IsZero() {
			o.PaidAt = s.now()
		}
		o.PaidAt = o.PaidAt.UTC()
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
		return nil
	})
}

// markClosed records a payment that ended without money, learnt from src,
// and notes n. A paid order stays paid; the contradiction is kept as an
// alert.
func (s *orderStore) markClosed(ctx context.Context, provider, invoiceID string, status orderStatus, src webhook.Source, n notice) (order, error) {
	return s.updateInvoice(ctx, provider, invoiceID, func(o *order) error {
		switch {
		case o.Status == statusPaid:
			o.Alerts = append(o.Alerts, fmt.Sprintf("The provider later reported this paid order as %s; it stays paid until someone checks.", status))
		case !o.Status.final():
			o.Status, o.LearntBy = status, src
		}
		o.Notices = append(o.Notices, s.stamp(n))
		return nil
	})
}

// recordTransfer attaches the wallet transaction EazzPay reports (money seen
// arriving, tied to an order only by the reference the customer gave) to the
// order whose invoice is that reference, when the amounts agree, and notes
// n. It never makes an order paid: that takes the per-payment notification.
func (s *orderStore) recordTransfer(ctx context.Context, provider, reference string, p mfspay.Payment, n notice) (order, error) {
	return s.updateInvoice(ctx, provider, reference, func(o *order) error {
		if p.Amount != o.Amount {
			return errAmountMismatch
		}
		o.Wallet, o.Sender, o.TrxID = p.Method, p.Sender, p.TrxID
		o.Notices = append(o.Notices, s.stamp(n))
		return nil
	})
}

// annotate adds a note, and an alert for a human when alert is not empty,
// to the order of invoiceID at provider.
func (s *orderStore) annotate(ctx context.Context, provider, invoiceID, alert string, n notice) error {
	_, err := s.updateInvoice(ctx, provider, invoiceID, func(o *order) error {
		if alert != "" {
			o.Alerts = append(o.Alerts, alert)
		}
		o.Notices = append(o.Notices, s.stamp(n))
		return nil
	})
	return err
}

// stamp dates a notice as it is written to its order.
func (s *orderStore) stamp(n notice) notice {
	n.At = s.now().UTC()
	return n
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
