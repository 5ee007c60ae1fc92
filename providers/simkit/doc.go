// Package simkit is the kit for writing a simulated payment provider: a
// real HTTP server on 127.0.0.1, in the spirit of net/http/httptest, that
// speaks one provider's wire format and that tests, demos and the
// conformance suite drive through simctl.Controller. The built-in
// simulators (wezopaytest, eazzpaytest) and the third-party example
// (nodipaytest) are built on it; an outside author uses it the same way and
// writes only what is the provider's own.
//
// A simulator fills a Spec and calls NewServer:
//
//   - Spec.API serves the provider's API under Spec.APIPrefix: its routes,
//     authentication, request validation (Fields reads a JSON body the way
//     web frameworks check one) and answers, reading and changing payments
//     through Server.Insert, Refresh, Sweep, Move and the Store;
//   - Spec.Announce turns a payment's new status into the provider's
//     notifications (signed its way) and hands them to the Notifier;
//   - Spec's status words (Open, Pending, Paid, …) map the simulated
//     customer's actions onto the provider's vocabulary;
//   - Spec.ErrorBody writes the provider's error body for injected status
//     faults and rate limiting, and Spec.Tampers the lies of
//     simctl.Fault.Tamper its wire format can express (RewriteJSON builds
//     most);
//   - Spec.CheckPayer and Spec.Methods shape the hosted payment page, and
//     Spec.PageHooks fit it to a provider whose page is its own: on
//     another host, reached by a token (Resolve), deciding what a
//     submission does (Submit, Refusal), asking for a fee (Charge),
//     sending the browser back with a POST (ReturnForm), or served
//     entirely by the provider (Page).
//
// The kit provides the rest, identically for every provider:
//
//   - a Store of Payment records in the provider's own status words, with
//     expiry noticed on read (Options.Expiry) and a controllable Clock
//     (ManualClock) so that tests never sleep;
//   - a RequestLog outermost on the API (every request counted and kept),
//     then Faults (simctl.Fault exactly: status answers, delays, resets,
//     cut bodies, failures after processing, tampered answers), then a
//     per-caller rate Limiter when Options.RateLimit is set;
//   - the hosted page at Spec.PagePath+id (pay or cancel, then back to the
//     shop, each return recorded: SendBack) and a /_dashboard of payments
//     and deliveries, neither of them API traffic;
//   - a Notifier that delivers with retries on non-2xx answers and
//     timeouts, records every attempt, and lets tests wait for deliveries;
//   - every simctl.Controller method but Settings, which only the simulator
//     knows: Pay (Payer.Pending included), Cancel, Expire, Fail,
//     ClearFaults, RequestCount, PaymentCount, Notifications and Returns,
//     each naming a payment by any handle Find takes;
//   - for a provider that notifies through AWS SNS, an SNSHost: the SNS
//     host with its own certificate authority, signing messages as SNS
//     does, for the adapter's kit.SNSVerifier to check end to end;
//   - for a provider whose calls carry a granted, expiring token, Tokens:
//     the token endpoint's memory (lives, refresh, an hourly limit);
//   - WriteJSON for the API's answers.
//
// The simulator embeds *Server and adds Settings; see the package example.
//
// Money stays an mfspay.Amount throughout: wire amounts are parsed from
// their JSON literals with mfspay.ParseAmount, never through float64.
//
// Simulators are test code: a plugin binary serves one through its
// Simulator service only when built to (the built-in plugins with -tags
// mfspaysim), so production binaries do not carry them.
package simkit
