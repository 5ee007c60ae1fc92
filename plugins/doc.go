// Package plugins runs mfspay gateway adapters as separate programs: a third
// party ships a provider as a plugin binary, and a platform uses it like a
// built-in adapter, without linking the third party's code into its own
// process.
//
// It is built on hashicorp/go-plugin (process handling, handshake, AutoMTLS,
// stderr logging) and a versioned gRPC protocol, mfspay.plugin.v1, whose
// definition and generated code live in plugins/proto. The API of this
// package speaks mfspay types only.
//
// # Using a plugin (host side)
//
// Open starts a plugin binary and returns a *Client, which is an
// mfspay.Gateway and an io.Closer:
//
//	gw, err := plugins.Open(ctx, "/usr/libexec/mfspay/mfspay-plugin-acmepay", plugins.Config{
//		Settings: map[string]string{"api_key": key, "webhook_secret": secret},
//		SHA256:   "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
//		Logger:   slog.Default(),
//	})
//	if err != nil { ... }
//	defer gw.Close()
//	checkout, err := gw.CreatePayment(ctx, req)
//
// What the Client guarantees:
//
//   - Settings travel over the Configure call, never through the command line
//     or the environment; the plugin inherits only the host variables a
//     program needs to run (PATH, HOME, TMPDIR, locale, certificate and proxy
//     settings), so credentials kept in the host's environment stay there.
//   - With Config.SHA256 set, every launch reads the binary once into a
//     private read-only copy (a sealed memfd on Linux), hashing the bytes it
//     copies, and runs that copy only if they match: a file swapped after
//     the check never runs. A mismatch is refused (ErrChecksumMismatch)
//     before anything runs.
//   - The connection is authenticated both ways with one-time certificates
//     (go-plugin's AutoMTLS).
//   - A program that is not an mfspay plugin fails Open with ErrHandshake, a
//     plugin of another protocol version with ErrIncompatible: quickly, with
//     the reason, never by hanging.
//   - Errors keep their kind, provider, operation, HTTP status, provider code
//     and message, field and RetryAfter: errors.Is(err, mfspay.ErrNotFound)
//     works as in process. As in process too, a driver's error that is no
//     *mfspay.Error of a known kind (a bare or wrapped sentinel, a newer
//     kind) and a driver's panic are ErrUnavailable, or ErrOutcomeUnknown
//     for a create, which may have happened. Deadlines and cancellation
//     reach the plugin; a call ended by its context returns at once,
//     wrapping the context's error.
//   - Resilience is applied once: the plugin's HTTP client retries under
//     Config.Retry, and the circuit breaker (Config.Breaker) runs in the host
//     around the plugin, whose own breaker is off.
//   - A plugin that crashes fails the calls in flight at once with
//     ErrUnavailable (ErrOutcomeUnknown for a create, which may have reached
//     the provider). The next call starts it again and re-sends the settings;
//     a plugin that keeps failing is relaunched after a growing backoff
//     (Config.RelaunchMinBackoff to RelaunchMaxBackoff).
//   - The plugin's log lines reach Config.Logger at their own level.
//   - Close stops the plugin and waits until its process, goroutines and
//     descriptors are gone. A host that dies without closing takes its
//     plugins with it: each plugin watches a pipe only its host holds (on
//     Unix; go-plugin alone leaves orphans running).
//
// Discover lists the plugins in a directory. OpenInMemory serves a plugin's
// ServeConfig inside the host process over an in-memory connection, through
// the same protocol: tests and the conformance suite use it to exercise the
// plugin path without building a binary.
//
// A plugin may ship its own simulated provider: Client.Simulator returns it
// as a simctl.Controller, so the conformance suite can drive a third-party
// plugin that nobody else can simulate. Open it without settings, read the
// simulator's settings, then call Client.Configure.
//
// # Writing a plugin
//
// A plugin is a main package that calls Serve with a factory building the
// adapter from string settings — the same FromSettings function an adapter
// in this module offers:
//
//	func main() {
//		plugins.Serve(plugins.ServeConfig{
//			Name:      "acmepay",
//			Factory:   acmepay.FromSettings, // func(map[string]string, mfspay.Resilience) (mfspay.Gateway, error)
//			Simulator: acmepaytest.Start,    // optional
//		})
//	}
//
// The factory must build its HTTP client with the Resilience it is given
// (r.HTTPClient) and wrap the gateway with r.Wrap, as every adapter does:
// the retry policy comes from the host and the breaker is already disabled.
// Log through r.Logger; never write to stdout, which carries the go-plugin
// handshake. Errors must be *mfspay.Error values with a kind (see above for
// anything else), and must not contain secrets: the host scrubs from them,
// as from the plugin's log lines, only the values of settings whose names
// mark credentials.
//
// Build the binary under the name mfspay-plugin-<name>, where <name> is the
// provider name (mfspay-plugin-<name>.exe on Windows): Discover finds
// executable regular files named so, and the built-in adapters ship as
// mfspay-plugin-wezopay and mfspay-plugin-eazzpay (plugins/cmd). Publish the
// binary's SHA-256 (sha256sum) so that hosts can pin it with Config.SHA256.
// Then prove the plugin with the conformance suite, which runs against any
// plugin binary.
//
// # Protocol versions
//
// ProtocolVersion names the protocol, mfspay.plugin.v1 in plugins/proto.
// Within a version the protocol only grows: new fields and new RPCs, never a
// renamed, renumbered or removed one, and a new RPC that an older plugin
// does not implement reads as ErrUnsupported on the host. A change that an
// older peer cannot ignore gets a new protobuf package and a new
// ProtocolVersion; a host may then serve both during a transition, and a
// plugin of a version its host does not speak fails Open with
// ErrIncompatible, telling its author to rebuild against a matching module.
// The handshake's magic cookie is not a secret; it only keeps a plugin from
// being run by hand or by another program's host.
//
// # Regenerating the protocol code
//
// The generated code is committed. After changing plugins/proto/plugin.proto,
// install protoc (Debian: protobuf-compiler) and the Go generators, then run
// go generate:
//
//	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//	go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
//	go generate ./plugins/...
package plugins
