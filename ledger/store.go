package ledger

import (
	"context"
	"errors"
	"time"

	"github.com/mfspay/mfspay"
)

// Store keeps the ledger. An entry is keyed by (Provider, InvoiceID); a
// payment id belongs to at most one entry of a provider.
//
// Every method is atomic, and implementations must be safe for concurrent
// use by several goroutines and, for shared stores, several processes. The
// transition rules are written once, as Entry methods (NewEntry,
// WithAnswer, WithChange, WithCheck): an implementation reads the entry,
// applies the rule and writes the result in one transaction. Package
// ledgertest checks an implementation against those rules.
//
// Inputs that break the rules of Intent.Validate, Answer.Validate or
// Change.Validate are refused with an mfspay.ErrInvalidRequest error and
// change nothing. Times are kept to the microsecond, in UTC.
type Store interface {
	// Begin records the intent to create a payment, before it is sent. When
	// the invoice already has an entry at the provider it returns that entry
	// and an error wrapping ErrExists, unless the entry's outcome is
	// OutcomeNotCreated: then the intent replaces it.
	Begin(ctx context.Context, in Intent) (Entry, error)
	// Answer records what the create answered (see Entry.WithAnswer). A
	// payment id another entry of the provider holds is an error wrapping
	// ErrExists.
	Answer(ctx context.Context, provider, invoiceID string, a Answer) (Entry, error)
	// Apply records a verified state of a payment (see Entry.WithChange)
	// and returns the entry as it is now and the change's effect. Changes
	// whose effect is EffectChanged, EffectPaidLate or EffectConflict are
	// kept in the history.
	Apply(ctx context.Context, c Change) (Entry, Effect, error)
	// ByInvoice returns the provider's entry for the invoice.
	ByInvoice(ctx context.Context, provider, invoiceID string) (Entry, error)
	// ByPaymentID returns the entry holding the provider's payment id.
	ByPaymentID(ctx context.Context, provider, paymentID string) (Entry, error)
	// Claim takes up to limit of the entries whose NextCheck is set and not
	// after due, the earliest first, moves their NextCheck to until and
	// returns them in (Provider, InvoiceID) order. Moving it means that
	// concurrent sweeps (other goroutines or replicas) do not take them as
	// well. An entry whose sweeper dies comes back at until.
	Claim(ctx context.Context, due, until time.Time, limit int) ([]Entry, error)
	// Checked records a look by the reconciler at at and schedules the next
	// one (zero: none) (see Entry.WithCheck).
	Checked(ctx context.Context, provider, invoiceID string, at, next time.Time) error
	// Open returns up to limit open entries (see Entry.Open) created before
	// the given time, in (CreatedAt, Provider, InvoiceID) order, starting
	// after the entry after: pass the zero Entry for the first page and the
	// last entry of a page for the next.
	Open(ctx context.Context, createdBefore time.Time, after Entry, limit int) ([]Entry, error)
	// History returns the entry's recorded changes, oldest first; each
	// names the entry's invoice, whatever named it in Apply.
	History(ctx context.Context, provider, invoiceID string) ([]Change, error)
}

// Errors of Store methods, for errors.Is.
var (
	// ErrNoEntry: no entry has that invoice or payment id.
	ErrNoEntry = errors.New("ledger: no such entry")
	// ErrExists: the invoice already has an entry at the provider, or the
	// payment id belongs to another entry.
	ErrExists = errors.New("ledger: entry exists")
)

// opLedger names ledger operations in errors.
const opLedger = "ledger"

func invalid(field, message string) error {
	return &mfspay.Error{Kind: mfspay.ErrInvalidRequest, Op: opLedger, Field: field, Message: message}
}

// Validate checks an intent: provider, invoice id, a positive amount and a
// time.
func (in Intent) Validate() error {
	switch {
	case in.Provider == "":
		return invalid("provider", "is required")
	case in.InvoiceID == "":
		return invalid("invoice_id", "is required")
	case in.Amount <= 0:
		return invalid("amount", "must be greater than zero")
	case in.At.IsZero():
		return invalid("at", "is required")
	}
	return nil
}

// Validate checks an answer: a known outcome, a time, and a checkout with
// a known status for OutcomeCreated.
func (a Answer) Validate() error {
	switch {
	case a.At.IsZero():
		return invalid("at", "is required")
	case a.Outcome == OutcomeCreated:
		if a.Checkout == nil || !a.Checkout.Status.Valid() {
			return invalid("checkout", "a created answer needs its checkout")
		}
	case a.Outcome != OutcomeUnknown && a.Outcome != OutcomeNotCreated:
		return invalid("outcome", "must be created, unknown or not_created")
	}
	return nil
}

// Validate checks a change: a provider, an invoice or payment id, a known
// status other than StatusUnknown (which says nothing), a non-negative
// amount, a time and a source.
func (c Change) Validate() error {
	switch {
	case c.Provider == "":
		return invalid("provider", "is required")
	case c.InvoiceID == "" && c.PaymentID == "":
		return invalid("invoice_id", "an invoice or payment id is required")
	case !c.Status.Valid() || c.Status == mfspay.StatusUnknown:
		return invalid("status", "must be a known payment status")
	case c.Amount < 0:
		return invalid("amount", "must not be negative")
	case c.At.IsZero():
		return invalid("at", "is required")
	case c.Source == "":
		return invalid("source", "is required")
	}
	return nil
}

// Timestamp is t as every Store keeps it: UTC, to the microsecond. The zero
// time stays zero.
func Timestamp(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
