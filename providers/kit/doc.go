// Package kit is the provider author's toolkit: what a driver needs beyond
// its provider's wire format, written once for every adapter.
//
// Callers of mfspay never import it. A driver (an mfspay.Driver, wrapped
// by mfspay.NewGateway in the portable layer) uses:
//
//   - HTTPClient: the payment-safe HTTP client. Reads are retried on
//     network errors, 429 and 5xx; a create only when it provably never
//     reached the provider, or on 429, and never by a layer below the
//     policy. Errors never carry URLs, headers or secrets; StatusError maps a
//     non-2xx answer to an *mfspay.Error.
//   - ReconcileCreate: after an ambiguous create, ask the provider by
//     invoice before creating again.
//   - Redact: scrub secrets from provider text in every encoding it may
//     carry them (plain, JSON-escaped, URL-encoded, HTML-escaped).
//   - Signature and secret checks for notifications: SignHMACSHA256,
//     VerifyHMACSHA256, HMACSHA256Verifier, CheckSharedSecret, all constant
//     time.
//   - SNSVerifier: AWS SNS notifications authenticated as AWS defines
//     them (string to sign, certificate host pinned, certificates cached,
//     topics allowed, subscriptions confirmed), for providers that notify
//     through an SNS topic.
//   - TokenSource over a TokenCache: short-lived tokens granted from
//     credentials, cached (per process with SharedTokenCache), renewed
//     ahead of expiry once for every caller, refreshed, and a read sent
//     again once when its token is refused.
//   - Flight: one call per key for concurrent callers, outliving a caller
//     who leaves, remembering final results a while (a customer's return
//     executed once however often the browser comes back).
//   - Settings helpers (ParseBaseURL, SettingList) and the vocabulary
//     helpers (MapStatus, ParseMethod, EventFor, Invalid, Unsupported,
//     KindForStatus, BangladeshTime).
//
// The simulator side has its own kit, providers/simkit.
package kit
