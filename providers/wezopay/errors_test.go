package wezopay_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/wezopay"
)

const htmlPage = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"

// TestErrorBodies: WezoPay's error answers, as its framework writes them,
// become the kind, text and field they stand for. (Kinds by status code,
// retries and Retry-After are the HTTP client's, checked by conformance.)
func TestErrorBodies(t *testing.T) {
	tests := []struct {
		name     string
		fault    simctl.Fault // injected before the call, if set
		call     string       // "create", "create-bad-email", "create-twice", "create-read-only" or "verify"
		kind     error
		status   int
		contains string
		field    string
	}{
		{name: "400 error text", fault: simctl.Fault{Status: 400, Body: `{"success":false,"error":"Invalid parameters"}`},
			call: "verify", kind: mfspay.ErrInvalidRequest, status: 400, contains: "Invalid parameters"},
		{name: "403 read-only key creates", call: "create-read-only", kind: mfspay.ErrForbidden, status: 403, contains: "ability"},
		{name: "404 not found", call: "verify", kind: mfspay.ErrNotFound, status: 404, contains: "Payment not found"},
		{name: "422 field errors", call: "create-bad-email", kind: mfspay.ErrInvalidRequest, status: 422,
			contains: "customer_email: The customer email must be a valid email address.", field: "customer_email"},
		{name: "422 field errors in name order", fault: simctl.Fault{Status: 422, Body: `{"success":false,"errors":{"amount":["must be positive"],"a":["x","y"]}}`},
			call: "create", kind: mfspay.ErrInvalidRequest, status: 422, contains: "a: x y; amount: must be positive", field: "a"},
		{name: "422 message instead of error", fault: simctl.Fault{Status: 422, Body: `{"success":false,"message":"The given data was invalid."}`},
			call: "create", kind: mfspay.ErrInvalidRequest, status: 422, contains: "The given data was invalid."},
		{name: "422 duplicate invoice", call: "create-twice", kind: mfspay.ErrDuplicate, status: 422,
			contains: "invoice_id already exists", field: "invoice_id"},
		{name: "422 framework's duplicate", fault: simctl.Fault{Status: 422, Body: `{"success":false,"errors":{"invoice_id":["The invoice id has already been taken."]}}`},
			call: "create", kind: mfspay.ErrDuplicate, status: 422, field: "invoice_id"},
		{name: "HTML 502 is described", fault: simctl.Fault{Status: 502, Count: 3, ContentType: "text/html", Body: htmlPage},
			call: "verify", kind: mfspay.ErrUnavailable, status: 502, contains: "non-JSON response (text/html, 136 bytes)"},
		{name: "error of another shape", fault: simctl.Fault{Status: 400, Body: `{"success":false,"error":{"code":7},"errors":["x"]}`},
			call: "verify", kind: mfspay.ErrInvalidRequest, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil, nil)
			if tt.fault != (simctl.Fault{}) {
				e.fail(t, tt.fault)
			}
			ctx := context.Background()
			var err error
			switch tt.call {
			case "create":
				_, err = e.create(newRequest(mfspay.Taka(10)))
			case "create-bad-email":
				req := newRequest(mfspay.Taka(10))
				req.Customer.Email = "rahim@localhost" // the layer's check passes; WezoPay's is stricter
				_, err = e.create(req)
			case "create-twice":
				req := newRequest(mfspay.Taka(10))
				_, err = e.create(req)
				require.NoError(t, err)
				_, err = e.create(req)
			case "create-read-only":
				settings := e.sim.SettingsMap()
				settings[wezopay.SettingAPIKey] = e.sim.ReadOnlyKey()
				gw, gerr := wezopay.FromSettings(settings, mfspay.Resilience{Retry: fastRetry()})
				require.NoError(t, gerr)
				_, err = gw.CreatePayment(ctx, newRequest(mfspay.Taka(10)))
			case "verify":
				_, err = e.verify(mfspay.PaymentRef{InvoiceID: "INV-NOPE"})
			}
			require.Error(t, err)
			assert.Equal(t, tt.kind, mfspay.KindOf(err), err.Error())
			var me *mfspay.Error
			require.ErrorAs(t, err, &me)
			assert.Equal(t, wezopay.ProviderName, me.Provider)
			assert.Equal(t, tt.status, me.HTTPStatus)
			assert.Contains(t, err.Error(), tt.contains)
			assert.NotContains(t, err.Error(), "<html", "an HTML page is described, not quoted")
			assert.Equal(t, tt.field, me.Field)
		})
	}
}
