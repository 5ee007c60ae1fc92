package conformance

import (
	"context"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
)

// Harness connects the suite to one adapter and the simulated provider it
// talks to.
//
// The suite reads the simulator's settings once, then asks for gateways as
// it needs them (one per group of rules, and more for particular rules),
// passing the settings to use (the simulator's Values, or its
// BadCredentials) and the resilience it wants:
// a test-speed retry policy, a breaker with a low threshold and a short open
// timeout, and a Logger whose output it checks for secrets. A harness must
// apply all of it: Retry and Breaker to the gateway (for a plugin, to the
// host's Config), and Logger to everything that logs on the gateway's behalf
// (for a plugin, the host's logger, which also receives the plugin's stderr).
//
// Gateways that implement io.Closer are closed when the rules using them end.
type Harness interface {
	// Simulator drives the simulated provider every gateway talks to.
	Simulator() simctl.Controller
	// MakeGateway returns a new gateway configured with settings and r.
	MakeGateway(ctx context.Context, settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error)
}

// Constructor is the shape of an adapter's FromSettings function.
type Constructor func(settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error)

// HarnessFuncs is a Harness built from a controller and a function.
type HarnessFuncs struct {
	// Controller drives the simulated provider.
	Controller simctl.Controller
	// Make returns a new gateway; see Harness.MakeGateway.
	Make func(ctx context.Context, settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error)
}

// Simulator returns h.Controller.
func (h HarnessFuncs) Simulator() simctl.Controller { return h.Controller }

// MakeGateway calls h.Make.
func (h HarnessFuncs) MakeGateway(ctx context.Context, settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
	return h.Make(ctx, settings, r)
}

// InProcess returns a Harness for an adapter linked into the test binary:
// gateways come from open (the adapter's FromSettings) and talk to the
// simulator sim drives.
func InProcess(sim simctl.Controller, open Constructor) Harness {
	return HarnessFuncs{
		Controller: sim,
		Make: func(_ context.Context, settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
			return open(settings, r)
		},
	}
}
