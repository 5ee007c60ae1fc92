package conformance

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

// harnessRules check what the rest of the suite relies on: settings that
// configure a gateway, bad credentials, and secrets to look for.
func (s *suite) harnessRules(r Reporter) {
	s.rule(r, "SettingsDeclareCredentialsAndSecrets", func(c *check) {
		st := s.settings
		require.NotEmpty(c, st.Values, "Settings.Values is empty")
		require.NotEmpty(c, st.BadCredentials, "Settings.BadCredentials is empty: the Unauthorized rule cannot run")
		assert.NotEqual(c, st.Values, st.BadCredentials, "BadCredentials equal Values")
		// Without secrets the hygiene rules could not fail, so they would
		// prove nothing.
		require.NotEmpty(c, st.Secrets, "Settings.Secrets is empty: secret hygiene cannot be checked")
		for _, sec := range st.Secrets {
			assert.GreaterOrEqual(c, len(sec), 8, "a secret shorter than 8 bytes makes the hygiene search meaningless")
		}
		assert.NotEmpty(c, secretsIn(st.Values, st.Secrets), "none of the Secrets is in Values")
	})
	s.rule(r, "GatewayFromBadCredentialsNamesSameProvider", func(c *check) {
		bad := c.badCredentials()
		assert.Equal(c, s.provider, bad.Provider())
	})
}

func containsValue(m map[string]string, sub string) bool {
	for _, v := range m {
		if strings.Contains(v, sub) {
			return true
		}
	}
	return false
}

// prefixOf shows enough of a secret to recognise it in a failure message
// without printing it.
func prefixOf(secret string) string {
	if len(secret) > 3 {
		return secret[:3]
	}
	return ""
}

// neutralEventTypes are the event types a gateway may declare.
var neutralEventTypes = []mfspay.EventType{
	mfspay.EventPaymentPending, mfspay.EventPaymentCompleted, mfspay.EventPaymentFailed,
	mfspay.EventPaymentCancelled, mfspay.EventPaymentExpired, mfspay.EventTransactionReceived,
}

// capabilityRules check that Capabilities are coherent and honest: what is
// declared unsupported answers ErrUnsupported without traffic, what is
// declared supported never does.
func (s *suite) capabilityRules(r Reporter) {
	caps := s.caps
	s.rule(r, "NamesItsProvider", func(c *check) {
		gw := c.gateway()
		require.NotEmpty(c, gw.Provider())
		assert.Equal(c, gw.Provider(), gw.Provider(), "Provider changes between calls")
		assert.Equal(c, s.provider, gw.Provider(), "two gateways from the same settings name different providers")
	})
	s.rule(r, "AreCoherent", func(c *check) {
		if caps.ListByStatus {
			assert.True(c, caps.List, "ListByStatus without List")
		}
		if caps.List {
			assert.Positive(c, caps.MaxPerPage, "List without MaxPerPage")
		}
		for _, t := range caps.EventTypes {
			assert.Contains(c, neutralEventTypes, t, "event type %q is not a neutral event type", t)
		}
		if len(caps.EventTypes) > 0 {
			assert.NotEmpty(c, caps.Webhook, "event types declared without a webhook authentication scheme")
		}
		for _, st := range caps.Statuses {
			assert.True(c, st.Valid(), "status %q is not a neutral status", st)
		}
		if len(caps.Statuses) > 0 {
			// Every checkout is pending, and a provider that can never say
			// paid cannot take a payment.
			for _, st := range []mfspay.Status{mfspay.StatusPending, mfspay.StatusPaid} {
				assert.Contains(c, caps.Statuses, st, "Capabilities.Statuses leaves out %s", st)
			}
		}
		for _, t := range caps.EventTypes {
			if st, ok := statusAnnounced(t); ok {
				assert.True(c, caps.Reports(st), "event type %s declared, but not the status %s it announces", t, st)
			}
		}
		assert.Contains(c, []mfspay.ReturnAction{mfspay.ReturnNone, mfspay.ReturnVerify, mfspay.ReturnExecute}, caps.Return,
			"Capabilities.Return %q is not a return action", caps.Return)
		if caps.Return != mfspay.ReturnNone {
			assert.True(c, caps.Supports(mfspay.EventPaymentCompleted),
				"a gateway completing the customer's return reports its outcome as events, payment.completed among them")
		}
		assert.Equal(c, caps, c.gateway().Capabilities(), "Capabilities changes between gateways")
	})

	unsupported := unsupportedCalls(caps)
	if len(unsupported) == 0 {
		notApplicable(r, "UnsupportedOperationsReturnErrUnsupported", "the gateway declares every optional operation supported")
	} else {
		s.rule(r, "UnsupportedOperationsReturnErrUnsupported", func(c *check) {
			_, co := c.newPayment(mfspay.Taka(10))
			for _, call := range unsupported {
				c.noTraffic(call.name, func() {
					err := call.do(c.ctx, c.gateway(), co)
					assert.ErrorIs(c, err, mfspay.ErrUnsupported, "%s is declared unsupported", call.name)
				})
			}
		})
	}
	s.rule(r, "SupportedOperationsNeverReturnErrUnsupported", func(c *check) {
		_, co := c.newPayment(mfspay.Taka(10))
		c.identify(co)
		for _, call := range supportedCalls(caps) {
			err := call.do(c.ctx, c.gateway(), co)
			assert.NotErrorIs(c, err, mfspay.ErrUnsupported, "%s is declared supported", call.name)
			assert.NoError(c, err, call.name)
		}
	})
}

