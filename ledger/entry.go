package ledger

import (
	"time"

	"github.com/mfspay/mfspay"
)

// Outcome says what became of the create an entry records.
type Outcome string

// The outcomes of a create, in the order they can happen.
const (
	// OutcomeSending: the intent is recorded and the create may be on its
	// way; no answer has been recorded. An entry left here by a process
	// that died is reconciled after Schedule.IntentTimeout.
	OutcomeSending Outcome = "sending"
	// OutcomeCreated: the provider holds the payment — the create answered a
	// checkout, or the payment was found afterwards.
	OutcomeCreated Outcome = "created"
	// OutcomeUnknown: the create ended in mfspay.ErrOutcomeUnknown; the
	// payment may or may not exist.
	OutcomeUnknown Outcome = "unknown"
	// OutcomeNotCreated: the create was refused, or the provider was asked
	// and holds no payment for the invoice. Only such an entry may be begun
	// again.
	OutcomeNotCreated Outcome = "not_created"
)

// Source says how a status was learnt.
type Source string

// The ways a status is learnt.
const (
	// SourceCreate: from the create's answer.
	SourceCreate Source = "create"
	// SourceNotification: from an authenticated provider notification.
	SourceNotification Source = "notification"
	// SourceReturn: from the customer's return from the hosted page.
	SourceReturn Source = "return"
	// SourceSweep: from the reconciler asking the provider.
	SourceSweep Source = "sweep"
)

// Entry is one payment attempt: one invoice at one provider. Times are kept
// to the microsecond, in UTC; a zero time means "not known" or "not set".
type Entry struct {
	Provider  string
	InvoiceID string
	// Amount is what the merchant asked for.
	Amount mfspay.Amount
	// Fingerprint identifies the create request (see Fingerprint): a repeat
	// of the same request is told apart from another request that reuses
	// the invoice id.
	Fingerprint string
	// CreatedAt is when the intent was recorded, before the create was sent.
	CreatedAt time.Time
	Outcome   Outcome

	// PaymentID, RedirectURL and ExpiresAt come from the checkout.
	// PaymentID is also set when the payment is found by invoice.
	PaymentID   string
	RedirectURL string
	ExpiresAt   time.Time

	// Status is the latest verified status; StatusUnknown until the
	// provider has said anything.
	Status mfspay.Status
	// PaidAmount, TrxID and Method are what the provider reported with
	// Status.
	PaidAmount mfspay.Amount
	TrxID      string
	Method     mfspay.Method
	// StatusAt is when Status was learnt, and Source how.
	StatusAt time.Time
	Source   Source

	// NextCheck is when the reconciler should look at the entry again; zero
	// when it should not (closed, or given up).
	NextCheck time.Time
	// Checks counts the reconciler's looks at the entry.
	Checks    int
	UpdatedAt time.Time
}

// Open reports whether the payment may still change: it may exist and has
// no final status.
func (e Entry) Open() bool {
	return e.Outcome != OutcomeNotCreated && !e.Status.Final()
}

// Checkout returns the checkout the entry recorded.
func (e Entry) Checkout() *mfspay.Checkout {
	return &mfspay.Checkout{
		Provider:    e.Provider,
		PaymentID:   e.PaymentID,
		InvoiceID:   e.InvoiceID,
		RedirectURL: e.RedirectURL,
		ExpiresAt:   e.ExpiresAt,
		Status:      e.Status,
	}
}

// Intent is what Store.Begin records before a create is sent.
type Intent struct {
	Provider    string
	InvoiceID   string
	Amount      mfspay.Amount
	Fingerprint string
	At          time.Time
	// NextCheck is when the reconciler should look at the entry if no
	// answer is recorded by then.
	NextCheck time.Time
}

// Answer is what a create answered, for Store.Answer.
type Answer struct {
	// Outcome is OutcomeCreated, OutcomeUnknown or OutcomeNotCreated.
	Outcome Outcome
	// Checkout is the create's answer, required when Outcome is
	// OutcomeCreated.
	Checkout *mfspay.Checkout
	At       time.Time
	// NextCheck is when the reconciler should first look at the payment;
	// ignored for OutcomeNotCreated, which is never checked.
	NextCheck time.Time
}

// Change is a verified state of a payment, for Store.Apply, and a line of
// an entry's history.
type Change struct {
	Provider string
	// InvoiceID or PaymentID names the entry; when both are given, the
	// entry is found by invoice and a different payment id is a conflict.
	InvoiceID string
	PaymentID string
	Status    mfspay.Status
	Amount    mfspay.Amount
	TrxID     string
	Method    mfspay.Method
	At        time.Time
	Source    Source
	// Effect is what Apply made of the change. Stores fill it in History;
	// Apply ignores it.
	Effect Effect
}

// Effect is what Store.Apply made of a change.
type Effect string

