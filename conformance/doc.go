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
// Resilience/AmbiguousCreateNeverDoublesPayment/ServerErrorAfterProcessing,
// Webhooks/RejectsWrongAuthentication, Hygiene/NoSecretInLogs, and so on.
// The groups cover creation and request validation, verification, statuses,
// exact amounts, listing, error kinds, retries, the circuit breaker,
// cancellation, concurrency, webhooks and secret hygiene.
//
// # Capabilities
//
// Rules are gated on the gateway's Capabilities: an operation declared
// unsupported must answer ErrUnsupported without traffic, and a supported one
// never does, in any rule. Where a gateway cannot verify, statuses and
// amounts are checked through the provider's notifications instead. Groups
// and rules that do not apply are left out and the log says why.
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
//     the value holding a secret. Forgeries replace it with a well-formed
//     wrong value or drop it. For any other scheme, the headers and query
//     parameters whose names suggest authentication (sign, secret, auth,
//     token, key, hmac, hash, digest, mac), or all of them, are altered.
//   - A tampered body must fail authentication unless the scheme is a static
//     shared secret, which authenticates the sender and not the content;
//     receivers of such providers confirm the payment before trusting it.
//   - Payment events must carry both the payment id and the invoice id, so a
//     receiver can tie them to its order; every event carries the exact
//     amount. Events that say different things must have different IDs; a
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
// # Running it in CI
//
// A platform runs the whole suite against each plugin binary it deploys,
// from its own module (which requires github.com/mfspay/mfspay):
//
//	MFSPAY_PLUGIN=/path/to/mfspay-plugin-acmepay \
//	MFSPAY_PLUGIN_SHA256=<hex sha256 of the binary, optional> \
//	go test -count=1 -run TestConformanceAnyPlugin -v github.com/mfspay/mfspay/conformance
//
// The exit status is the verdict and the -v output is the checklist. Without
// MFSPAY_PLUGIN, that test runs against the built-in WezoPay plugin, built
// from this module, and logs which binary it used.
package conformance
