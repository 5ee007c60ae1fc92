// Package uddoktapay is the mfspay adapter for UddoktaPay, the self-hosted
// payment panel (Create Charge API v2). Each merchant runs its own panel;
// its URL, with a brand's path where the brand has no domain of its own,
// is the adapter's base URL.
//
// What it supports:
//
//   - CreatePayment: POST {base}/api/checkout-v2 with the amount as an exact
//     string ("250.00"). UddoktaPay has no invoice field, so the merchant's
//     invoice id travels in metadata.order_id, which UddoktaPay echoes in
//     verify and the IPN. The customer returns to ReturnURL when set, else
//     to SuccessURL, always by GET; cancel_url is CancelURL; webhook_url is
//     WebhookURL. UddoktaPay requires the customer's name and email.
//   - The checkout's PaymentID is empty: the answer carries only a
//     payment_url. UddoktaPay's invoice_id, which is the neutral PaymentID,
//     is learnt from the customer's return or the IPN.
//   - VerifyPayment by PaymentID (UddoktaPay's invoice_id): POST
//     {base}/api/verify-payment. COMPLETED is paid, PENDING pending (the
//     customer has not paid, or submitted a transaction the panel has not
//     matched yet), ERROR and FAILED failed.
//   - ParseWebhook: the IPN, authenticated by the API key itself in the
//     RT-UDDOKTAPAY-API-KEY header (constant time, every configured key for
//     rotation, missing fails closed), then confirmed with verify-payment:
//     the event is built from verify's answer, never from the body.
//   - CompleteReturn (Capabilities.Return is ReturnVerify): the return's
//     invoice_id is verified the same way, and the event has the IPN's ID
//     for the same state, so the two de-duplicate.
//
// What it does not support, and why:
//
//   - VerifyPayment by the merchant's invoice and ListPayments are
//     ErrUnsupported: UddoktaPay can look a payment up only by its own
//     invoice_id and has no list.
//   - A create whose outcome is unknown (a timeout, a dropped connection or
//     a 5xx after the request was sent, a 2xx the adapter cannot read) is
//     ErrOutcomeUnknown: nothing can be looked up to settle it. Creating the
//     payment again is money-safe here: a charge costs nothing until the
//     customer pays it, and the return or IPN of whichever one is paid names
//     the invoice.
//   - Capabilities declare pending, paid and failed only: a customer's
//     cancel sends the browser to cancel_url and changes nothing at
//     UddoktaPay, and no expiry is documented.
//
// Because the IPN's secret is the API key, a leaked request log would leak
// full API access: the adapter never puts the key in an error, in any
// encoding, and keeps no headers.
//
// The package uddoktapaytest provides a simulated UddoktaPay panel for
// tests and examples.
package uddoktapay
