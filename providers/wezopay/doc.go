// Package wezopay is the mfspay driver for WezoPay (wezopay.com), a
// gateway that takes bKash, Nagad, Rocket and Upay payments through one
// REST API.
//
//	gw, err := wezopay.New(wezopay.Config{
//		APIKey:         os.Getenv("WEZOPAY_API_KEY"),
//		WebhookSecrets: []string{os.Getenv("WEZOPAY_WEBHOOK_SECRET")},
//	})
//
// New wraps the driver in mfspay's portable layer (validation, answer
// checks, payment-safe retries, circuit breaker); FromSettings builds the
// same from string settings, as plugins and the conformance suite do. What
// the driver adds, knowing WezoPay's wire format:
//
//   - Amounts go out as JSON number literals formatted from integer poisha
//     (25000 → 250.00) and come back through mfspay.Amount: no float64.
//   - Statuses map through an exact table (pending, paid, failed, cancelled,
//     expired); anything else is mfspay.StatusUnknown, never paid.
//   - A create is never sent twice blindly. After an ambiguous failure (a
//     timeout or 5xx once the request may have arrived, or a success answer
//     that cannot be read) the invoice is looked up: a payment of the same
//     amount is the Checkout (RedirectURL {host}/p/{token}, ExpiresAt zero,
//     Status as WezoPay reports it now), one of another amount is
//     mfspay.ErrDuplicate, none means the create is sent again (three at
//     most). What cannot be settled is mfspay.ErrOutcomeUnknown.
//   - Errors: 400 and 422 are ErrInvalidRequest naming WezoPay's first
//     offending field, 422 "invoice_id already exists" ErrDuplicate, 401
//     ErrUnauthorized, 403 ErrForbidden, 404 ErrNotFound, 429 ErrRateLimited
//     with RetryAfter, 5xx ErrUnavailable (ErrOutcomeUnknown for a create).
//     A proxy's HTML page is described, never quoted; a 2xx body that does
//     not say "success": true, or lacks a required member, is an error.
//   - Webhooks are authenticated on their raw bytes before they are read
//     (X-WezoPay-Signature, hex HMAC-SHA256 as PHP's hash_hmac computes it,
//     several secrets for rotation) and fail closed. An event that does not
//     agree with its status (payment.completed with "paid", and so on)
//     becomes payment.pending with StatusUnknown: verify to learn the truth.
//     Event.ID is "wezopay:{token}:{event}" (plus ":{status}" when they
//     disagree), the same for every re-delivery; no timestamp is signed, so
//     replays are stopped by de-duplication and by verifying the payment.
//   - Neither the API key nor a webhook secret appears in any error or log.
//
// For tests and demos, package wezopaytest runs a faithful WezoPay on
// 127.0.0.1.
package wezopay
