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
}

func newGatewayInfo(p providerSetup, gw mfspay.Gateway, via string) gatewayInfo {
	return gatewayInfo{Name: p.Name, Title: p.Title, GW: gw, Real: p.Real, DashboardURL: p.DashboardURL, Via: via}
}

// canVerify reports whether the provider can be asked about a payment, so
// that the webhook handler confirms every notification with it.
func (g gatewayInfo) canVerify() bool { return g.GW.Capabilities().CanVerify() }

// authNote says how the gateway's notifications are authenticated.
func (g gatewayInfo) authNote() string {
	switch g.GW.Capabilities().Webhook {
	case mfspay.WebhookHMACSHA256:
		return "HMAC-SHA256 signature verified"
	case mfspay.WebhookSharedSecret:
		return "shared client secret verified"
	}
	return "authenticated by the adapter"
}

// paidBecause says what a completed payment delivered as d was accepted
// on.
func (g gatewayInfo) paidBecause(d webhook.Delivery) string {
	switch {
	case d.Source == webhook.SourceReconciliation:
		return "no notification had been accepted; the shop's reconciler asked " + g.Title +
			" (VerifyPayment), which reported it paid, and the amount matches the order"
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
	if g.canVerify() {
		return "This order turns PAID only when " + g.Title + " itself says so: its notification must carry a valid " +
			"signature over its raw bytes and is then confirmed by asking " + g.Title + " about the payment " +
			"(VerifyPayment); when no notification arrives, the shop's reconciler asks " + g.Title + " on its own. " +
			"Either way the amount must equal the order's to the poisha. Coming back from the payment page proves nothing."
	}
	return g.Title + " offers no API to ask about a payment, so nothing can confirm its notification independently, " +
		"and the shop's reconciler cannot look for a lost one (an order left waiting is listed for a human on the shop's page). " +
		"This order turns PAID only when " + g.Title + "'s payment notification (IPN) arrives carrying the shared client " +
		"secret (compared in constant time) and its amount equals the order's to the poisha. Its separate wallet-transaction " +
		"notification adds the sender and transaction id but never marks an order paid. Coming back from the payment page proves nothing."
}
