package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestServerBoundsEveryPhase checks the shop's server against slow and idle
// clients: each phase of a connection has a bound, and the answer's bound
// leaves room for the longest handler, a checkout waiting on its provider.
func TestServerBoundsEveryPhase(t *testing.T) {
	a := startTestApp(t, appConfig{})
	s := a.server
	assert.Positive(t, s.ReadHeaderTimeout)
	assert.Positive(t, s.ReadTimeout)
	assert.Positive(t, s.IdleTimeout)
	assert.Greater(t, s.WriteTimeout, a.shop.createTimeout, "a checkout's answer is written after its provider call")
	assert.Positive(t, s.MaxHeaderBytes)
}
