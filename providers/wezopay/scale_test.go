package wezopay_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// TestThousandConcurrentCreates releases 1,000 creates at once through one
// gateway (its default transport and breaker) against the simulator: every
// one succeeds, each makes exactly one payment, and no create is sent twice.
func TestThousandConcurrentCreates(t *testing.T) {
	const n = 1000
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim := wezopaytest.NewServer()
	defer sim.Close()
	// Short backoffs keep the test fast should a dial be refused under the
	// burst; such a create never reached the provider and is sent again.
	gw, err := wezopay.New(wezopay.Config{BaseURL: sim.BaseURL(), APIKey: sim.APIKey(), Resilience: mfspay.Resilience{
		Retry: mfspay.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond},
	}})
	require.NoError(t, err)

	start := make(chan struct{})
	checkouts := make([]*mfspay.Checkout, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			checkouts[i], errs[i] = gw.CreatePayment(ctx, mfspay.CreatePaymentRequest{
				InvoiceID:  fmt.Sprintf("SCALE-%04d", i),
				Amount:     mfspay.Amount(10000 + i),
				Customer:   mfspay.Customer{Name: "Rahim Khan", Phone: "01712345678"},
				SuccessURL: "https://shop.example/ok",
				CancelURL:  "https://shop.example/cancel",
			})
		}()
	}
	close(start)
	wg.Wait()

	tokens := map[string]bool{}
	for i := range n {
		require.NoError(t, errs[i], "create %d", i)
		co := checkouts[i]
		assert.Equal(t, fmt.Sprintf("SCALE-%04d", i), co.InvoiceID)
		assert.False(t, tokens[co.PaymentID], "token %s handed out twice", co.PaymentID)
		tokens[co.PaymentID] = true
		p, ok := sim.Payment(co.PaymentID)
		require.True(t, ok, "payment %s is unknown to the provider", co.PaymentID)
		assert.Equal(t, mfspay.Amount(10000+i), p.Amount)
		count, err := sim.PaymentCount(ctx, co.InvoiceID)
		require.NoError(t, err)
		assert.Equal(t, 1, count, "invoice %s", co.InvoiceID)
	}
	creates := 0
	for _, r := range sim.Requests() {
		if r.Method == http.MethodPost {
			creates++
		}
	}
	assert.Equal(t, n, creates, "every create reached the provider exactly once")
	state, _ := mfspay.BreakerStateOf(gw)
	assert.Equal(t, mfspay.BreakerClosed, state)
}
