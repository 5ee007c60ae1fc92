package conformance

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Outcome is how one rule ended.
type Outcome string

// The outcomes, worded as go test -v words them.
const (
	Passed  Outcome = "PASS"
	Failed  Outcome = "FAIL"
	Skipped Outcome = "SKIP"
)

// Result is the outcome of one rule of a recorded run.
type Result struct {
	// Rule is the rule's full name, "Create/ReturnsPendingCheckout".
	Rule    string
	Outcome Outcome
	// Messages are the failures a FAIL reported, or the reason a SKIP gave.
	Messages []string
}

// Recorder is a Reporter for running the suite outside go test's own
// reporting: a command that checks a plugin and prints its checklist, a
// dashboard, or a test that runs the suite against an adapter broken on
// purpose and asserts which rules catch it while staying green itself.
//
// It runs rules as testing.T runs subtests: each in its own goroutine,
// FailNow and Skipf ending it with runtime.Goexit, its cleanups after it,
// last registered first. It records how each rule ended instead of failing
// anything, and can run a selection of the rules only. Call Finish when
// RunRules returns, then read Results.
//
//	rec := conformance.NewRecorder()
//	conformance.RunRules(rec, harness)
//	rec.Finish()
//	fmt.Print(rec.Checklist())
type Recorder struct {
	node
}

// NewRecorder returns a Recorder that runs the rules named by only, by
// their full names or a leading part of them ("Webhooks" for the group,
// "Resilience/AmbiguousCreateNeverDoublesPayment" for a family), or every
// rule when only is empty. Rules left out do not run and have no Result.
func NewRecorder(only ...string) *Recorder {
	b := &book{index: map[string]int{}}
	for _, o := range only {
		if o = strings.Trim(o, "/"); o != "" {
			b.only = append(b.only, o)
		}
	}
	return &Recorder{node{book: b}}
}

// Outside is the Rule of the Result that holds failures reported outside
// any rule: RunRules reports there when it cannot set the run up (the
// simulator's settings, or a gateway from them).
const Outside = "(outside any rule)"

// Finish runs the cleanups registered outside any rule, as testing does
// when a test ends (RunRules registers some: it starts a notification
// sink), and records failures reported outside any rule as the Result
// named Outside. Call it once RunRules returns.
func (r *Recorder) Finish() {
	r.runCleanups()
	r.mu.Lock()
	msgs := slices.Clone(r.messages)
	r.messages = nil
	r.mu.Unlock()
	if len(msgs) > 0 {
		r.book.record(Result{Rule: Outside, Outcome: Failed, Messages: msgs})
	}
}

// Results returns the outcome of every rule that ran, in the order the
// rules ended. A group the capabilities leave out is one skipped Result;
// otherwise only rules, not their groups, have Results.
func (r *Recorder) Results() []Result {
	r.book.mu.Lock()
	defer r.book.mu.Unlock()
	out := make([]Result, len(r.book.results))
	for i, res := range r.book.results {
		res.Messages = slices.Clone(res.Messages)
		out[i] = res
	}
	return out
}

// Rules returns the names of the rules that ended with o, sorted.
func (r *Recorder) Rules(o Outcome) []string {
	var out []string
	for _, res := range r.Results() {
		if res.Outcome == o {
			out = append(out, res.Rule)
		}
	}
	slices.Sort(out)
	return out
}

// Result returns the outcome of the rule with the full name rule.
func (r *Recorder) Result(rule string) (Result, bool) {
	r.book.mu.Lock()
	defer r.book.mu.Unlock()
	i, ok := r.book.index[rule]
	if !ok {
		return Result{}, false
	}
	res := r.book.results[i]
	res.Messages = slices.Clone(res.Messages)
	return res, true
}

