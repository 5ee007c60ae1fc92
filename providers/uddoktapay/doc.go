// Package uddoktapay is the mfspay adapter for UddoktaPay, the self-hosted
// payment panel (Create Charge API v2). Each merchant runs its own panel:
// its URL, with a brand's path where the brand has no domain of its own, is
// the base URL.
//
// CreatePayment is checkout-v2. Its answer has only a payment_url, so the
// checkout's PaymentID is empty: UddoktaPay's invoice_id, the neutral
// PaymentID, arrives with the customer's return or the IPN. A v2 panel may
// send the IPN only when an admin asks, so CreatePaymentRequest.ReturnURL
// is required (ErrInvalidRequest, field return_url, before anything is
// sent): it is where the panel sends the customer, and SuccessURL is not
// used. VerifyPayment
// takes that id; lookup by the merchant's invoice and ListPayments are
// ErrUnsupported (UddoktaPay has neither), and so an ambiguous create is
// ErrOutcomeUnknown, after which creating again is money-safe.
//
// The IPN's only authentication is the API key itself in a header, which
// proves who sent it but not what it says, so the adapter never believes
// the body: notifications (ParseWebhook) and returns (CompleteReturn,
// Capabilities.Return is ReturnVerify) are both verified with
// verify-payment and reported from its answer. The key never appears in an
// error, in any encoding.
//
// UddoktaPay reports pending, completed and failed payments only: a
// customer's cancel changes nothing there, and nothing expires.
//
// The package uddoktapaytest is a simulated panel for tests and examples.
package uddoktapay
