package conformance_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/conformance"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// rules is a small tree of rules with every way a rule can end.
func rules(r conformance.Reporter, order *[]string) {
	r.Cleanup(func() { *order = append(*order, "root cleanup") })
	r.Run("Group", func(r conformance.Reporter) {
		r.Run("Passes", func(r conformance.Reporter) {
			r.Cleanup(func() { *order = append(*order, "first registered") })
			r.Cleanup(func() { *order = append(*order, "last registered") })
		})
		r.Run("FailsAndGoesOn", func(r conformance.Reporter) {
			r.Errorf("one %s", "problem")
			r.Errorf("another")
		})
		r.Run("FailsNow", func(r conformance.Reporter) {
			require.NoError(r, errors.New("boom"))
			*order = append(*order, "after FailNow") // never reached
		})
		r.Run("Skips", func(r conformance.Reporter) {
			r.Skipf("not applicable: %s", "no such thing")
			*order = append(*order, "after Skipf") // never reached
		})
		r.Run("Panics", func(conformance.Reporter) { panic("oops") })
		r.Run("Nested", func(r conformance.Reporter) {
			r.Run("Deep", func(r conformance.Reporter) {
				assert.Equal(r, "Group/Nested/Deep", r.Name())
			})
		})
	})
	r.Run("Skipped", func(r conformance.Reporter) { r.Skipf("not applicable: the whole group") })
}

func TestRecorderRecordsEveryOutcome(t *testing.T) {
	var order []string
	rec := conformance.NewRecorder()
	rules(rec, &order)
	rec.Finish()

	assert.Equal(t, []string{"Group/Nested/Deep", "Group/Passes"}, rec.Rules(conformance.Passed))
	assert.Equal(t, []string{"Group/FailsAndGoesOn", "Group/FailsNow", "Group/Panics"}, rec.Rules(conformance.Failed))
	assert.Equal(t, []string{"Group/Skips", "Skipped"}, rec.Rules(conformance.Skipped))

	res, ok := rec.Result("Group/FailsAndGoesOn")
	require.True(t, ok)
	assert.Equal(t, []string{"one problem", "another"}, res.Messages)
	res, _ = rec.Result("Group/Skips")
	assert.Equal(t, []string{"not applicable: no such thing"}, res.Messages)
	res, _ = rec.Result("Group/Panics")
	assert.Equal(t, []string{"panic: oops"}, res.Messages)
	_, ok = rec.Result("Group")
	assert.False(t, ok, "a group that only holds rules has no result of its own")

	assert.Equal(t, []string{"last registered", "first registered", "root cleanup"}, order,
		"cleanups run last first, FailNow and Skipf end their rule, Finish runs the root's")
	list := rec.Checklist()
	assert.Contains(t, list, "PASS Group/Passes\n")
	assert.Contains(t, list, "SKIP Skipped: not applicable: the whole group\n")
	assert.Contains(t, list, "FAIL Group/FailsAndGoesOn\n    one problem\n    another\n")
}

func TestRecorderRunsOnlyTheSelection(t *testing.T) {
	var order []string
	rec := conformance.NewRecorder("Group/Nested", "Skipped/")
	rules(rec, &order)
	rec.Finish()
	var ran []string
	for _, res := range rec.Results() {
		ran = append(ran, string(res.Outcome)+" "+res.Rule)
	}
	assert.Equal(t, []string{"PASS Group/Nested/Deep", "SKIP Skipped"}, ran)
	assert.False(t, strings.Contains(strings.Join(order, ","), "registered"), "rules left out do not run")
}

// failingSettings is a simulator that cannot say how to reach it.
type failingSettings struct{ simctl.Controller }

func (failingSettings) Settings(context.Context) (simctl.Settings, error) {
	return simctl.Settings{}, errors.New("the simulator is down")
}

func TestRecorderReportsARunThatCannotStart(t *testing.T) {
	rec := conformance.NewRecorder()
	conformance.RunRules(rec, conformance.InProcess(failingSettings{}, nil))
	rec.Finish()
	assert.True(t, rec.Failed())
	assert.Equal(t, []string{conformance.Outside}, rec.Rules(conformance.Failed))
	res, _ := rec.Result(conformance.Outside)
	require.Len(t, res.Messages, 1)
	assert.Contains(t, res.Messages[0], "the simulator is down")
}
