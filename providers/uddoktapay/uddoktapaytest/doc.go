// Package uddoktapaytest is a simulated UddoktaPay panel: a real HTTP server
// on 127.0.0.1, in the spirit of net/http/httptest, for tests, examples and
// demos. It speaks the wire format of the uddoktapay package's spec and
// implements simctl.Controller so the conformance suite can drive it.
//
// Routes (the API also under /{slug}/api/… with WithBrandSlug):
//
//	POST {URL}/api/checkout-v2        create a charge; answers payment_url only
//	POST {URL}/api/verify-payment     a payment by invoice_id
//	GET  {URL}/_dashboard             payments and IPN deliveries
//	GET  {PAGES}/payment/{token}      the hosted page (payment_url), on its own listener
//	POST {PAGES}/payment/{token}      its Pay and Cancel
//
// Where UddoktaPay's documentation is silent, the simulator decides:
//
//   - A missing or unknown RT-UDDOKTAPAY-API-KEY is 401, a body that is not a
//     JSON object 400, a missing or invalid field 422, each with
//     {"status": false, "message": …}. Amounts are accepted as strings or
//     numbers and answered as strings with two decimals. metadata must be a
//     JSON object and is echoed verbatim; its order_id is taken as the
//     merchant's invoice, so that PaymentCount can reveal a double charge.
//     Every create makes a charge: there is no idempotency.
//   - verify answers an unknown invoice_id with 200
//     {"status": "ERROR", "message": "Invalid invoice id"}; a charge nothing
//     was submitted for as PENDING with empty payment fields; a rejected one
//     as ERROR with the full body.
//   - The page shows the amount the customer sends (fee included; the fee
//     is WithFeeBasisPoints of the amount, rounded down, exact for every
//     amount, and an amount whose total would not fit is refused with
//     422). A submitted transaction id matching an unused SMS (WithSMS,
//     AddSMS) of that amount completes the payment; otherwise it goes
//     PENDING for the admin (Approve, Reject), or, with
//     WithPendingDisabled, the page shows "Transaction not found, please
//     try again later." and nothing changes. After a submission the
//     browser goes to redirect_url with invoice_id, in the query for a GET
//     return_type, as a posted form for POST (the default). Cancel sends it
//     to cancel_url with nothing added and changes nothing.
//   - After every move to COMPLETED or PENDING the IPN (the verify body,
//     with the API key in RT-UDDOKTAPAY-API-KEY) goes to webhook_url, with
//     three retries on failure; with WithManualIPN only ResendIPN sends it.
//   - The controller names a payment by UddoktaPay's invoice_id, by its
//     payment_url (Checkout.RedirectURL) or token, or by the merchant's
//     invoice (its newest charge), since create answers no id. Pay adds the
//     SMS and submits, so the payment completes; Payer.Pending submits
//     without one; Expire is ErrUnsupported (nothing expires).
//   - Of the simctl.Tamper lies, verify can tell the payment-read ones and
//     create a javascript: payment_url.
//
// The kit's generic page (at /_kit/payment/{invoice_id} on the API
// listener) is not UddoktaPay's: it cannot pay, and its cancel changes
// nothing, as UddoktaPay's does.
//
// The generic parts come from the simulator kit, providers/simkit.
package uddoktapaytest
