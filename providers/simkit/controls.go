package simkit

import (
	"context"

	"github.com/mfspay/mfspay/conformance/simctl"
)

// Controls answers the parts of simctl.Controller that every simulator
// answers the same way: faults, the request count and payments per invoice.
// A simulator embeds it and writes only the provider-specific methods
// (Settings, Pay, Cancel, Expire, Notifications).
type Controls struct {
	store  *Store
	log    *RequestLog
	faults *Faults
}

// NewControls returns Controls over a simulator's store, request log and
// fault injector.
func NewControls(store *Store, log *RequestLog, faults *Faults) Controls {
	return Controls{store: store, log: log, faults: faults}
}

// Fail makes the next f.Count API requests fail as f describes.
func (c Controls) Fail(_ context.Context, f simctl.Fault) error {
	c.faults.Add(f)
	return nil
}

// ClearFaults drops every pending fault.
func (c Controls) ClearFaults(context.Context) error {
	c.faults.Clear()
	return nil
}

// RequestCount is how many API requests the simulator has received, faulted
// and rejected ones included, hosted pages and dashboards excluded.
func (c Controls) RequestCount(context.Context) (int, error) { return c.log.Count(), nil }

// PaymentCount is how many payments the simulator holds for invoiceID: more
// than one means a double charge.
func (c Controls) PaymentCount(_ context.Context, invoiceID string) (int, error) {
	return c.store.CountByInvoice(invoiceID), nil
}
