package mfspay_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mfspay/mfspay"
)

// downDriver is a provider in the middle of an outage. It offers create
// only, so the other operations are never called.
type downDriver struct{ mfspay.Driver }

func (downDriver) Provider() string                  { return "downpay" }
func (downDriver) Capabilities() mfspay.Capabilities { return mfspay.Capabilities{} }

func (downDriver) Create(context.Context, mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	fmt.Println("  (request sent)")
	return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, HTTPStatus: 503}
}

// The portable layer puts a circuit breaker around every driver: after the
// threshold of failures, calls fail at once and nothing reaches the
// provider.
func ExampleNewGateway_breaker() {
	g := mfspay.NewGateway(downDriver{}, mfspay.Resilience{Breaker: mfspay.BreakerSettings{
		FailureThreshold: 2,
		OpenTimeout:      time.Minute,
		OnStateChange: func(provider string, from, to mfspay.BreakerState) {
			fmt.Printf("  %s breaker: %s -> %s\n", provider, from, to)
		},
	}})
	req := mfspay.CreatePaymentRequest{
		InvoiceID: "INV-001", Amount: mfspay.Taka(250),
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/cancel",
	}
	for i := 1; i <= 3; i++ {
		fmt.Println("checkout", i)
		_, err := g.CreatePayment(context.Background(), req)
		fmt.Println("  circuit open:", errors.Is(err, mfspay.ErrCircuitOpen))
	}
	state, _ := mfspay.BreakerStateOf(g)
	fmt.Println("state:", state)
	// Output:
	// checkout 1
	//   (request sent)
	//   circuit open: false
	// checkout 2
	//   (request sent)
	//   downpay breaker: closed -> open
	//   circuit open: false
	// checkout 3
	//   circuit open: true
	// state: open
}
