// Package robustness holds no code, only tests: cross-adapter checks of
// how the built-in adapters, the shared retry policy and the circuit
// breaker behave when a provider fails. Its fault matrix drives every
// adapter and operation through every failure the simulators can inject,
// before and after the provider acted, and pins down the outcome, the
// traffic, the payments the provider holds and the breaker state.
//
// The README section "What is guaranteed under faults" states, for users,
// what these tests establish.
package robustness
