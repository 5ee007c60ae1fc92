// Package bkash is the mfspay adapter for bKash Tokenized Checkout
// (v1.2.0-beta, URL-based mode 0011), bKash's own merchant API.
//
//	gw, err := bkash.New(bkash.Config{
//		Username: os.Getenv("BKASH_USERNAME"), Password: os.Getenv("BKASH_PASSWORD"),
//		AppKey: os.Getenv("BKASH_APP_KEY"), AppSecret: os.Getenv("BKASH_APP_SECRET"),
//		TopicARNs: []string{os.Getenv("BKASH_SNS_TOPIC_ARN")},
//	})
//
// bKash differs from gateways that notify per payment:
//
//   - Nothing is debited until the merchant executes the payment after the
//     customer comes back (Capabilities.Return is mfspay.ReturnExecute):
//     CreatePaymentRequest.ReturnURL is required, and the webhook handler's
//     return endpoint calls CompleteReturn, which executes exactly once and
//     reports the outcome from bKash's answers (see CompleteReturn).
//   - Calls carry a short-lived token granted from the four credentials.
//     It is cached per credential set for the whole process, renewed about
//     ten minutes before it expires (a refresh, or a grant when bKash
//     refuses the refresh), and renewals are single-flighted: bKash blocks
//     credentials that ask too often. A token refused mid-call (401/403) is
//     renewed; a read is then sent once more, a create or execute never.
//   - Payments are looked up by paymentID only; by invoice and listing are
//     ErrUnsupported. Verify never executes. Statuses: pending (Initiated)
//     and paid (Completed) from the API; failed and cancelled only from a
//     return; never expired (an abandoned payment stays Initiated).
//   - A create whose outcome is unknown is ErrOutcomeUnknown at once, and
//     creating again is money-safe (see Create).
//   - Notifications are AWS SNS messages (see ParseNotification) reporting
//     money received into the wallet from any channel: they become
//     transaction.received events keyed by the SNS MessageId.
//   - Amounts go out as strings formatted from poisha ("250.00") and come
//     back through mfspay.Amount, exactly.
//   - Error codes map to kinds: 2001 and 9999 ErrUnauthorized, 2002 and
//     2033 ErrNotFound, 2067 ErrForbidden, the request codes (2006-2008,
//     2025, 2029, 2031, 2047-2049, 2063-2065) ErrInvalidRequest, anything
//     else ErrUnavailable (ErrOutcomeUnknown for a create); HTTP 429 is
//     ErrRateLimited with RetryAfter; 401/403 after a fresh token
//     ErrUnauthorized.
//   - The credentials never appear in errors or logs.
//
// For tests and demos, package bkashtest runs a faithful bKash on
// 127.0.0.1: API, the wallet/OTP/PIN page and SNS signing with its own CA.
package bkash
