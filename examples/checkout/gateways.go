package main

import (
	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/webhook"
)

// gatewayInfo is one configured gateway as the shop uses and shows it.
type gatewayInfo struct {
	// Name is the provider name, also the webhook path segment.
	Name  string
	Title string
	GW    mfspay.Gateway
	// Real is true when the gateway talks to the provider's real API.
	Real bool
	// DashboardURL is the simulator's dashboard, empty for a real provider.
	DashboardURL string
	// Via says how the adapter runs: "in-process" or "plugin <binary>".
	Via string
	// NeedsEmail: the provider refuses a payment without the customer's
	// email address.
	NeedsEmail bool
}

func newGatewayInfo(p providerSetup, gw mfspay.Gateway, via string) gatewayInfo {
	return gatewayInfo{Name: p.Name, Title: p.Title, GW: gw, Real: p.Real, DashboardURL: p.DashboardURL, Via: via, NeedsEmail: p.NeedsEmail}
}

// canVerify reports whether the provider can be asked about a payment, so
// that the webhook handler confirms every notification with it.
func (g gatewayInfo) canVerify() bool { return g.GW.Capabilities().CanVerify() }

// returnKind says what the customer's return from the provider's page
// makes the shop do: nothing, ask the provider (verify), or capture the
// payment (execute).
func (g gatewayInfo) returnKind() mfspay.ReturnAction { return g.GW.Capabilities().Return }

// authNote says how the gateway's notifications are authenticated.
func (g gatewayInfo) authNote() string {
	switch g.GW.Capabilities().Webhook {
	case mfspay.WebhookHMACSHA256:
		return "HMAC-SHA256 signature verified"
	case mfspay.WebhookSharedSecret:
		return "shared secret verified"
	case mfspay.WebhookSNS:
		return "AWS SNS signature verified"
	}
	return "authenticated by the adapter"
}

// paidBecause says what a completed payment delivered as d was accepted
// on.
func (g gatewayInfo) paidBecause(d webhook.Delivery) string {
	switch {
	case d.Source == webhook.SourceReconciliation && g.returnKind() == mfspay.ReturnExecute:
		return "the customer's return was never completed; the shop's reconciler asked " + g.Title +
			" and executed the approved payment, which " + g.Title + " reported paid, and the amount matches the order"
	case d.Source == webhook.SourceReconciliation:
		return "no notification had been accepted; the shop's reconciler asked " + g.Title +
			" (VerifyPayment), which reported it paid, and the amount matches the order"
	case d.Source == webhook.SourceReturn && g.returnKind() == mfspay.ReturnExecute:
		return "on the customer's return the shop executed the payment at " + g.Title +
			", which reported it captured, and the amount matches the order"
	case d.Source == webhook.SourceReturn:
		return "on the customer's return " + g.Title + " reported it paid to the shop's own request, and the amount matches the order"
	case d.Confirmed:
		return g.authNote() + ", confirmed with VerifyPayment, amount matches the order"
	}
	return g.authNote() + ", amount matches the order (" + g.Title + " offers no API to confirm a payment)"
}

// sourceNote says what a status delivered as d rests on.
func (g gatewayInfo) sourceNote(d webhook.Delivery) string {
	switch d.Source {
	case webhook.SourceReconciliation:
		return "found by the shop's reconciler asking " + g.Title
	case webhook.SourceReturn:
		return "reported by " + g.Title + " on the customer's return"
	}
	return g.authNote()
}

// TrustNote explains on the order page what a paid order rests on.
func (g gatewayInfo) TrustNote() string {
	const amount = " Either way the amount must equal the order's to the poisha."
	switch {
	case g.returnKind() == mfspay.ReturnExecute:
		return g.Title + " debits nothing until the shop executes the payment, which it does when the customer comes back " +
			"from " + g.Title + "'s page. That return proves nothing by itself (anyone can type its URL): the shop first asks " +
			g.Title + " that the payment belongs to this order, then executes it, once however often the browser comes back, " +
			"and the order turns PAID only on " + g.Title + "'s answer. If the customer approves but never comes back, the " +
			"shop's reconciler executes the approved payment itself. " + g.Title + "'s notification, an AWS SNS message " +
			"whose signature is checked against a certificate fetched from the pinned SNS host, announces the money and adds " +
			"the wallet details, but never marks an order paid." + amount
	case g.returnKind() == mfspay.ReturnVerify:
		return g.Title + "'s notification (IPN) carries the shop's API key, compared in constant time, which proves who sent " +
			"it but not what it says: the shop asks " + g.Title + " about the payment (VerifyPayment) before believing it, and " +
			"does the same when the customer comes back from the payment page naming the payment. The order turns PAID on " +
			g.Title + "'s own answer, whichever of the two comes first, and once. " + g.Title + " names no payment until " +
			"then, so if both are lost the shop's reconciler cannot look for it: the order is listed for a human." + amount
	case g.canVerify():
		return "This order turns PAID only when " + g.Title + " itself says so: its notification must carry a valid " +
			"signature over its raw bytes and is then confirmed by asking " + g.Title + " about the payment " +
			"(VerifyPayment); when no notification arrives, the shop's reconciler asks " + g.Title + " on its own." +
			amount + " Coming back from the payment page proves nothing."
	}
	return g.Title + " offers no API to ask about a payment, so nothing can confirm its notification independently, " +
		"and the shop's reconciler cannot look for a lost one (an order left waiting is listed for a human on the shop's page). " +
		"This order turns PAID only when " + g.Title + "'s payment notification (IPN) arrives carrying the shared client " +
		"secret (compared in constant time) and its amount equals the order's to the poisha. Its separate wallet-transaction " +
		"notification adds the sender and transaction id but never marks an order paid. Coming back from the payment page proves nothing."
}
