package eazzpay_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
)

// Create a payment and send the customer to EazzPay's hosted page. The
// simulator stands in for EazzPay; in production leave BaseURL empty.
func ExampleNew() {
	sim := eazzpaytest.NewServer()
	defer sim.Close()

	gw, err := eazzpay.New(eazzpay.Config{
		BaseURL:      sim.BaseURL(),
		ClientSecret: sim.ClientSecret(),
	})
	if err != nil {
		log.Fatal(err)
	}
	co, err := gw.CreatePayment(context.Background(), mfspay.CreatePaymentRequest{
		InvoiceID:  "INV-1001",
		Amount:     mfspay.Poisha(125050), // 1250.50 taka
		Customer:   mfspay.Customer{Name: "Rahim Khan"},
		SuccessURL: "https://shop.example/paid",
		CancelURL:  "https://shop.example/cart",
		WebhookURL: "https://shop.example/webhooks/eazzpay",
	})
	switch {
	case errors.Is(err, mfspay.ErrOutcomeUnknown):
		// EazzPay cannot be asked whether the payment exists: do not create
		// it again blindly; wait for its IPN or check the dashboard.
		log.Fatal(err)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println(co.Status, strings.HasPrefix(co.RedirectURL, sim.URL+"/checkout/"))
	// Output: pending true
}

// Parse the webhook-listener notification from EazzPay's documentation.
// The eazzpay-client-secret header is checked before the body is read.
func ExampleFromSettings_webhookListener() {
	gw, err := eazzpay.FromSettings(map[string]string{
		"client_secret":    "esk_live_current",
		"accepted_secrets": "esk_live_previous", // still accepted during a key rotation
	}, mfspay.Resilience{})
	if err != nil {
		log.Fatal(err)
	}
	ev, err := gw.ParseWebhook(context.Background(), mfspay.WebhookRequest{
		Header: http.Header{"Eazzpay-Client-Secret": {"esk_live_previous"}},
		Body: []byte(`{"amount": "100.00", "payment_method": "BKASH", "sender_number": "01311111111", ` +
			`"transaction_id": "TRX12345", "reference": "ORDER123", "date_time": "2023-11-27 12:34:56"}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.Type, ev.Reference, ev.Payment.Amount, ev.Payment.Method, ev.Payment.PaidAt)
	// Output: transaction.received ORDER123 100.00 bkash 2023-11-27 06:34:56 +0000 UTC
}

// EazzPay documents no lookup, so the adapter declares verify and list
// unsupported instead of guessing an endpoint.
func ExampleNew_unsupported() {
	gw, err := eazzpay.New(eazzpay.Config{ClientSecret: "esk_live_current"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(gw.Capabilities().CanVerify())
	_, err = gw.VerifyPayment(context.Background(), mfspay.PaymentRef{InvoiceID: "INV-1001"})
	fmt.Println(errors.Is(err, mfspay.ErrUnsupported))
	// Output:
	// false
	// true
}