// The effects of a change. Changed and PaidLate alter the entry and are
// announced; Conflict is recorded in the history and must be logged; the
// others leave no trace.
const (
	// EffectChanged: the status moved forward (to a final status, or from
	// unknown to pending).
	EffectChanged Effect = "changed"
	// EffectUnchanged: the entry already had this status.
	EffectUnchanged Effect = "unchanged"
	// EffectStale: pending after a final status; ignored.
	EffectStale Effect = "stale"
	// EffectPaidLate: paid after failed, cancelled or expired — money
	// arrived after the provider had given the payment up. The entry
	// becomes paid; someone must look at it.
	EffectPaidLate Effect = "paid_late"
	// EffectConflict: a final status contradicted by another final status
	// (paid then failed, expired then cancelled), or a payment id other than
	// the entry's. The entry keeps what it had.
	EffectConflict Effect = "conflict"
)

// Announced reports whether the effect is a state change to deliver.
func (f Effect) Announced() bool { return f == EffectChanged || f == EffectPaidLate }

// NewEntry is the entry an intent begins: the rule Store.Begin applies.
func NewEntry(in Intent) Entry {
	return Entry{
		Provider:    in.Provider,
		InvoiceID:   in.InvoiceID,
		Amount:      in.Amount,
		Fingerprint: in.Fingerprint,
		CreatedAt:   in.At,
		Outcome:     OutcomeSending,
		Status:      mfspay.StatusUnknown,
		NextCheck:   in.NextCheck,
		UpdatedAt:   in.At,
	}
}

// WithAnswer applies a create's answer: the rule Store.Answer applies. A
// late answer may settle an unknown outcome, and a checkout proves a
// payment the reconciler could not find; nothing replaces a recorded
// checkout. An unknown or not-created answer dated before the entry's
// intent was learnt about an earlier create (a lookup that began before a
// retry replaced the intent) and says nothing of this one: it is ignored,
// so that it cannot close an intent whose create may be making its
// payment. It reports whether the entry changed.
func (e Entry) WithAnswer(a Answer) (Entry, bool) {
	switch {
	case e.Outcome == OutcomeCreated, a.Outcome == e.Outcome:
		return e, false
	case a.Outcome != OutcomeCreated && a.At.Before(e.CreatedAt):
		return e, false
	case a.Outcome == OutcomeUnknown && e.Outcome != OutcomeSending:
		return e, false
	case a.Outcome == OutcomeNotCreated && e.Outcome != OutcomeSending && e.Outcome != OutcomeUnknown:
		return e, false
	}
	e.Outcome = a.Outcome
	e.UpdatedAt = a.At
	switch a.Outcome {
	case OutcomeCreated:
		co := a.Checkout
		if e.PaymentID == "" {
			e.PaymentID = co.PaymentID
		}
		e.RedirectURL, e.ExpiresAt = co.RedirectURL, co.ExpiresAt
		if e.Status == mfspay.StatusUnknown && co.Status.Valid() {
			e.Status, e.StatusAt, e.Source = co.Status, a.At, SourceCreate
		}
		e.NextCheck = a.NextCheck
	case OutcomeUnknown:
		e.NextCheck = a.NextCheck
	default:
		e.NextCheck = time.Time{}
	}
	if !e.Open() {
		e.NextCheck = time.Time{}
	}
	return e, true
}

// WithChange applies a verified state: the rule Store.Apply applies. The
// entry must be written back unless the effect is EffectStale or
// EffectConflict (an unchanged status may still bring the payment id).
// Statuses only move forward: from
// unknown to anything, from pending to a final status; a final status is
// kept, except that paid replaces failed, cancelled or expired (money
// arrived late). A state from the provider proves the payment exists.
func (e Entry) WithChange(c Change) (Entry, Effect) {
	if c.PaymentID != "" && e.PaymentID != "" && c.PaymentID != e.PaymentID {
		return e, EffectConflict
	}
	var effect Effect
	switch {
	case c.Status == e.Status:
		effect = EffectUnchanged
	case !e.Status.Final():
		effect = EffectChanged
	case c.Status == mfspay.StatusPending:
		effect = EffectStale
	case c.Status == mfspay.StatusPaid:
		effect = EffectPaidLate
	default:
		return e, EffectConflict
	}
	if effect == EffectStale {
		return e, effect
	}
	if e.PaymentID == "" && c.PaymentID != "" {
		e.PaymentID = c.PaymentID
	}
	if e.Outcome != OutcomeCreated {
		e.Outcome = OutcomeCreated
		e.UpdatedAt = c.At
	}
	if effect.Announced() {
		e.Status, e.PaidAmount, e.TrxID, e.Method = c.Status, c.Amount, c.TrxID, c.Method
		e.StatusAt, e.Source, e.UpdatedAt = c.At, c.Source, c.At
	}
	if !e.Open() {
		e.NextCheck = time.Time{}
	}
	return e, effect
}

// WithCheck records a look by the reconciler: the rule Store.Checked
// applies. A closed entry is never scheduled.
func (e Entry) WithCheck(at, next time.Time) Entry {
	e.Checks++
	e.NextCheck = next
	e.UpdatedAt = at
	if !e.Open() {
		e.NextCheck = time.Time{}
	}
	return e
}
