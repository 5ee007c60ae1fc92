package simkit

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/conformance/simctl"
)

// TestTamperFitsOnlyItsAnswers: a tamper waits at the head of the queue for
// the answers it fits, rewrites Count of them, and faults behind it wait.
func TestTamperFitsOnlyItsAnswers(t *testing.T) {
	q := NewFaults(nil)
	q.Tampers = map[simctl.Tamper]TamperFunc{
		simctl.TamperUnknownStatus: RewriteJSON(func(r *http.Request) bool { return r.URL.Path == "/read" }, "",
			func(obj map[string]any) { obj["ok"] = "maybe" }),
	}
	srv, processed := faultServer(t, q)
	q.Add(simctl.Fault{Tamper: simctl.TamperUnknownStatus, Count: 2})
	q.Add(simctl.Fault{Status: 503})

	_, body, err := get(t, srv.Client(), srv.URL+"/list")
	require.NoError(t, err)
	assert.JSONEq(t, `{"ok":true,"padding":"0123456789"}`, body, "not a fit: untouched")
	for range 2 {
		resp, body, err := get(t, srv.Client(), srv.URL+"/read")
		require.NoError(t, err)
		assert.Equal(t, http.StatusCreated, resp.StatusCode)
		assert.JSONEq(t, `{"ok":"maybe","padding":"0123456789"}`, body)
	}
	resp, _, err := get(t, srv.Client(), srv.URL+"/read")
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "then the fault behind it")
	assert.EqualValues(t, 3, processed.Load(), "tampered requests are processed for real")
	assert.Zero(t, q.Pending())
}

// TestRewriteJSONLeavesErrorsAlone: an error answer is not a lie to tell.
func TestRewriteJSONLeavesErrorsAlone(t *testing.T) {
	rewrite := RewriteJSON(func(*http.Request) bool { return true }, "data", func(obj map[string]any) { obj["x"] = 1 })
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	_, ok := rewrite(r, http.StatusNotFound, []byte(`{"data":{}}`))
	assert.False(t, ok)
	_, ok = rewrite(r, http.StatusOK, []byte(`{"other":{}}`))
	assert.False(t, ok, "no object under the key")
	out, ok := rewrite(r, http.StatusOK, []byte(`{"data":{"amount":250.50}}`))
	require.True(t, ok)
	assert.JSONEq(t, `{"data":{"amount":250.50,"x":1}}`, string(out))
	assert.Contains(t, string(out), "250.50", "numbers stay exact literals")
}
