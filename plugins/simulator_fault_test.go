package plugins

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// TestTamperAndPendingCrossTheSimulatorService: a Fault's Tamper and a
// Payer's Pending reach a plugin's simulator, and a tamper it cannot
// express comes back as ErrUnsupported.
func TestTamperAndPendingCrossTheSimulatorService(t *testing.T) {
	ctx := context.Background()
	var local *wezopaytest.Server
	serve := ServeConfig{Name: wezopay.ProviderName, Factory: wezopay.DriverFromSettings,
		Simulator: func() (simctl.Controller, io.Closer, error) {
			local = wezopaytest.NewServer()
			return local, local.Closer(), nil
		}}
	c, err := OpenInMemory(ctx, serve, Config{})
	require.NoError(t, err)
	defer c.Close()
	sim, err := c.Simulator(ctx)
	require.NoError(t, err)
	s, err := sim.Settings(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Configure(ctx, s.Values))
	co, err := c.CreatePayment(ctx, createRequest(newInvoice("tamper")))
	require.NoError(t, err)

	assert.ErrorIs(t, sim.Fail(ctx, simctl.Fault{Tamper: "made_up"}), mfspay.ErrUnsupported)
	require.NoError(t, sim.Fail(ctx, simctl.Fault{Tamper: simctl.TamperPaidZeroAmount}))
	req, _ := http.NewRequest(http.MethodGet, local.BaseURL()+"/payments/verify?token="+co.PaymentID, nil)
	req.Header.Set("X-API-Key", local.APIKey())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var answer struct {
		Data struct {
			Status string
			Amount json.Number
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&answer))
	resp.Body.Close()
	assert.Equal(t, "paid", answer.Data.Status)
	assert.Equal(t, "0.00", answer.Data.Amount.String())

	require.NoError(t, sim.Pay(ctx, co.PaymentID, simctl.Payer{Pending: true}))
	notes, err := sim.Notifications(ctx, co.PaymentID)
	require.NoError(t, err)
	require.Len(t, notes, 1)
	ev, err := c.ParseWebhook(ctx, notes[0])
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentPending, ev.Type)
}