// Checklist renders every Result as go test -v would list it: one line per
// rule, "PASS Create/ReturnsPendingCheckout", "SKIP Verify: the gateway …",
// with a failure's messages indented below it.
func (r *Recorder) Checklist() string {
	var b strings.Builder
	for _, res := range r.Results() {
		fmt.Fprintf(&b, "%s %s", res.Outcome, res.Rule)
		switch res.Outcome {
		case Skipped:
			fmt.Fprintf(&b, ": %s\n", strings.Join(res.Messages, "; "))
		case Failed:
			b.WriteByte('\n')
			for _, m := range res.Messages {
				fmt.Fprintf(&b, "    %s\n", strings.ReplaceAll(m, "\n", "\n    "))
			}
		default:
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// book is what every node of one Recorder shares.
type book struct {
	only    []string
	mu      sync.Mutex
	results []Result
	index   map[string]int
}

// selected reports whether the rule called name, or one of its sub-rules,
// is among those to run.
func (b *book) selected(name string) bool {
	if len(b.only) == 0 {
		return true
	}
	for _, o := range b.only {
		if o == name || strings.HasPrefix(o, name+"/") || strings.HasPrefix(name, o+"/") {
			return true
		}
	}
	return false
}

func (b *book) record(res Result) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.index[res.Rule] = len(b.results)
	b.results = append(b.results, res)
}

// node is one running rule, or the root.
type node struct {
	name   string // full name; "" for the root
	parent *node
	book   *book

	mu       sync.Mutex
	failed   bool // this rule or a sub-rule failed
	messages []string
	skipped  bool
	children bool
	cleanups []func()
}

// Name is the rule's full name.
func (n *node) Name() string { return n.name }

// Helper does nothing: a recorded failure names its rule, not a line.
func (n *node) Helper() {}

// Logf drops the line: a Result carries failures and skip reasons, and the
// suite puts everything a failure needs in its message.
func (n *node) Logf(string, ...any) {}

// Errorf records a failure of the rule and lets it go on.
func (n *node) Errorf(format string, args ...any) {
	n.mu.Lock()
	n.messages = append(n.messages, fmt.Sprintf(format, args...))
	n.mu.Unlock()
	n.fail()
}

// fail marks n and its ancestors failed, as a failing subtest fails its
// parents.
func (n *node) fail() {
	for p := n; p != nil; p = p.parent {
		p.mu.Lock()
		p.failed = true
		p.mu.Unlock()
	}
}

// Skipf records the reason and ends the rule.
func (n *node) Skipf(format string, args ...any) {
	n.mu.Lock()
	n.skipped = true
	n.messages = append(n.messages, fmt.Sprintf(format, args...))
	n.mu.Unlock()
	runtime.Goexit()
}

// FailNow records the failure and ends the rule.
func (n *node) FailNow() {
	n.fail()
	runtime.Goexit()
}

// Failed reports whether the rule or one of its sub-rules failed.
func (n *node) Failed() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.failed
}

// Cleanup registers f to run when the rule ends.
func (n *node) Cleanup(f func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cleanups = append(n.cleanups, f)
}

// Run runs rule as the sub-rule name in its own goroutine, waits for it
// and its cleanups, records its Result and reports whether it passed. A
// sub-rule left out of the selection does not run and counts as passed.
func (n *node) Run(name string, rule func(r Reporter)) bool {
	full := name
	if n.name != "" {
		full = n.name + "/" + name
	}
	if !n.book.selected(full) {
		return true
	}
	n.mu.Lock()
	n.children = true
	n.mu.Unlock()
	child := &node{name: full, parent: n, book: n.book}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer child.runCleanups()
		defer func() {
			if p := recover(); p != nil {
				child.Errorf("panic: %v", p)
			}
		}()
		rule(child)
	}()
	<-done
	child.finish()
	return !child.Failed()
}

// finish records how the rule ended: a rule with sub-rules is recorded
// only when it failed or was skipped itself.
func (n *node) finish() {
	n.mu.Lock()
	res := Result{Rule: n.name, Outcome: Passed, Messages: n.messages}
	switch {
	case n.failed && (len(n.messages) > 0 && !n.skipped || !n.children):
		res.Outcome = Failed
	case n.skipped:
		res.Outcome = Skipped
	case n.children:
		n.mu.Unlock()
		return
	}
	n.mu.Unlock()
	n.book.record(res)
}

// runCleanups runs the registered cleanups, last first; one that ends with
// FailNow does not stop the others.
func (n *node) runCleanups() {
	n.mu.Lock()
	fs := n.cleanups
	n.cleanups = nil
	n.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		done := make(chan struct{})
		go func() {
			defer close(done)
			fs[i]()
		}()
		<-done
	}
}
