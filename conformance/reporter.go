package conformance

import "testing"

// Reporter is the part of testing.TB the rules use, plus Run for nested
// rules. Run adapts *testing.T to it; RunRules takes any Reporter, so the
// same rule code can report elsewhere: Recorder records each rule's
// outcome, and an author's own type can add to testing.T's reporting (note
// the SKIPs, say) by embedding it.
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

// Run runs the suite against h as subtests of t, named Group/Rule so that
// go test -v reads as a checklist; the rules h's capabilities or simulator
// make not applicable are skipped with their reasons.
func Run(t *testing.T, h Harness) {
	t.Helper()
	RunRules(testReporter{t}, h)
}
