package conformance

import (
	"slices"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

// A provider whose create answers no payment id (UddoktaPay's checkout-v2
// answers only the payment page) declares Capabilities.PaymentIDLater, and
// the merchant learns the id as a shop would: from the customer's return,
// completed through the gateway, or else from the provider's notification.
// Until then the suite names the payment to the simulator by the
// checkout's RedirectURL, which simctl.Controller requires a simulator to
// accept, and the rules that need the id of a payment nobody has paid yet
// are skipped with noPaymentIDYet as their reason.

// noPaymentIDYet is why a rule cannot name a payment by its id before the
// customer has been to the hosted page.
const noPaymentIDYet = "the provider names no payment until the customer returns (Capabilities.PaymentIDLater)"

// handle names co's payment to the simulator: its payment id, or, while
// the provider has named none, the checkout's RedirectURL.
func handle(co *mfspay.Checkout) string {
	if co.PaymentID != "" {
		return co.PaymentID
	}
	return co.RedirectURL
}

// learnPaymentID fills in co.PaymentID, where the create named no payment,
// from what the merchant gets once the customer has been to the hosted
// page: the latest customer's return, completed through the rule's
// gateway, or else the first of the provider's notifications that names
// the payment. A gateway with neither cannot tell the merchant which
// payment it is, and the rule is not applicable.
func (c *check) learnPaymentID(co *mfspay.Checkout) {
	c.Helper()
	if co.PaymentID != "" {
		return
	}
	if c.s.caps.Return != mfspay.ReturnNone {
		if rets := c.returns(co); len(rets) > 0 {
			ev, err := c.gateway().CompleteReturn(c.ctx, cloneReturn(rets[len(rets)-1]))
			require.NoError(c, err, "completing the customer's return %v, as the merchant's return endpoint does, "+
				"to learn the payment id the create did not name", rets[len(rets)-1].Query)
			c.adoptPaymentID(co, ev, "the customer's return")
			return
		}
	}
	if len(c.s.caps.EventTypes) > 0 {
		named := func(p parsedNotification) bool { return p.ev.Payment.PaymentID != "" }
		ps := c.awaitNotificationsWhere(c.gateway(), co, "an event naming the payment",
			func(ps []parsedNotification) bool { return slices.ContainsFunc(ps, named) })
		c.adoptPaymentID(co, ps[slices.IndexFunc(ps, named)].ev, "the provider's notification")
		return
	}
	c.Skipf("not applicable: %s, and the gateway declares neither a customer's return nor notifications "+
		"that would name it", noPaymentIDYet)
}

// adoptPaymentID takes co's payment id, where the create named none, from
// ev, what the merchant got about co's payment from source: it must name a
// payment, for co's invoice.
func (c *check) adoptPaymentID(co *mfspay.Checkout, ev *mfspay.Event, source string) {
	c.Helper()
	if co.PaymentID != "" {
		return
	}
	require.NotNil(c, ev, "%s answered no event", source)
	require.NotEmpty(c, ev.Payment.PaymentID, "%s names no payment id, and the create named none", source)
	require.Equal(c, co.InvoiceID, ev.Payment.InvoiceID, "%s is about another invoice than the checkout's", source)
	co.PaymentID = ev.Payment.PaymentID
}

// checkNamedPayment checks the payment id an event about co names: co's,
// or, where the provider has named none yet, any.
func (c *check) checkNamedPayment(co *mfspay.Checkout, id, what string) {
	c.Helper()
	if co.PaymentID == "" {
		assert.NotEmpty(c, id, what)
		return
	}
	assert.Equal(c, co.PaymentID, id, what)
}

// needsPaymentID makes the rule not applicable, saying why (what needs
// it), when the provider has not named co's payment.
func (c *check) needsPaymentID(co *mfspay.Checkout, why string) {
	c.Helper()
	if co.PaymentID == "" {
		c.Skipf("not applicable: %s, and %s", noPaymentIDYet, why)
	}
}
