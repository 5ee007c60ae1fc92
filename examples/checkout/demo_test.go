package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireDemoPaid runs the scripted demo against a and checks that every
// order it placed is paid, once, with what the customer typed.
func requireDemoPaid(t *testing.T, a *app, via string) {
	t.Helper()
	results, err := runDemo(context.Background(), a.URL, a.shop.gateways, 10*time.Second)
	require.NoError(t, err)
	require.Len(t, results, 2, "one purchase per provider")

	counters := map[string]simctl.Controller{"WezoPay": a.sims.wezo, "EazzPay": a.sims.eazz}
	for i, r := range results {
		o := a.shop.orders.mustGet(t, r.OrderID)
		assert.Equal(t, statusPaid, o.Status, r.Title)
		assert.Equal(t, a.shop.gateways[i].Name, o.Provider)
		assert.Equal(t, catalog[i].Price, o.Amount)
		assert.Equal(t, demoSender, o.Sender)
		assert.Equal(t, r.TrxID, o.TrxID)
		assert.NotEmpty(t, o.PaymentID)
		assert.Empty(t, o.Alerts)
		assert.Equal(t, webhook.SourceNotification, o.LearntBy, "the notification arrived: nothing for the reconciler")
		e, err := a.db.ledger.ByInvoice(context.Background(), o.Provider, o.InvoiceID)
		require.NoError(t, err)
		assert.Equal(t, mfspay.StatusPaid, e.Status, "the ledger recorded the delivered state")
		assert.Equal(t, ledger.SourceNotification, e.Source)
		assert.Equal(t, o.PaymentID, e.PaymentID)
		assert.True(t, strings.HasPrefix(r.Via, via), r.Via)
		n, err := counters[r.Title].PaymentCount(context.Background(), o.InvoiceID)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "%s: one payment per order", r.Title)
	}
	assert.Contains(t, results[0].Notices[0].Outcome, "confirmed with VerifyPayment", "WezoPay events are confirmed")
	assert.Contains(t, a.shop.orders.mustGet(t, results[1].OrderID).PaidBecause, "shared client secret verified")

	var report bytes.Buffer
	printReport(&report, results)
	assert.Equal(t, 2, strings.Count(report.String(), "PAID in"), report.String())
}

func TestDemoInProcess(t *testing.T) {
	requireDemoPaid(t, startTestApp(t, appConfig{}), "in-process")
}

// TestDemoAsPlugins builds both plugin binaries once and runs the same demo
// with the adapters in subprocesses.
func TestDemoAsPlugins(t *testing.T) {
	requireDemoPaid(t, startTestApp(t, appConfig{Plugins: true}), "plugin mfspay-plugin-")
}

func TestDemoNamesTheFailingStep(t *testing.T) {
	a := startTestApp(t, appConfig{})
	// WezoPay answers 500 to everything: the create's outcome is unknown and
	// the lookup by invoice cannot settle it.
	require.NoError(t, a.sims.wezo.Fail(context.Background(), simctl.Fault{Count: 100, Status: http.StatusInternalServerError}))

	results, err := runDemo(context.Background(), a.URL, a.shop.gateways, 5*time.Second)
	require.Error(t, err)
	assert.Empty(t, results)
	assert.Contains(t, err.Error(), `WezoPay: order `)
	assert.Contains(t, err.Error(), `step "order Nakshi kantha quilt with WezoPay"`)
	assert.Contains(t, err.Error(), "503")
}

func TestDemoStepTimeout(t *testing.T) {
	a := startTestApp(t, appConfig{})
	// WezoPay holds its answer to the create past the step's limit.
	require.NoError(t, a.sims.wezo.Fail(context.Background(), simctl.Fault{Status: http.StatusCreated, Delay: 2 * time.Second}))

	_, err := runDemo(context.Background(), a.URL, a.shop.gateways, 300*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `step "order Nakshi kantha quilt with WezoPay"`)
	assert.Contains(t, err.Error(), "context deadline exceeded")
}

func TestRunDemoCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-demo"}, &out, &errOut, envMap(nil))
	require.Equal(t, 0, code, errOut.String())
	assert.Equal(t, 2, strings.Count(out.String(), "PAID in"), out.String())
	assert.Contains(t, out.String(), "all 2 purchases paid and verified")
}

func TestRunRefuses(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown flag", []string{"-nope"}, nil, "flag provided but not defined"},
		{"stray argument", []string{"extra"}, nil, "usage:"},
		{"demo with a real WezoPay", []string{"-demo"}, map[string]string{envWezoAPIKey: "wpk_live"}, envWezoAPIKey},
		{"demo with a real EazzPay", []string{"-demo"}, map[string]string{envEazzClientSecret: "s"}, envEazzClientSecret},
		{"no sweep interval", []string{"-sweep", "0s"}, nil, "-sweep and -create-timeout take a positive duration"},
		{"no create timeout", []string{"-create-timeout", "-1s"}, nil, "-sweep and -create-timeout take a positive duration"},
		{"negative sweep rate", []string{"-sweep-rate", "-3"}, nil, "-sweep-rate a positive number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			assert.Equal(t, 2, run(context.Background(), tt.args, &out, &errOut, envMap(tt.env)))
			assert.Contains(t, errOut.String(), tt.want)
			assert.NotContains(t, errOut.String(), "wpk_live", "no secret is echoed")
		})
	}
}
