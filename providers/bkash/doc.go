// Package bkash is the mfspay adapter for bKash Tokenized Checkout
// (v1.2.0-beta, URL-based mode 0011), bKash's own merchant API.
//
//	gw, err := bkash.New(bkash.Config{
//		Username: os.Getenv("BKASH_USERNAME"), Password: os.Getenv("BKASH_PASSWORD"),
//		AppKey: os.Getenv("BKASH_APP_KEY"), AppSecret: os.Getenv("BKASH_APP_SECRET"),
//		SNS: kit.SNSConfig{TopicARNs: []string{os.Getenv("BKASH_SNS_TOPIC_ARN")}},
//	})
//
// Every call carries a short-lived token granted from the four
// credentials (kit.TokenSource). It is cached per credential set for the
// whole process and renewed once, ahead of time, for every caller, since
// bKash blocks credentials that ask too often; a token refused mid-call is
// renewed and a read sent once more, a create or an execute never. A token
// refused within a minute of its grant is not renewed (the credentials are
// refused, not the token): the call is ErrUnauthorized, so a persistent
// 401 costs at most one renewal a minute, not one per call.
//
// # The customer's return
//
// Nothing is debited until the merchant executes the payment after the
// customer comes back, so Capabilities.Return is mfspay.ReturnExecute and
// CreatePaymentRequest.ReturnURL is required: bKash's callbackURL is that
// URL with ReturnInvoiceParam appended (the merchant's query is left as
// it is, order and escapes), and bKash appends paymentID, status (success,
// failure or cancel) and a signature no one can check. Where the
// merchant's query has parameters of the same names, the last values,
// bKash's, are read. Gateway's
// CompleteReturn trusts none of it. It queries the payment first, which
// must belong to the invoice in the return or the return is
// ErrInvalidRequest and nothing is done. Then:
//
//   - already Completed: paid, from the query;
//   - success: execute, which captures the money. Its answer Completed is
//     paid; a customer-side refusal (insufficient balance, blocked wallet,
//     2010-2019, 2037-2046, 2057, 2058) is failed; "not approved" (2056,
//     2060) is pending. Anything else (no answer in time, a non-200, the
//     API gateway's "message", "already executed" 2062/2068/2116/2117/
//     2119, an unreadable or unknown answer) is settled by one query, as
//     bKash's rule asks: Completed is paid, Initiated pending;
//   - failure or cancel, still Initiated: failed or cancelled, unless the
//     query says the customer approved (then pending: the success return
//     must still come). bKash has no cancelled state to confirm this by,
//     and such a return needs no secret, so it can be forged: a
//     payment.completed can follow a payment.cancelled for the same
//     payment when its customer pays after all.
//
// Returns of one payment, status and invoice share one flight, so five
// tabs see one outcome; a final outcome is remembered for ten minutes.
// Execute itself runs in one flight per payment, shared by every return
// and reconciler of the process, and remembers a final outcome as long:
// a process sends one execute per payment at a time, and none once it
// knows the outcome. Event IDs are "bkash:{paymentID}:{status}". VerifyPayment
// never executes: a payment approved by a customer who never came back
// stays pending until a return completes it. A reconciler does so with a
// ReturnRequest that names the payment (ReturnRequest.PaymentID, never set
// from a browser): the query decides, and execute is sent only when bKash
// says the customer approved the payment and it still waits.
//
// # Notifications
//
// bKash's webhook is an AWS SNS subscription. Gateway's ParseWebhook
// authenticates it with kit.SNSVerifier, which fails closed
// (ErrInvalidSignature) on anything amiss: among others a TopicArn not
// among Config.SNS.TopicARNs, a SignatureVersion other than 1 or 2, a
// SigningCertURL off a host matching Config.SNS.CertHost, a signature that
// does not verify over the string to sign; a certificate that cannot be
// fetched is ErrUnavailable, so that SNS retries.
//
// A Notification is a transaction.received event: money arrived in the
// wallet, from any channel. Event.ID is the MessageId, which SNS keeps on
// re-delivery; the payment carries the message's amount exactly, the
// trxID, the payer (debitMSISDN as 01…) and the time. Reference is
// merchantInvoiceNumber, the invoice the merchant sent at create, or empty:
// never transactionReference, which a customer types in the bKash app, so
// that a 1-taka app payment referenced "INV-42" cannot name a merchant's
// invoice in a genuine, signed event. No paymentID ties it to a payment. A SubscriptionConfirmation from an allowed topic is confirmed
// and answered mfspay.ErrNoEvent with Code CodeSubscriptionConfirmed; an
// UnsubscribeConfirmation with CodeUnsubscribeConfirmation. webhook.Handler
// answers both 200.
//
// # Lookups, money and errors
//
// A create whose outcome is unknown is ErrOutcomeUnknown at once: bKash
// cannot find a payment by invoice, and creating again is money-safe, since
// a payment is captured only by an execute after its customer approved it
// on the page of the create that answered. Payments are looked up by
// paymentID only; lookup by invoice and listing are ErrUnsupported.
// Amounts travel as strings formatted from poisha and are read back
// exactly; an answer whose currency is not BDT is unusable
// (ErrUnavailable, ErrOutcomeUnknown for a create; an execute's is settled
// by a query). Error codes map to kinds: 2001 and 9999
// ErrUnauthorized, 2002 and 2033 ErrNotFound, 2067 ErrForbidden, the
// request codes (2006-2008, 2025, 2029, 2031, 2047-2049, 2063-2065)
// ErrInvalidRequest, the rest ErrUnavailable (ErrOutcomeUnknown for a
// create); HTTP 429 is ErrRateLimited with RetryAfter. The credentials,
// and the tokens granted from them, never appear in errors or logs.
//
// Package bkashtest runs a faithful bKash on 127.0.0.1 for tests and demos.
package bkash
