package mfspay_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mfspay/mfspay"
)

// downGateway is a provider in the middle of an outage.
type downGateway struct{ mfspay.Gateway }

func (downGateway) Provider() string                  { return "downpay" }
func (downGateway) Capabilities() mfspay.Capabilities { return mfspay.Capabilities{} }

func (downGateway) CreatePayment(context.Context, mfspay.CreatePaymentRequest) (*mfspay.Checkout, error) {
	fmt.Println("  (request sent)")
	return nil, &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: "downpay", Op: "create", HTTPStatus: 503}
}

func ExampleWithBreaker() {
	g := mfspay.WithBreaker(downGateway{}, mfspay.BreakerSettings{
		FailureThreshold: 2,
		OpenTimeout:      time.Minute,
		OnStateChange: func(provider string, from, to mfspay.BreakerState) {
			fmt.Printf("  %s breaker: %s -> %s\n", provider, from, to)
		},
	})
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
