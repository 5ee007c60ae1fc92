// Package webhook receives payment notifications from every provider through
// one net/http handler: it authenticates the raw bytes, bounds the request,
// optionally confirms the payment with the provider, de-duplicates the
// payment state it delivers, checks its amount, and only then calls the
// merchant's callback.
//
// Two more sources share that path, so that each payment state reaches the
// callback once whichever reports it first: the customer's return from the
// hosted page (Returns, for providers such as bKash that complete a payment
// only when the merchant acts on the return) and a reconciler's sweep
// (Deliver, which makes a Handler a ledger.Deliverer).
//
// # Wiring
//
//	h := webhook.New(onEvent,
//		webhook.Route(wezo), webhook.Route(eazz),
//		webhook.Confirm(),
//		webhook.ExpectAmount(orders.ExpectedAmount),
//		webhook.OnAmountMismatch(alerts.AmountMismatch),
//		webhook.WithLogger(logger))
//	mux.Handle("/webhooks/{provider}", h)     // one path per provider name
//	mux.Handle("/eazzpay/ipn", h.For("eazzpay")) // or an explicit path
//
// # The flow of one request
//
//  1. Route: the provider comes from the path wildcard ("provider" unless
//     PathWildcard says otherwise) or from For; with a single gateway the
//     wildcard may be absent. Unknown provider: 404.
//  2. Method: POST only, else 405 with "Allow: POST". (EazzPay's IPN
//     method is configurable per payment, but its adapter always asks for
//     POST.)
//  3. Media type: a declared Content-Type must be application/json
//     (parameters such as charset allowed) or one given to ContentTypes,
//     else 415. An absent Content-Type is accepted: the body is
//     authenticated and parsed strictly anyway.
//  4. Size and time: a body over MaxBodyBytes (1 MiB default) is refused
//     with 413, before reading when Content-Length says so, else by
//     http.MaxBytesReader; a body not received within ReadTimeout (10
//     seconds default) is answered 408 and its connection closed.
//  5. The raw body is read exactly once and handed, with the headers and the
//     query exactly as received, to the gateway's ParseWebhook, which
//     authenticates before it parses. A bad or missing signature or secret
//     is answered 401; an authentic but malformed notification 400.
//  6. De-duplication: the payment state the event announces (its provider,
//     payment id, or invoice id when it names no payment id, and type;
//     events naming no payment by their ID) is reserved in the Store before
//     any further work. Already delivered: 200. Being delivered right now
//     by another request: 503, so the provider retries; if that delivery
//     fails, it released the mark and the retry is delivered. Store down:
//     503.
//  7. Confirmation (Confirm): see below. Provider unreachable: 503. When the
//     provider reports another state than the notification claims, the mark
//     moves to that state: what is marked is what is delivered. A claim of
//     a state already delivered that is not final (pending) is confirmed
//     before it is answered as a duplicate, since the payment may have
//     moved on: the provider's new state is delivered.
//  8. Amount integrity (ExpectAmount): see below.
//  9. The callback runs with a context that carries a Delivery (read it
//     with DeliveryFrom) and ends when the lease does (Lease, 1 minute by
//     default); the sender hanging up does not cancel it. Success: the mark
//     is committed for DedupTTL (72 hours by default) and the answer is 200.
//     Failure or panic: the mark is released and the answer is 500, so the
//     provider's retry is delivered: nothing is lost.
//
// # Status codes
//
//	200  delivered; a duplicate of a delivered event; a completed payment
//	     refused by the amount check after OnAmountMismatch was told
//	400  malformed notification (authentic, but unparsable); with Confirm,
//	     an event naming no payment the gateway can verify, or naming another
//	     payment than the provider returns
//	401  authentication failed (the body says only "unauthorized")
//	404  the path names no routed provider
//	405  not POST
//	408  the body was not received within ReadTimeout
//	413  body larger than MaxBodyBytes
//	415  declared media type not accepted
//	500  the callback or the OnAmountMismatch hook failed; a gateway error
//	     that is neither transient nor the sender's fault
//	503  the same event is being delivered right now; the store, the
//	     provider (Confirm) or the merchant's ExpectAmount lookup is
//	     unavailable; the provider does not yet confirm what the
//	     notification claims
//
// Every answer body is a short fixed text that never echoes the request.
// Every non-2xx answer leaves the event undelivered and its mark released,
// so the provider's retry starts afresh.
//
// # Confirmation
//
// A notification is only the provider's claim, and WezoPay signs no
// timestamp, so a captured notification can be replayed, and anyone holding
// the webhook secret can forge one. With Confirm, each payment event from a
// gateway whose Capabilities can verify is re-read with VerifyPayment (by
// payment id when the gateway accepts it, else by invoice id) and delivered
// with the provider's authoritative payment and the event type matching its
// status; Delivery.Confirmed is true and Delivery.Claimed keeps the claim.
//
//   - The provider says pending while the notification claims a final state
//     (paid, failed…): nothing is delivered and the answer is 503. A forged
//     "paid" never reaches the callback; a genuine one whose provider reads
//     lag is retried by the provider until they agree. Delivering "pending"
//     with 200 instead would stop the retries of a payment that did happen.
//   - The provider reports another final state than claimed (a stale
//     "paid" for a payment now failed, or the reverse): the authoritative
//     state is delivered.
//   - The provider reports a status the adapter cannot map: 503, nothing
//     delivered.
//   - The provider does not know the payment: 503 (its reads may lag).
//   - The provider's answer omits the invoice id or the payment id (a
//     look-up by one id need not return the other): the notification's is
//     kept. An id that contradicts the notification's is refused (400).
//
// Gateways that cannot verify (EazzPay declares verification unsupported)
// and transaction.received events (money seen in a wallet, not a payment
// status) cannot be confirmed: they are delivered as authenticated, with
// Delivery.Confirmed false. A callback that must act only on confirmed
// payments checks that flag and returns nil for the rest.
//
// # Amount integrity
//
// With ExpectAmount, every payment.completed event (after confirmation) is
// checked against the amount the merchant expects for its invoice. A
// different amount (one poisha short, or over) or an invoice the merchant
// does not know is never delivered: the OnAmountMismatch hook is told and
// the answer is 200, because the notification will never become valid and
// retrying it only repeats the alarm; the mark is committed, so the hook
// hears of each notification once. If the hook fails, the answer is 500 and
// the retry tells it again. If the merchant's lookup fails, the answer is
// 503.
//
// # De-duplication guarantee
//
// Within one Store, a payment state whose delivery succeeded is not
// delivered again for DedupTTL, whether a notification, a return or a sweep
// reports it again, and concurrent deliveries of one state reach the
// callback once, on one replica or on many sharing a store (redisstore, pgstore).
// Delivery is still at-least-once in general: a crash after the callback
// returned but before the mark was committed, a commit lost to a store
// outage, a callback that outlives its lease, or a mark evicted from a full
// MemoryStore can deliver an event again, so the callback must be
// idempotent (an order already marked paid stays paid). A second delivery
// happens only after the first one's lease has ended: the lease is counted
// from before the reservation is sent, so the callback's context ends no
// later than the store's lease.
//
// Store calls are bounded (5 s, or the lease if shorter): a store that is
// down or hung is answered 503 before any delivery, never a delivery
// without a mark. A failed commit or release is retried within that bound;
// a commit that still fails is logged as "commit-failed", and one whose
// lease another delivery took over meanwhile (ErrLeaseLost) as
// "delivered-lease-lost", both at error level and answered 200, since the
// event was delivered.
//
// # Logging
//
// WithLogger logs one line per request with the outcome, the provider, the
// event id and type, and the status code; gateway errors are logged by kind
// only. Headers, signatures, secrets and bodies are never logged. The
// default logger discards everything.
package webhook
