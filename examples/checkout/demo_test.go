package main

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireDemoPaid runs the scripted demo against a and checks that every
// order it placed is paid, once, with what the customer paid with, learnt
// the way its provider works.
func requireDemoPaid(t *testing.T, a *app, via string) {
	t.Helper()
	ctx := context.Background()
	results, err := runDemo(ctx, a.URL, a.shop.gateways, a.sims, 10*time.Second)
	require.NoError(t, err)
	require.Len(t, results, 4, "one purchase per provider")

	counters := map[string]simctl.Controller{"WezoPay": a.sims.wezo, "EazzPay": a.sims.eazz, "bKash": a.sims.bkash, "UddoktaPay": a.sims.uddokta}
	for i, r := range results {
		o := a.shop.orders.mustGet(t, r.OrderID)
		assert.Equal(t, statusPaid, o.Status, r.Title)
		assert.Equal(t, a.shop.gateways[i].Name, o.Provider)
		assert.Equal(t, catalog[i%len(catalog)].Price, o.Amount)
		assert.Equal(t, r.TrxID, o.TrxID)
		assert.NotEmpty(t, o.TrxID)
		assert.NotEmpty(t, o.PaymentID)
		assert.Empty(t, o.Alerts)
		e, err := a.db.ledger.ByInvoice(ctx, o.Provider, o.InvoiceID)
		require.NoError(t, err)
		assert.Equal(t, mfspay.StatusPaid, e.Status, "the ledger recorded the delivered state")
		assert.Equal(t, ledgerSource(o.LearntBy), e.Source, "the ledger and the order agree how it was learnt")
		assert.Equal(t, o.PaymentID, e.PaymentID)
		assert.True(t, strings.HasPrefix(r.Via, via), r.Via)
		n, err := counters[r.Title].PaymentCount(ctx, o.InvoiceID)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "%s: one payment per order", r.Title)
		completed := 0
		for _, n := range o.Notices {
			if n.Event == string(mfspay.EventPaymentCompleted) {
				completed++
			}
		}
		assert.Equal(t, 1, completed, "%s: the completed payment is delivered once: %+v", r.Title, o.Notices)
		switch o.Provider {
		case "wezopay", "eazzpay":
			assert.Equal(t, demoSender, o.Sender)
			assert.Equal(t, webhook.SourceNotification, o.LearntBy, "the notification arrived: nothing for the reconciler")
		case "bkash":
			// Paid on the customer's return, by the execute; the signed SNS
			// notification only announced the money, with the same trx.
			assert.Equal(t, demoBkashWallet, o.Sender)
			assert.Equal(t, webhook.SourceReturn, o.LearntBy)
			assert.Contains(t, r.LearntBy, "the shop executed the payment at bKash")
			require.Len(t, o.Notices, 2, "%+v", o.Notices)
			i := slices.IndexFunc(o.Notices, func(n notice) bool { return n.Event == string(mfspay.EventTransactionReceived) })
			require.GreaterOrEqual(t, i, 0, "%+v", o.Notices)
			assert.Equal(t, webhook.SourceNotification, o.Notices[i].Source)
			assert.Contains(t, o.Notices[i].Outcome, "AWS SNS signature verified")
			assert.Contains(t, o.Notices[i].Outcome, o.TrxID)
		case "uddoktapay":
			// The return (verify) and the IPN race; whichever comes first
			// delivers, the other is a duplicate.
			assert.Equal(t, demoSender, o.Sender)
			assert.Contains(t, []webhook.Source{webhook.SourceReturn, webhook.SourceNotification}, o.LearntBy)
			returns, err := a.sims.uddokta.Returns(ctx, o.PaymentID)
			require.NoError(t, err)
			assert.Len(t, returns, 1, "the customer came back once")
		}
	}
	assert.Contains(t, results[0].Notices[0].Outcome, "confirmed with VerifyPayment", "WezoPay events are confirmed")
	assert.Contains(t, a.shop.orders.mustGet(t, results[1].OrderID).PaidBecause, "shared secret verified")
	require.NoError(t, a.sims.bkash.WaitDeliveries(ctx))
	for _, d := range a.sims.bkash.Deliveries() {
		assert.True(t, d.Delivered, "bKash's SNS notification was accepted: %+v", d)
	}
	require.NoError(t, a.sims.uddokta.WaitDeliveries(ctx))
	for _, d := range a.sims.uddokta.Deliveries() {
		assert.True(t, d.Delivered, "UddoktaPay's IPN was accepted (delivered or a duplicate): %+v", d)
	}

	var report bytes.Buffer
	printReport(&report, results)
	assert.Equal(t, 4, strings.Count(report.String(), "PAID in"), report.String())
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

	results, err := runDemo(context.Background(), a.URL, a.shop.gateways, a.sims, 5*time.Second)
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

	_, err := runDemo(context.Background(), a.URL, a.shop.gateways, a.sims, 300*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `step "order Nakshi kantha quilt with WezoPay"`)
	assert.Contains(t, err.Error(), "context deadline exceeded")
}

func TestRunDemoCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-demo"}, &out, &errOut, envMap(nil))
	require.Equal(t, 0, code, errOut.String())
	assert.Equal(t, 4, strings.Count(out.String(), "PAID in"), out.String())
	assert.Contains(t, out.String(), "all 4 purchases paid and verified in ")
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
		{"demo with a real bKash", []string{"-demo"}, map[string]string{envBkashUsername: "u", envBkashPassword: "wpk_live"}, envBkashPassword},
		{"demo with a bKash topic", []string{"-demo"}, map[string]string{envBkashTopicARNs: "arn:aws:sns:x"}, envBkashTopicARNs},
		{"demo with a real UddoktaPay", []string{"-demo"}, map[string]string{envUddoktaAPIKey: "wpk_live"}, envUddoktaAPIKey},
		{"demo with a UddoktaPay panel", []string{"-demo"}, map[string]string{envUddoktaBaseURL: "https://pay.example"}, envUddoktaBaseURL},
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
