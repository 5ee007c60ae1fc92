// Package wezopay is the mfspay adapter for WezoPay (wezopay.com), a
// gateway that takes bKash, Nagad, Rocket and Upay payments through one
// REST API.
//
//	gw, err := wezopay.New(wezopay.Config{
//		APIKey:         os.Getenv("WEZOPAY_API_KEY"),
//		WebhookSecrets: []string{os.Getenv("WEZOPAY_WEBHOOK_SECRET")},
//	})
//
// New returns an mfspay.Gateway with payment-safe retries and a circuit
// breaker (configure both through Config.Resilience); FromSettings builds
// the same from string settings, as plugins and the conformance suite do.
//
// What the adapter guarantees on top of the wire protocol:
//
//   - Money is exact. Amounts go out as JSON number literals formatted from
//     integer poisha (25000 → 250.00) and come back through
//     mfspay.ParseAmount; no float64 is ever involved.
//   - A create is never duplicated. It is retried only when it provably never
//     reached WezoPay (or on 429). After an ambiguous failure (a timeout or
//     5xx once the request may have arrived, or a success answer that cannot
//     be read) the payment is looked up by invoice id: one with the same
//     amount is returned as the Checkout (RedirectURL derived as
//     {host}/p/{token}, ExpiresAt zero, Status as WezoPay reports it now);
//     one with another amount is mfspay.ErrDuplicate; none means the create
//     never happened, and it is sent again (at most three creates in all).
//     What cannot be settled is mfspay.ErrOutcomeUnknown: verify by invoice
//     before trying again.
//   - Statuses map through an exact table: pending, paid, failed, cancelled,
//     expired. Any other string is mfspay.StatusUnknown, never paid.
//   - Errors: 400 and 422 are ErrInvalidRequest (with WezoPay's "errors"
//     field map summarised and the first field named), 422 "invoice_id
//     already exists" ErrDuplicate, 401 ErrUnauthorized, 403 ErrForbidden,
//     404 ErrNotFound, 429 ErrRateLimited with RetryAfter, 5xx and network
//     failures ErrUnavailable (ErrOutcomeUnknown for a create). A proxy's
//     HTML page is described, never quoted; a 2xx body that does not say
//     "success": true, or lacks a required field, is an error, never a
//     half-filled result.
//   - Webhooks are authenticated on their raw bytes before anything is parsed
//     (X-WezoPay-Signature, hex HMAC-SHA256 as PHP's hash_hmac computes it,
//     several secrets for rotation) and fail closed: a missing, garbled or
//     wrong signature, or no secret configured, is ErrInvalidSignature. An
//     authentic body that is not the documented JSON is ErrInvalidRequest.
//     The event must agree with its status (payment.completed with "paid",
//     payment.failed with "failed", payment.cancelled, payment.expired);
//     anything else becomes a payment.pending event whose payment is
//     StatusUnknown, never a completed payment: verify to learn the truth.
//     Event.ID is "wezopay:{token}:{event}" (plus ":{status}" when they
//     disagree), identical for every re-delivery. No timestamp is signed, so
//     replays are stopped by de-duplication and by verifying the payment.
//   - Neither the API key nor a webhook secret appears in any error or log
//     line.
//
// For tests and demos, package wezopaytest runs a faithful WezoPay on
// 127.0.0.1.
package wezopay
