package conformance_test

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/mfspay/mfspay/conformance"
)

// recordingReporter is a conformance.Reporter that runs rules the way
// testing.T runs subtests (each in its own goroutine, FailNow ends it with
// runtime.Goexit, cleanups afterwards) but only records what failed, so a
// test can run the suite against a deliberately broken adapter and check
// which rules caught it while staying green itself.
type recordingReporter struct {
	name     string
	parent   *recordingReporter
	book     *failureBook
	mu       sync.Mutex
	failed   bool
	cleanups []func()
}

// failureBook holds the messages of every rule that failed, by full name.
type failureBook struct {
	mu       sync.Mutex
	messages map[string][]string
}

func newRecordingReporter(name string) *recordingReporter {
	return &recordingReporter{name: name, book: &failureBook{messages: map[string][]string{}}}
}

func (r *recordingReporter) Name() string { return r.name }
func (r *recordingReporter) Helper()      {}
func (r *recordingReporter) Logf(string, ...any) {
	// Logs are noise here; failures carry their own messages.
}

func (r *recordingReporter) Errorf(format string, args ...any) {
	r.book.mu.Lock()
	r.book.messages[r.name] = append(r.book.messages[r.name], fmt.Sprintf(format, args...))
	r.book.mu.Unlock()
	r.fail()
}

// fail marks r and its ancestors failed, as a failing subtest fails its
// parents.
func (r *recordingReporter) fail() {
	for p := r; p != nil; p = p.parent {
		p.mu.Lock()
		p.failed = true
		p.mu.Unlock()
	}
}

// Skipf stops the rule as testing.T does, recording nothing: a skipped
// rule neither failed nor passed.
func (r *recordingReporter) Skipf(string, ...any) { runtime.Goexit() }

func (r *recordingReporter) FailNow() {
	r.fail()
	runtime.Goexit()
}

func (r *recordingReporter) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func (r *recordingReporter) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

func (r *recordingReporter) Run(name string, rule func(conformance.Reporter)) bool {
	child := &recordingReporter{name: r.name + "/" + name, parent: r, book: r.book}
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
	return !child.Failed()
}

// runCleanups runs the registered cleanups, last first; one that calls
// FailNow does not stop the others.
func (r *recordingReporter) runCleanups() {
	r.mu.Lock()
	fs := r.cleanups
	r.cleanups = nil
	r.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		done := make(chan struct{})
		go func() {
			defer close(done)
			fs[i]()
		}()
		<-done
	}
}

// finish runs the top-level cleanups, as testing does when a test ends.
func (r *recordingReporter) finish() { r.runCleanups() }

// failedRules returns the names, below the top level, of the rules that
// reported a failure themselves.
func (r *recordingReporter) failedRules() []string {
	r.book.mu.Lock()
	defer r.book.mu.Unlock()
	var out []string
	for name := range r.book.messages {
		out = append(out, strings.TrimPrefix(name, r.name+"/"))
	}
	sort.Strings(out)
	return out
}

// report renders every failure, for a test's log.
func (r *recordingReporter) report() string {
	var b strings.Builder
	for _, name := range r.failedRules() {
		r.book.mu.Lock()
		msgs := r.book.messages[r.name+"/"+name]
		r.book.mu.Unlock()
		fmt.Fprintf(&b, "%s:\n", name)
		for _, m := range msgs {
			fmt.Fprintf(&b, "    %s\n", strings.ReplaceAll(m, "\n", "\n    "))
		}
	}
	return b.String()
}
