package conformance_test

import (
	"testing"

	"github.com/mfspay/mfspay/conformance"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
)

// TestConformanceInProcess runs the suite against each built-in adapter
// linked into the test binary.
func TestConformanceInProcess(t *testing.T) {
	t.Run("EazzPay", func(t *testing.T) {
		t.Parallel()
		sim := eazzpaytest.NewServer()
		t.Cleanup(sim.Close)
		conformance.Run(t, conformance.InProcess(sim, eazzpay.FromSettings))
	})
}
