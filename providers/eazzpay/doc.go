// Package eazzpay is the mfspay driver for EazzPay
// (https://pay.eazzpay.com/api/v1).
//
//   - CreatePayment: POST {base}/payments/initiate. EazzPay has no merchant
//     invoice field, so the invoice id travels twice: inside the metadata
//     string and as an invoice_id query parameter on the IPN URL, so that
//     every notification can be tied back to its order. EazzPay's limits
//     (cus_name and every URL 100 characters, the IPN URL counted with
//     invoice_id; metadata 1000) are checked before anything is sent.
//   - ParseWebhook: both notifications EazzPay sends, authenticated by the
//     static eazzpay-client-secret header (constant time, several secrets
//     for rotation, fails closed). An IPN becomes a payment.* event; the
//     webhook listener's (money arriving in a wallet) transaction.received,
//     with the customer's Reference and its Dhaka time read as UTC.
//   - VerifyPayment and ListPayments are mfspay.ErrUnsupported, as
//     Capabilities says: EazzPay documents no such endpoint, and an
//     invented one could only give wrong answers about real money.
//   - So nothing can settle a create whose outcome is ambiguous (a timeout,
//     a dropped connection or a 5xx once the request was sent, or a success
//     answer without a payment id): it is never re-sent, but
//     mfspay.ErrOutcomeUnknown. Check the dashboard, or wait for the IPN,
//     before creating the payment again. A create that provably never
//     reached EazzPay is retried by the shared HTTP client.
//
// Package eazzpaytest is a faithful simulated EazzPay for tests and demos.
package eazzpay
