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
// same from string settings, as plugins do. What the driver knows of
// WezoPay's wire format:
//
//   - Amounts are JSON number literals formatted from integer poisha
//     (25000 → 250.00) and read back by mfspay.Amount: no float64.
//   - Statuses map exactly (pending, paid, failed, cancelled, expired);
//     anything else is mfspay.StatusUnknown, never paid.
//   - An ambiguous create (a timeout or 5xx once the request may have
//     arrived, or a success answer that cannot be read) is settled by
//     looking the invoice up: a payment of the same amount is the Checkout
//     (its page {host}/p/{token}, ExpiresAt zero), one of another amount
//     mfspay.ErrDuplicate, none a safe second create (three at most).
//     What cannot be settled is mfspay.ErrOutcomeUnknown.
//   - Errors keep WezoPay's text and first offending field; 422 "invoice_id
//     already exists" is mfspay.ErrDuplicate; a proxy's HTML is described.
//   - Webhooks are authenticated on their raw bytes before they are read
//     (X-WezoPay-Signature: hex HMAC-SHA256, as PHP's hash_hmac computes
//     it, under any configured secret). An event that does not agree with
//     its status becomes payment.pending with StatusUnknown. Event.ID is
//     "wezopay:{token}:{event}" (plus ":{status}" when they disagree) for
//     every re-delivery; with no signed timestamp, replays are stopped by
//     de-duplication and by verifying the payment.
package wezopay
