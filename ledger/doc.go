// Package ledger keeps a durable record of every payment attempt and
// reconciles it with the providers, so that a paid order does not stay
// unpaid because a notification was lost, a create's outcome was unknown,
// or the process died between sending a create and recording its answer.
//
// Three parts:
//
//   - A Store of entries, one per invoice and provider: the intent (before
//     the create is sent), the create's answer, and every verified state
//     change with how it was learnt. It answers which payment belongs to an
//     invoice (ByInvoice) and which invoice a payment id belongs to
//     (ByPaymentID), for providers whose notifications name only one.
//     Backends: NewMemoryStore (tests), ledger/sqlite (the embedded default
//     for one node), ledger/postgres (replicas). Package ledgertest checks
//     any Store against the rules.
//   - Record, which wraps a mfspay.Gateway so that every CreatePayment is
//     recorded: intent first, answer after.
//   - A Reconciler, which sweeps the entries that are due, verifies them with
//     their providers under per-provider rate limits, and hands every state
//     change to a Deliverer — the same path notifications take, so a payment
//     is delivered once whether the notification or the sweep sees it first.
//
// # Guarantees
//
//   - No create is sent unless its intent is recorded first; a create that
//     cannot be recorded is not sent.
//   - A create for an invoice that already has an entry is never sent
//     blindly: a repeat gets the recorded checkout, and an earlier create of
//     unknown outcome is looked up by invoice first (where the provider can)
//     — so Record never makes two payments for one invoice at one provider.
//   - An intent left unanswered by a process that died is found by the
//     reconciler after Schedule.IntentTimeout and settled by invoice where
//     the provider can: the payment is adopted, or the create is proved never
//     to have happened — by two "no such payment" answers at least
//     Schedule.IntentTimeout apart, as a provider's reads may lag its
//     writes.
//   - Statuses only move forward. A final status never returns to pending;
//     paid is never replaced by failed, cancelled or expired — such a report
//     is kept in the history as a conflict and logged; money that arrives
//     after a payment was given up turns it paid, and is logged too.
//   - Every state change the reconciler finds is delivered before it is
//     recorded, so a failed delivery is retried at a later sweep; with a
//     Deliverer that de-duplicates by payment and state (the webhook
//     handler's store), each change reaches the merchant once.
//   - Payments at providers that cannot be verified are never guessed: they
//     are reported (logged once, listed by Reconciler.Unverifiable).
//
// # Not guaranteed
//
//   - Exactly-once delivery rests on the Deliverer's de-duplication: the
//     reconciler may hand a change over twice (a crash between delivery and
//     record, two replicas sweeping after a lease expired).
//   - An invoice may be paid at two different providers: entries are per
//     provider, and which providers an order may use is the merchant's
//     choice.
//   - A payment is checked until its expiry plus Schedule.Grace; a provider
//     that reports a payment later than that is heard only through its
//     notification.
//   - The ledger holds what the provider reported; whether the amount paid
//     matches the order is the Deliverer's check (the webhook handler's
//     amount check).
//   - Payments made outside Record (another system using the same merchant
//     account) are not in the ledger and are not reconciled.
package ledger