// statusAnnounced is the status a payment.* event type announces.
func statusAnnounced(t mfspay.EventType) (mfspay.Status, bool) {
	for _, st := range []mfspay.Status{
		mfspay.StatusPending, mfspay.StatusPaid, mfspay.StatusFailed, mfspay.StatusCancelled, mfspay.StatusExpired,
	} {
		if et, _ := mfspay.EventTypeFor(st); et == t {
			return st, true
		}
	}
	return "", false
}

// capCall is one capability-gated operation on an existing payment.
type capCall struct {
	name      string
	supported func(mfspay.Capabilities) bool
	do        func(ctx context.Context, gw mfspay.Gateway, co *mfspay.Checkout) error
}

// unnamedPaymentID is a well-formed payment id no provider issued.
const unnamedPaymentID = "CF-UNNAMED-PAYMENT-1"

var capCalls = []capCall{
	{"VerifyPayment by invoice", func(c mfspay.Capabilities) bool { return c.VerifyByInvoice },
		func(ctx context.Context, gw mfspay.Gateway, co *mfspay.Checkout) error {
			_, err := gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: co.InvoiceID})
			return err
		}},
	{"VerifyPayment by payment id", func(c mfspay.Capabilities) bool { return c.VerifyByPaymentID },
		func(ctx context.Context, gw mfspay.Gateway, co *mfspay.Checkout) error {
			// Where the provider has not named the payment (and the call
			// is declared unsupported), any well-formed id will do.
			_, err := gw.VerifyPayment(ctx, mfspay.PaymentRef{PaymentID: cmp.Or(co.PaymentID, unnamedPaymentID)})
			return err
		}},
	{"ListPayments", func(c mfspay.Capabilities) bool { return c.List },
		func(ctx context.Context, gw mfspay.Gateway, _ *mfspay.Checkout) error {
			_, err := gw.ListPayments(ctx, mfspay.ListQuery{})
			return err
		}},
	{"ListPayments by status", func(c mfspay.Capabilities) bool { return c.ListByStatus },
		func(ctx context.Context, gw mfspay.Gateway, _ *mfspay.Checkout) error {
			_, err := gw.ListPayments(ctx, mfspay.ListQuery{Status: mfspay.StatusPending})
			return err
		}},
}

func supportedCalls(caps mfspay.Capabilities) []capCall {
	return slices.DeleteFunc(slices.Clone(capCalls), func(cc capCall) bool { return !cc.supported(caps) })
}

// unsupportedCalls are the calls declared unsupported whose answer the
// contract fixes. ListPayments by status on a gateway that lists but cannot
// filter is left out: it may answer ErrUnsupported or ErrInvalidRequest.
func unsupportedCalls(caps mfspay.Capabilities) []capCall {
	var out []capCall
	for _, cc := range capCalls {
		if cc.supported(caps) || cc.name == "ListPayments by status" && caps.List {
			continue
		}
		out = append(out, cc)
	}
	if len(caps.EventTypes) == 0 {
		out = append(out, capCall{"ParseWebhook", nil,
			func(ctx context.Context, gw mfspay.Gateway, _ *mfspay.Checkout) error {
				_, err := gw.ParseWebhook(ctx, mfspay.WebhookRequest{Body: []byte(`{}`)})
				return err
			}})
	}
	return out
}
