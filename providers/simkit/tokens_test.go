package simkit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokensLifeRefreshAndLimit(t *testing.T) {
	start := time.Date(2025, 11, 2, 8, 0, 0, 0, time.UTC)
	tk := NewTokens(time.Hour, 2*time.Hour, 3)
	access, refresh := tk.Grant(start)
	known, fresh := tk.Check(start.Add(59*time.Minute), access)
	assert.True(t, known && fresh)
	known, fresh = tk.Check(start.Add(time.Hour), access)
	assert.True(t, known)
	assert.False(t, fresh, "expired after its life")
	known, _ = tk.Check(start, "made-up")
	assert.False(t, known)

	access2, refresh2, ok := tk.Refresh(start.Add(time.Hour), refresh)
	require.True(t, ok)
	assert.NotEqual(t, access, access2)
	_, _, ok = tk.Refresh(start.Add(time.Hour), refresh)
	assert.False(t, ok, "a refresh token is used up")
	_, _, ok = tk.Refresh(start.Add(3*time.Hour), refresh2)
	assert.False(t, ok, "nor used after its life")
	grants, refreshes := tk.Counts()
	assert.Equal(t, []int{1, 1}, []int{grants, refreshes})

	tk.ExpireAll()
	_, fresh = tk.Check(start.Add(time.Hour), access2)
	assert.False(t, fresh)

	for i := range 3 {
		assert.True(t, tk.Call(start.Add(time.Duration(i)*time.Minute)), "call %d", i)
	}
	assert.False(t, tk.Call(start.Add(30*time.Minute)), "a fourth within the hour")
	assert.True(t, tk.Call(start.Add(62*time.Minute)), "the first calls have left the hour")
	assert.True(t, NewTokens(time.Hour, time.Hour, 0).Call(start), "no limit")
}
