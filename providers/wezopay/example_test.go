package wezopay_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// Create a payment against the simulator, let the customer pay, and verify.
func Example() {
	ctx := context.Background()
	srv := wezopaytest.NewServer()
	defer srv.Close()

	gw, err := wezopay.New(wezopay.Config{
		BaseURL:        srv.BaseURL(), // leave empty for https://wezopay.com/api/v1
		APIKey:         srv.APIKey(),
		WebhookSecrets: []string{srv.WebhookSecret()},
	})
	if err != nil {
		panic(err)
	}

	co, err := gw.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID:  "INV-001",
		Amount:     mfspay.Taka(250),
		Customer:   mfspay.Customer{Name: "Rahim Khan", Phone: "01712345678"},
		SuccessURL: "https://shop.example/success",
		CancelURL:  "https://shop.example/cancel",
		WebhookURL: "https://shop.example/webhooks/wezopay",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(co.Status, strings.HasPrefix(co.RedirectURL, srv.URL+"/p/pay_"))

	// The customer pays on the hosted page at co.RedirectURL.
	srv.Pay(ctx, co.PaymentID, simctl.Payer{Method: mfspay.MethodNagad, Sender: "01812345678", TrxID: "8N2K3TEST12"})

	p, err := gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-001"})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Status, p.Amount, p.Method, p.TrxID)
	// Output:
	// pending true
	// paid 250.00 nagad 8N2K3TEST12
}

// Authenticate and read a webhook exactly as it arrived.
func Example_parseWebhook() {
	const secret = "whsec_example"
	gw, err := wezopay.New(wezopay.Config{APIKey: "wpk_example", WebhookSecrets: []string{secret}})
	if err != nil {
		panic(err)
	}

	// What WezoPay POSTs: the raw body and its signature header.
	body := []byte(`{"event":"payment.completed","token":"pay_abc123xyz","invoice_id":"INV-001","status":"paid","amount":250.00,"trx_id":"8N2K3TEST12","paid_at":"2026-06-08T11:45:00Z"}`)
	header := http.Header{}
	header.Set(wezopay.SignatureHeader, kit.SignHMACSHA256(body, secret))

	ev, err := gw.ParseWebhook(context.Background(), mfspay.WebhookRequest{Header: header, Body: body})
	if err != nil {
		panic(err)
	}
	fmt.Println(ev.ID)
	fmt.Println(ev.Type, ev.Payment.InvoiceID, ev.Payment.Amount, ev.Payment.Status)

	// A forged or altered body fails authentication before it is read.
	forged := []byte(strings.Replace(string(body), "250.00", "2500.00", 1))
	_, err = gw.ParseWebhook(context.Background(), mfspay.WebhookRequest{Header: header, Body: forged})
	fmt.Println(err)
	// Output:
	// wezopay:pay_abc123xyz:payment.completed
	// payment.completed INV-001 250.00 paid
	// wezopay webhook: invalid signature: the signature does not match the body
}

// Build the gateway from string settings, as plugins and the conformance
// suite do.
func ExampleFromSettings() {
	srv := wezopaytest.NewServer()
	defer srv.Close()

	gw, err := wezopay.FromSettings(map[string]string{
		"base_url":        srv.BaseURL(),
		"api_key":         srv.APIKey(),
		"webhook_secrets": "whsec_current, whsec_previous",
	}, mfspay.Resilience{})
	if err != nil {
		panic(err)
	}
	fmt.Println(gw.Provider(), gw.Capabilities().MaxPerPage)
	// Output: wezopay 100
}
