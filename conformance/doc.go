// Package conformance is the set of rules every mfspay adapter must pass,
// whether it is linked in, served as a plugin, or written by a third party.
//
// A Harness gives the suite two things: gateways made from settings, and the
// simctl.Controller of the simulated provider those gateways talk to. The
// suite then drives the provider (the customer pays or cancels, the payment
// expires, the provider fails in a chosen way, its notifications are handed
// over) and checks, through the public mfspay.Gateway interface only, what
// the gateway makes of it:
//
//	func TestConformance(t *testing.T) {
//		sim := eazzpaytest.NewServer()
//		t.Cleanup(sim.Close)
//		conformance.Run(t, conformance.InProcess(sim, eazzpay.FromSettings))
//	}
//
// Rules run as subtests named Group/Rule, so go test -v reads as a
// checklist: Create/RejectsZeroAmountWithoutTraffic,
// Resilience/AmbiguousCreateNeverDoublesPayment/ServiceUnavailableAfterProcessing,
// Answers/RefusesPaidReadWithZeroAmount, Returns/ForgedReturnNeverPaysTheRealInvoice,
// Webhooks/PendingNotificationIsNotCompleted, Hygiene/NoSecretInLogs, and so
// on. The groups cover creation and request validation, verification,
// statuses, exact amounts, listing, provider answers that lie, the
// customer's return, error kinds, retries, the circuit breaker,
// cancellation, concurrency, webhooks and secret hygiene.
//
// # Declarations, and what does not apply
//
// The suite reads the gateway's Capabilities instead of assuming one
// provider's model: the statuses and event types it declares
// (Capabilities.Statuses, EventTypes), its lookups (VerifyByInvoice,
// VerifyByPaymentID), List and ListByStatus, whether its notifications are
// body-authenticated (Webhook.BodyAuthenticated) and what its customer's
// return needs (Return). An operation declared unsupported must answer
// ErrUnsupported without traffic, and a supported one never does, in any
// rule. Where a gateway cannot verify, statuses and amounts are checked
// through the customer's return where it declares one, or else through the
// provider's notifications.
//
// Capabilities.EventTypes lists what notifications and returns produce
// together, so the suite tells them apart by Return. Where the customer's
// return has something to act on, the merchant learns which payment
// completed, or was cancelled, by completing the return, as a shop does;
// the suite learns it the same way (simctl.Controller.Returns, then
// Gateway.CompleteReturn). That provider's notifications may then announce
// only the money that arrived, naming no payment (transaction.received,
// bKash's SNS notices), and such a notice is taken as the notification
// about a paid payment's money: the Amounts and Webhooks rules check its
// amount, its payer details, its ID and its authentication. Without a
// return, the notification about a paid payment must be payment.completed.
// A provider whose reads know nothing of a cancel on its hosted page
// (bKash's query answers Initiated for ever) may read pending, never paid,
// after the return reported the cancel: Status/CancelledAfterCancel
// accepts that. A paid read must carry the status, amount, payment,
// invoice and transaction ids; the payer's wallet and number only where
// the provider's answer gives them, and then as the payer entered them.
//
// A rule about something the gateway does not declare, or that its
// simulator cannot produce (a pending payment, a lie its wire format
// cannot tell, a cancel or an expiry: the simulator's Pay, Fail, Cancel or
// Expire answers an error of kind mfspay.ErrUnsupported), is skipped with
// its reason through
// Reporter.Skipf, never failed and never silently dropped: go test -v
// lists it as SKIP, and its log line says why. A provider whose only
// statuses are pending, paid and failed skips Status/CancelledAfterCancel
// and Status/ExpiredAfterExpire, and Status/NotPaidAfterCancelOrExpire
// checks instead that whatever a cancel or a lapse leaves is never paid.
//
// A provider whose create answers no payment id, only the page to send
// the customer to (UddoktaPay), declares Capabilities.PaymentIDLater, and
// the suite drives it as a shop would: it names the payment to the
// simulator by the checkout's RedirectURL (simctl.Controller requires a
// simulator to accept it), and once the customer has been to the page it
// learns the id from the customer's return, completed through the
// gateway, or else from the provider's notification. Rules that need some
// payment to read have the customer pay first; those that need the id of a
// payment nobody has paid (Verify/ByPaymentIDReturnsThePendingPayment)
// are skipped with the reason. A gateway that does not declare it must
// name the payment in every checkout, and one that does must name it in
// the events of its returns and notifications, or the rules fail.
//
// # Rules added for the failures seen in the field
//
//   - Webhooks/PendingNotificationIsNotCompleted: the simulator leaves a
//     payment pending (simctl.Payer.Pending) and its notification must not
//     read as payment.completed; Status/PendingWhileTheWalletHasNotConfirmed
//     checks the same through a verify.
//   - Resilience/AmbiguousCreateNeverDoublesPayment/…: a create the provider
//     acted on, then answered 500, 502, 503 or 504, reset, cut short or let
//     time out, is never two payments, and its outcome is the payment or
//     ErrOutcomeUnknown.
//   - Answers/…: the provider lies once in an otherwise normal answer
//     (simctl.Fault.Tamper): a paid read of zero or a negative amount, a
//     read about another payment, a status it never documented, a create's
//     javascript: redirect. A read that lies is ErrUnavailable (an unknown
//     status may instead read as mfspay.StatusUnknown), never a paid
//     payment; a create is the payment the provider holds or
//     ErrOutcomeUnknown, never an unsafe redirect.
//   - Returns/…: after Pay the returns the simulator recorded
//     (simctl.Controller.Returns), completed through
//     Gateway.CompleteReturn, report the payment paid with its amount;
//     after Cancel never paid; a return forged to name another payment or
//     invoice never reports the real invoice paid; one return completed
//     five times at once reports one outcome; and a gateway that declares
//     no return answers ErrUnsupported without traffic.
//
// For a gateway whose provider debits only when the merchant executes the
// customer's return (mfspay.ReturnExecute), every rule that has the
// customer pay also completes the return, as a shop's return endpoint
// does. For any gateway with a return, Amounts/… also check the amount the
// return reports.
//
// # What the suite asks of a harness
//
// The suite asks for gateways as it needs them: one per group, shared by
// rules that cannot disturb each other, and separate ones for bad
// credentials, for rules that provoke failures (those run without a breaker,
// so as not to trip a shared one) and for the Breaker group. All get the
// suite's test-speed resilience: four attempts with millisecond backoffs, a
// breaker that opens after three consecutive failures and probes after one
// second, and a Logger. A harness must apply all of it: for a plugin, Retry
// and Breaker go into the host's plugins.Config and the Logger becomes the
// host's logger, which also carries the plugin's stderr. The suite checks
// that no secret ever reaches that log. Gateways that implement io.Closer
// are closed when the rules using them end. A Resilience may also carry a
// Transport, which an in-process adapter must give its HTTP client (as
// Resilience.HTTPClient does): Resilience/CreateNotReplayedBelowThePolicy
// puts a transport there that replays what it can, as Go's HTTP/2 client
// does on a stream reset. A harness whose HTTP traffic cannot pass through
// it (a plugin) has that rule reported as skipped, with the reason.
//
// The simulator's Settings must hold working Values, BadCredentials the
// provider refuses, and every secret in Secrets (each at least 8 bytes long),
// because the hygiene rules search every error and log line of the run for
// them.
//
// # Decisions the contract leaves open
//
//   - Where a notification carries its authentication is derived from
//     Capabilities.Webhook and the simulator's Secrets: for
//     mfspay.WebhookHMACSHA256, the header or query value holding the hex
//     HMAC-SHA256 of the body under a secret; for mfspay.WebhookSharedSecret,
//     the value holding a secret; for mfspay.WebhookSNS, the Signature
//     field of the JSON message. Forgeries replace it with a well-formed
//     wrong value or drop it. For any other scheme, the headers and query
//     parameters whose names suggest authentication (sign, secret, auth,
//     token, key, hmac, hash, digest, mac), or all of them, are altered.
//   - A tampered body (for SNS, a changed Message) must fail authentication
//     where the scheme authenticates the body
//     (mfspay.WebhookAuth.BodyAuthenticated). A static shared secret
//     authenticates the sender and not the content, and a scheme mfspay
//     does not name does not count as authenticating the body: receivers
//     of such providers confirm the payment before trusting it, and the
//     rule is skipped.
//   - Payment events must carry both the payment id and the invoice id, so a
//     receiver can tie them to its order; every event carries the exact
//     amount. Events that say different things must have different IDs,
//     those of returns included, which reach the same receiver; a
//     re-delivery, parsed by any gateway instance, has the same ID.
//   - A gateway that cannot verify and has no payment.expired event must
//     announce an expired payment as payment.failed.
//   - Errors that wrap the caller's context error (context.Canceled,
//     context.DeadlineExceeded) count as kinded.
//
// # Making a third-party plugin testable
//
// A plugin author serves a simulator of the provider next to the gateway,
// through plugins.ServeConfig.Simulator, returning any simctl.Controller
// (typically an httptest-style server of the provider's API):
//
//	func main() {
//		plugins.Serve(plugins.ServeConfig{
//			Name:      "acmepay",
//			Factory:   acmepay.FromSettings,
//			Simulator: func() (simctl.Controller, io.Closer, error) {
//				s := acmepaytest.NewServer()
//				return s, closerFunc(s.Close), nil
//			},
//		})
//	}
//
// The suite then runs against the binary alone: one plugin process serves
// the simulator, and gateway processes are opened from the same binary with
// the simulator's settings.
//
// # Running it with another reporter
//
// Run reports to a *testing.T. RunRules takes any Reporter, the part of
// testing.TB the rules use plus Run for sub-rules, so an outside author can
// drive the suite from a command, a dashboard or a test of their own.
// Recorder is one: it runs rules as subtests run, records each rule's
// outcome (PASS, FAIL, or SKIP with its reason), can run a selection of the
// rules, and renders a checklist:
//
//	rec := conformance.NewRecorder() // or NewRecorder("Resilience", "Webhooks")
//	conformance.RunRules(rec, conformance.InProcess(sim, acmepay.FromSettings))
//	rec.Finish()
//	fmt.Print(rec.Checklist())
//	if len(rec.Rules(conformance.Failed)) > 0 { os.Exit(1) }
//
// A test can assert with it that a deliberately broken adapter fails the
// rule meant to catch it while staying green itself, which is how this
// package shows that each rule catches its bug.
//
// # Running it in CI
//
// A platform runs the whole suite against each plugin binary it deploys,
// from its own module (which requires github.com/mfspay/mfspay):
//
//	MFSPAY_PLUGIN=/path/to/mfspay-plugin-acmepay \
//	MFSPAY_PLUGIN_SHA256=<hex sha256 of the binary, optional> \
//	go test -count=1 -run TestConformanceAnyPlugin -v github.com/mfspay/mfspay/conformance
//
// The exit status is the verdict and the -v output is the checklist, SKIPs
// and their reasons included. Without MFSPAY_PLUGIN, that test runs against
// the built-in WezoPay plugin, built from this module, and logs which
// binary it used.
package conformance
