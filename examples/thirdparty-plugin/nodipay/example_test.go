package nodipay_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay"
	"github.com/mfspay/mfspay/examples/thirdparty-plugin/nodipay/nodipaytest"
	"github.com/mfspay/mfspay/webhook"
)

// Example takes a payment end to end against the simulator: create it,
// let the customer pay, receive NodiPay's signed webhook through mfspay's
// webhook handler (which authenticates, de-duplicates and confirms it with
// VerifyPayment), and read the final state.
func Example() {
	ctx := context.Background()
	sim := nodipaytest.NewServer()
	defer sim.Close()
	st, _ := sim.Settings(ctx)
	gw, err := nodipay.FromSettings(st.Values, mfspay.Resilience{})
	if err != nil {
		panic(err)
	}

	delivered := make(chan *mfspay.Event, 1)
	hooks := httptest.NewServer(webhook.New(func(_ context.Context, e *mfspay.Event) error {
		delivered <- e
		return nil
	}, webhook.Route(gw), webhook.Confirm()).For(nodipay.ProviderName))
	defer hooks.Close()

	co, err := gw.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID:  "INV-1001",
		Amount:     mfspay.Taka(250),
		SuccessURL: "https://shop.example/paid",
		CancelURL:  "https://shop.example/cancelled",
		WebhookURL: hooks.URL,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("checkout:", co.Status)

	// The customer pays on co.RedirectURL; the simulator plays them here.
	_ = sim.Pay(ctx, co.PaymentID, simctl.Payer{Method: mfspay.MethodBKash, Sender: "01712345678", TrxID: "BK7Q2X"})

	e := <-delivered
	fmt.Println("webhook:", e.Type, e.Payment.InvoiceID, e.Payment.Amount, e.Payment.TrxID)

	p, _ := gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1001"})
	fmt.Println("verified:", p.Status, p.Method)
	// Output:
	// checkout: pending
	// webhook: payment.completed INV-1001 250.00 BK7Q2X
	// verified: paid bkash
}
