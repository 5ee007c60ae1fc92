package nodipay_test

import (
	"testing"

	"github.com/mfspay/mfspay/conformance"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay/nodipaytest"
)

// TestConformance runs the whole suite against the adapter linked in, as an
// outside author does before shipping the plugin.
func TestConformance(t *testing.T) {
	sim := nodipaytest.NewServer()
	t.Cleanup(sim.Close)
	conformance.Run(t, conformance.InProcess(sim, nodipay.FromSettings))
}
