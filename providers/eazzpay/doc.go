// Package eazzpay is the mfspay adapter for EazzPay
// (https://pay.eazzpay.com/api/v1).
//
// What it supports:
//
//   - CreatePayment: POST {base}/payments/initiate. EazzPay has no merchant
//     invoice field, so the invoice id travels twice: inside the metadata
//     string and as an invoice_id query parameter on the IPN URL, so every
//     notification can be tied back to its order. EazzPay limits cus_name and
//     every URL to 100 characters (the IPN URL counted after invoice_id is
//     added) and metadata to 1000; the adapter checks these before sending.
//   - ParseWebhook: both notifications EazzPay sends, authenticated by the
//     static eazzpay-client-secret header (constant-time, several secrets for
//     rotation, missing header fails closed). The IPN becomes a payment.*
//     event; the webhook-listener notification (money seen arriving in a
//     wallet) becomes transaction.received with the customer's Reference.
//
// What it does not support, and why:
//
//   - VerifyPayment and ListPayments return mfspay.ErrUnsupported, and
//     Capabilities says so. EazzPay documents no verify or list endpoint, and
//     the adapter does not guess one: a request to an invented URL could only
//     produce wrong answers about real money.
//   - Because nothing can look a payment up, a create whose outcome is
//     ambiguous (a timeout, a dropped connection or a 5xx after the request
//     was sent, or a success answer without a usable payment id and
//     absolute eazzpay_url) is never re-sent: it returns
//     mfspay.ErrOutcomeUnknown. Check the merchant
//     dashboard, or wait for the IPN, before creating the payment again. A
//     create that provably never reached EazzPay (the connection failed) is
//     retried by the shared HTTP client.
//
// The package eazzpaytest provides a faithful simulated EazzPay server for
// tests and examples.
package eazzpay
