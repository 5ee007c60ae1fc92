package plugins_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/plugins"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// A host opens a plugin binary with its settings and pinned checksum, and
// uses it as any other gateway.
func ExampleOpen() {
	ctx := context.Background()
	gw, err := plugins.Open(ctx, "/usr/libexec/mfspay/mfspay-plugin-wezopay", plugins.Config{
		Settings: map[string]string{
			"api_key":         os.Getenv("WEZOPAY_API_KEY"),
			"webhook_secrets": os.Getenv("WEZOPAY_WEBHOOK_SECRET"),
		},
		SHA256: "4a1f0c6e9d2b7a35c8e1f0d9b6a4c3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6",
		Logger: slog.Default(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer gw.Close()

	checkout, err := gw.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID:  "INV-1001",
		Amount:     mfspay.Taka(250),
		SuccessURL: "https://shop.example/paid",
		CancelURL:  "https://shop.example/cancelled",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("send the customer to", checkout.RedirectURL)
}

// A plugin's main hands its adapter's factory to Serve.
func ExampleServe() {
	plugins.Serve(plugins.ServeConfig{
		Name:    wezopay.ProviderName,
		Factory: wezopay.DriverFromSettings,
	})
}

// OpenInMemory runs a plugin in the host process over the plugin protocol:
// here the WezoPay adapter against its simulator.
func ExampleOpenInMemory() {
	ctx := context.Background()
	sim := wezopaytest.NewServer()
	defer sim.Close()
	settings, _ := sim.Settings(ctx)

	gw, err := plugins.OpenInMemory(ctx,
		plugins.ServeConfig{Name: wezopay.ProviderName, Factory: wezopay.DriverFromSettings},
		plugins.Config{Settings: settings.Values})
	if err != nil {
		log.Fatal(err)
	}
	defer gw.Close()

	checkout, err := gw.CreatePayment(ctx, mfspay.CreatePaymentRequest{
		InvoiceID:  "INV-2001",
		Amount:     mfspay.Poisha(25050),
		SuccessURL: "https://shop.example/paid",
		CancelURL:  "https://shop.example/cancelled",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(checkout.Provider, checkout.Status)

	_ = sim.Pay(ctx, checkout.PaymentID, simctl.Payer{Method: mfspay.MethodBKash})
	payment, err := gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-2001"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(payment.Status, payment.Amount, payment.Method)

	_, err = gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-unknown"})
	fmt.Println(errors.Is(err, mfspay.ErrNotFound))
	// Output:
	// wezopay pending
	// paid 250.50 bkash
	// true
}

// The conformance suite drives a plugin's own simulator: open the plugin
// without settings, learn them from the simulator, then configure.
func ExampleClient_Simulator() {
	ctx := context.Background()
	gw, err := plugins.Open(ctx, "./mfspay-plugin-acmepay", plugins.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer gw.Close()
	sim, err := gw.Simulator(ctx)
	if err != nil {
		log.Fatal(err) // mfspay.ErrUnsupported: the plugin ships no simulator
	}
	settings, err := sim.Settings(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := gw.Configure(ctx, settings.Values); err != nil {
		log.Fatal(err)
	}
}

// Discover finds plugins by their file names.
func ExampleDiscover() {
	dir, _ := os.MkdirTemp("", "plugins")
	defer os.RemoveAll(dir)
	for _, name := range []string{"mfspay-plugin-wezopay", "mfspay-plugin-acmepay", "README"} {
		_ = os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755)
	}
	found, err := plugins.Discover(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range found {
		fmt.Println(p.Name, filepath.Base(p.Path))
	}
	// Output:
	// acmepay mfspay-plugin-acmepay
	// wezopay mfspay-plugin-wezopay
}
