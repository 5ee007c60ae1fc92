// Package nodipay is an mfspay adapter for NodiPay, a fictional Bangladeshi
// payment gateway (there is no such company). It is the worked example of a
// provider that is not built into mfspay: it uses only mfspay's public
// packages, ships as a plugin binary (see the parent directory) and proves
// itself with the conformance suite.
//
//	gw, err := nodipay.New(nodipay.Config{
//		APIKey:         os.Getenv("NODIPAY_API_KEY"),
//		WebhookSecrets: []string{os.Getenv("NODIPAY_WEBHOOK_SECRET")},
//	})
//
// New returns an mfspay.Gateway with mfspay's payment-safe retries and
// circuit breaker (configure both through Config.Resilience); FromSettings
// builds the same from string settings, as plugins and the conformance
// suite do.
//
// # The NodiPay API, version 1
//
// Everything below is NodiPay's own (fictional) wire protocol; package
// nodipaytest serves it on 127.0.0.1.
//
// Base URL https://api.nodipay.example/v1. Every API request carries
// "Authorization: Bearer <secret key>" (keys look like nsk_live_… or
// nsk_test_…); a missing or wrong key is 401. Bodies are UTF-8 JSON.
//
// Money is an integer count of poisha in "amount" (25050 is ৳250.50): there
// is no decimal point on the wire, so no float can bend it. "currency" is
// always "BDT".
//
//	POST /v1/payments                        create a payment       → 201 payment
//	GET  /v1/payments/{id}                   one payment by its id  → 200 payment | 404
//	GET  /v1/invoices/{invoice_id}/payment   one payment by invoice → 200 payment | 404
//	GET  /v1/payments?status=&page=&per_page= newest first          → 200 page
//
// A create sends
//
//	{"invoice_id": "INV-1", "amount": 25050, "currency": "BDT",
//	 "customer": {"name": "…", "email": "…", "phone": "…"},
//	 "success_url": "https://…", "cancel_url": "https://…",
//	 "webhook_url": "https://…", "metadata": {"order": "1"}}
//
// An invoice id names at most one payment, for ever: a second create with
// it is 409 invoice_taken, whatever became of the first. That makes a
// repeated create harmless, and lets a client that lost an answer ask
// GET /v1/invoices/{invoice_id}/payment what happened.
//
// A payment is
//
//	{"id": "pay_3f9c…", "invoice_id": "INV-1", "amount": 25050, "currency": "BDT",
//	 "status": "open", "checkout_url": "https://pay.nodipay.example/pay/pay_3f9c…",
//	 "created_at": "2025-01-02T15:04:05Z", "expires_at": "2025-01-02T15:34:05Z",
//	 "paid_at": null, "wallet": "", "wallet_number": "", "trx_id": ""}
//
// with times in RFC 3339 and, once paid, the wallet ("bkash", "nagad",
// "rocket", "upay", …), the paying wallet number and the wallet's
// transaction id. Its status is one of
//
//	open       waiting for the customer   mfspay.StatusPending
//	succeeded  paid                       mfspay.StatusPaid
//	declined   the wallet refused it      mfspay.StatusFailed
//	abandoned  the customer cancelled     mfspay.StatusCancelled
//	lapsed     not paid in time           mfspay.StatusExpired
//
// and the adapter maps any other string to mfspay.StatusUnknown, never paid.
//
// A list answers {"data": [payment…], "page": 1, "per_page": 20,
// "total": 57, "has_more": true}; per_page is 1 to 100 (default 20) and
// status, when given, is one of the strings above.
//
// Errors answer {"error": {"code": "invoice_taken", "message": "…",
// "field": "invoice_id"}} with 400 or 422 (a bad request, "field" names
// it), 401, 403, 404, 409 (invoice_taken), 413, 415, 429 (with
// Retry-After) or 5xx.
//
// # Webhooks
//
// When a payment reaches a final status NodiPay POSTs an event to the
// payment's webhook_url:
//
//	{"id": "evt_81d2…", "type": "payment.succeeded",
//	 "created_at": "2025-01-02T15:10:00Z", "payment": {payment}}
//
// where type is always "payment." followed by the payment's status. It signs
// every delivery in the header
//
//	Nodi-Signature: t=1735830600,v1=5d41402abc4b2a76b9719d911017c592…
//
// where t is the Unix time of the delivery and v1 the lowercase hex
// HMAC-SHA256, under the webhook secret, of t, a full stop, and the raw body
// ("1735830600.{…}"). While a secret is being rotated the header may carry
// several v1 values. A receiver accepts the event when one v1 matches one of
// its secrets and t is within five minutes of its clock. Binding the time
// into the MAC is what the built-in providers lack: a captured delivery
// cannot be replayed after the tolerance. NodiPay retries a delivery that
// does not get a 2xx answer, with the same event id and a fresh signature.
//
// # What the adapter guarantees
//
//   - Requests are checked (mfspay's shared validation) before any traffic;
//     a bad one is mfspay.ErrInvalidRequest naming the field.
//   - A create is never sent twice blindly: after an ambiguous failure the
//     invoice is looked up (kit.ReconcileCreate), and a result that
//     cannot be settled is mfspay.ErrOutcomeUnknown.
//   - Amounts are read as integer literals, never through float64.
//   - Webhooks are authenticated on their raw bytes before anything is
//     parsed, in constant time, and fail closed (mfspay.ErrInvalidSignature).
//   - Neither the API key nor a webhook secret appears in any error.
package nodipay
