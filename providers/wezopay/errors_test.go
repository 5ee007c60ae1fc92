package wezopay_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

const htmlPage = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name     string
		simOpts  []wezopaytest.Option
		setup    func(t *testing.T, e *env) mfspay.Gateway // returns the gateway to call, nil for e.gw
		call     string                                    // "create" or "verify"
		kind     error
		status   int
		contains string
		field    string
		retry    time.Duration
	}{
		{
			name: "400 invalid params", call: "verify", kind: mfspay.ErrInvalidRequest, status: 400, contains: "Invalid parameters",
			setup: fault(simctl.Fault{Status: 400, Body: `{"success":false,"error":"Invalid parameters"}`}),
		},
		{
			name: "401 wrong key", call: "verify", kind: mfspay.ErrUnauthorized, status: 401, contains: "Invalid API key",
			setup: func(t *testing.T, e *env) mfspay.Gateway {
				st, err := e.sim.Settings(context.Background())
				require.NoError(t, err)
				gw, err := wezopay.FromSettings(st.BadCredentials, mfspay.Resilience{Retry: fastRetry(), Logger: debugLogger})
				require.NoError(t, err)
				return gw
			},
		},
		{
			name: "403 read-only key creates", call: "create", kind: mfspay.ErrForbidden, status: 403, contains: "ability",
			setup: func(t *testing.T, e *env) mfspay.Gateway {
				settings := e.sim.SettingsMap()
				settings["api_key"] = e.sim.ReadOnlyKey()
				gw, err := wezopay.FromSettings(settings, mfspay.Resilience{Retry: fastRetry(), Logger: debugLogger})
				require.NoError(t, err)
				return gw
			},
		},
		{name: "404 not found", call: "verify", kind: mfspay.ErrNotFound, status: 404, contains: "Payment not found"},
		{
			name: "422 validation", call: "create-bad-email", kind: mfspay.ErrInvalidRequest, status: 422,
			contains: "customer_email: The customer email must be a valid email address.", field: "customer_email",
		},
		{
			name: "422 duplicate invoice", call: "create-twice", kind: mfspay.ErrDuplicate, status: 422,
			contains: "invoice_id already exists", field: "invoice_id",
		},
		{
			name: "429 rate limited", call: "verify-twice", kind: mfspay.ErrRateLimited, status: 429, contains: "Too Many",
			simOpts: []wezopaytest.Option{wezopaytest.WithRateLimit(1, time.Hour)}, retry: time.Hour,
		},
		{
			name: "429 injected with retry-after", call: "verify", kind: mfspay.ErrRateLimited, status: 429, retry: 3600 * time.Second,
			setup: fault(simctl.Fault{Status: 429, RetryAfter: 3600 * time.Second}),
		},
		{
			name: "500 on a read", call: "verify", kind: mfspay.ErrUnavailable, status: 500, contains: "Server Error",
			setup: fault(simctl.Fault{Status: 500, Count: 3}),
		},
		{
			name: "500 on every create and lookup", call: "create", kind: mfspay.ErrOutcomeUnknown, status: 500,
			setup: fault(simctl.Fault{Status: 500, Count: 100}),
		},
		{
			name: "HTML 502", call: "verify", kind: mfspay.ErrUnavailable, status: 502, contains: "non-JSON response (text/html",
			setup: fault(simctl.Fault{Status: 502, Count: 3, ContentType: "text/html", Body: htmlPage}),
		},
		{
			name: "HTML 503", call: "list", kind: mfspay.ErrUnavailable, status: 503, contains: "non-JSON",
			setup: fault(simctl.Fault{Status: 503, Count: 3, ContentType: "text/html; charset=utf-8", Body: htmlPage}),
		},
		{
			name: "HTML 504", call: "verify", kind: mfspay.ErrUnavailable, status: 504, contains: "non-JSON",
			setup: fault(simctl.Fault{Status: 504, Count: 3, ContentType: "text/html", Body: htmlPage}),
		},
		{
			name: "501 is not retried", call: "verify", kind: mfspay.ErrUnavailable, status: 501,
			setup: fault(simctl.Fault{Status: 501}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.simOpts, nil)
			gw := e.gw
			if tt.setup != nil {
				if g := tt.setup(t, e); g != nil {
					gw = g
				}
			}
			ctx := context.Background()
			var err error
			start := time.Now()
			switch tt.call {
			case "create":
				_, err = gw.CreatePayment(ctx, newRequest(mfspay.Taka(10)))
			case "create-bad-email":
				req := newRequest(mfspay.Taka(10))
				req.Customer.Email = "rahim@localhost" // our check passes; WezoPay's is stricter
				_, err = gw.CreatePayment(ctx, req)
			case "create-twice":
				req := newRequest(mfspay.Taka(10))
				_, err = gw.CreatePayment(ctx, req)
				require.NoError(t, err)
				_, err = gw.CreatePayment(ctx, req)
			case "verify":
				_, err = gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-NOPE"})
			case "verify-twice":
				_, err = gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-NOPE"})
				require.ErrorIs(t, err, mfspay.ErrNotFound)
				_, err = gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-NOPE"})
			case "list":
				_, err = gw.ListPayments(ctx, mfspay.ListQuery{})
			}
			recordErr(err)
			require.Error(t, err)
			assert.Equal(t, tt.kind, kindOf(err), err.Error())
			var me *mfspay.Error
			require.ErrorAs(t, err, &me)
			assert.Equal(t, wezopay.ProviderName, me.Provider)
			assert.Equal(t, tt.status, me.HTTPStatus)
			assert.Contains(t, err.Error(), tt.contains)
			assert.NotContains(t, err.Error(), "<html", "an HTML page is described, not quoted")
			if tt.field != "" {
				assert.Equal(t, tt.field, me.Field)
			}
			assert.Equal(t, tt.retry, me.RetryAfter)
			if tt.retry > 0 {
				assert.Less(t, time.Since(start), 30*time.Second, "a long Retry-After is returned, not waited for")
			}
		})
	}
}

// fault makes a setup step that injects f.
func fault(f simctl.Fault) func(*testing.T, *env) mfspay.Gateway {
	return func(t *testing.T, e *env) mfspay.Gateway {
		require.NoError(t, e.sim.Fail(context.Background(), f))
		return nil
	}
}
