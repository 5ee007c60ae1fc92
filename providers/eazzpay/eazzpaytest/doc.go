// Package eazzpaytest is a faithful simulated EazzPay: a real HTTP server on
// 127.0.0.1, in the spirit of net/http/httptest, for tests, examples and
// demos. It speaks EazzPay's wire format as the eazzpay package's spec
// describes it, and implements simctl.Controller so the conformance suite can
// drive it.
//
// Routes:
//
//	POST {URL}/api/v1/payments/initiate   the API (BaseURL is URL+"/api/v1")
//	GET  {URL}/checkout/{payment_id}       the hosted page (data.eazzpay_url)
//	POST {URL}/checkout/{payment_id}       the hosted page's Pay and Cancel
//	GET  {URL}/_dashboard                  payments and notifications
//
// Where EazzPay's documentation is silent, the simulator decides, and says so
// here:
//
//   - Errors: HTTP status mirrors the body's code, {"code":4xx,"message":...}.
//     A missing or wrong eazzpay-client-secret is 401. A body that is not a
//     JSON object is 400, one over 64 KiB 413; a Content-Type other than JSON is 415; any field
//     that is missing, of the wrong type, over its length limit (100
//     characters for cus_name and each URL, 1000 for metadata), an amount
//     that is not a positive number with at most two decimals, a URL that is
//     not absolute, or an unknown ipn_method is 422 with a message naming the
//     field. Unknown API paths are 404, other methods 405.
//   - EazzPay has no invoice field and no duplicate check: every initiate
//     creates a payment. The simulator reads the merchant's invoice id from
//     the metadata string (a JSON object's "invoice_id") or else from the
//     ipn_url's invoice_id parameter, so PaymentCount can reveal a double
//     charge.
//   - Payments start INITIATED. Paying makes them COMPLETED, cancelling
//     CANCELED. EazzPay documents no expiry, so nothing expires on its own;
//     Controller.Expire stands for a payment the provider gives up on and
//     marks it FAILED, with a FAILED IPN.
//   - The IPN goes to ipn_url with ipn_method, carrying the client secret
//     in the eazzpay-client-secret header and the documented JSON body
//     (transaction_fee is 1.85% of the amount, rounded down to the poisha,
//     computed exactly for every amount; an amount whose total would not
//     fit an mfspay.Amount is refused at initiate with 422).
//     A payment paid with a mobile wallet also produces the webhook-listener
//     notification for the same money, sent to the merchant webhook URL set
//     with WithWebhookURL (recorded but not sent when none is set); its
//     reference is the invoice id when that is 6 to 15 characters long.
//     Deliveries are retried on non-2xx answers and timeouts. A payment the
//     customer submitted and the wallet has not confirmed
//     (simctl.Payer.Pending) gets a PENDING IPN and stays payable.
//   - EazzPay has no payment reads, so of the simctl.Tamper lies only the
//     initiate answer's can be told: an undocumented transaction_status
//     ("ON_HOLD") and a javascript: eazzpay_url; the others are
//     ErrUnsupported.
//
// The generic parts come from the simulator kit, providers/simkit.
package eazzpaytest
