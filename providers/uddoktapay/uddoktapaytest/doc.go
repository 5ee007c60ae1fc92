// Package uddoktapaytest is a simulated UddoktaPay panel: a real HTTP server
// on 127.0.0.1, in the spirit of net/http/httptest, speaking the wire format
// of the uddoktapay package's spec, with simctl.Controller for the
// conformance suite.
//
//	POST {URL}/api/checkout-v2, /api/verify-payment   the API (also under /{slug} with WithBrandSlug)
//	GET  {URL}/_dashboard                             payments and IPN deliveries
//	GET, POST {pages}/payment/{token}                 the hosted page (payment_url), on its own listener
//
// Where UddoktaPay's documentation is silent, the simulator decides:
//
//   - A missing or unknown key is 401, a body that is not a JSON object 400,
//     a bad field 422, each {"status": false, "message": …}. Amounts are
//     taken as strings or numbers and answered as two-decimal strings;
//     metadata (a required object) is echoed verbatim, and its order_id is
//     the merchant's invoice for PaymentCount. Every create makes a charge.
//   - verify answers an unknown invoice_id 200 {"status": "ERROR", "message":
//     "Invalid invoice id"}, a charge with nothing submitted PENDING with
//     empty payment fields, a rejected one ERROR with the whole body.
//   - The page asks for the amount plus the fee (WithFeeBasisPoints, rounded
//     down, exact; a total that would overflow is refused at create). A
//     transaction id matching an unused SMS (WithSMS, AddSMS) of that amount
//     completes the payment; otherwise it goes PENDING for the admin
//     (Approve, Reject) or, WithPendingDisabled, the page says "Transaction
//     not found, please try again later." Then the browser goes to
//     redirect_url with invoice_id (query for GET, a posted form for POST,
//     the default). Cancel goes to cancel_url, unchanged, and changes nothing.
//   - After each move to COMPLETED or PENDING the IPN (verify's body, with the
//     key in RT-UDDOKTAPAY-API-KEY) goes to webhook_url, retried three times;
//     WithManualIPN sends it only on ResendIPN.
//   - Create answers no id, so the controller takes the invoice_id, the
//     payment_url (Checkout.RedirectURL) or its token, or the merchant's
//     invoice. Pay adds the SMS and submits; Payer.Pending submits without
//     one; Expire is ErrUnsupported. Verify can tell the payment-read tamper
//     lies, create a javascript: payment_url.
//
// The page is the kit's, fitted with simkit.PageHooks: on its own host,
// reached by the token, asking for the fee too, deciding a submission by
// the SMS data, posting the return back for return_type POST.
package uddoktapaytest
