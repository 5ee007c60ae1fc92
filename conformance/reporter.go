package conformance

import "testing"

// Reporter is the part of testing.TB the rules use, plus Run for nested
// rules. Run adapts *testing.T to it; RunRules takes any Reporter, so the
// same rule code can be driven by a recording reporter that checks which
// rules a deliberately broken adapter fails.
//
// It satisfies testify's require.TestingT and assert.TestingT.
type Reporter interface {
	// Name is the full name of the current rule, "Create/ReturnsPendingCheckout".
	Name() string
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	// Skipf reports the rule as not applicable to this gateway, with why,
	// and stops it: it must not return (testing.T calls runtime.Goexit).
	Skipf(format string, args ...any)
	// FailNow marks the rule failed and stops it: it must not return
	// (testing.T calls runtime.Goexit).
	FailNow()
	Failed() bool
	// Cleanup registers f to run when the rule and its sub-rules finish.
	Cleanup(f func())
	// Run runs rule as a sub-rule called name, waits for it and reports
	// whether it passed.
	Run(name string, rule func(r Reporter)) bool
}

// testReporter adapts *testing.T: every rule becomes a subtest.
type testReporter struct{ *testing.T }

func (t testReporter) Run(name string, rule func(r Reporter)) bool {
	return t.T.Run(name, func(t *testing.T) { rule(testReporter{t}) })
}

// Run runs every rule that h's capabilities make applicable as subtests of
// t, named Group/Rule so that go test -v reads as a checklist.
func Run(t *testing.T, h Harness) {
	t.Helper()
	RunRules(testReporter{t}, h)
}
