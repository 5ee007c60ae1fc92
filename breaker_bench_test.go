package mfspay_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
)

// BenchmarkBreakerOpen measures failing fast through an open breaker: it must
// cost next to nothing and allocate nothing, because an outage is exactly
// when checkout traffic piles up.
func BenchmarkBreakerOpen(b *testing.B) {
	open := func(b *testing.B) (*fakeDriver, mfspay.Gateway) {
		f := newFakeDriver()
		g := mfspay.NewGateway(f, mfspay.Resilience{Breaker: mfspay.BreakerSettings{FailureThreshold: 1, OpenTimeout: time.Hour}})
		f.fail(providerErr(mfspay.ErrUnavailable))
		_, _ = g.VerifyPayment(context.Background(), mfspay.PaymentRef{InvoiceID: "INV-1"})
		if s, _ := mfspay.BreakerStateOf(g); s != mfspay.BreakerOpen {
			b.Fatalf("breaker is %v, want open", s)
		}
		return f, g
	}
	b.Run("VerifyPayment", func(b *testing.B) {
		f, g := open(b)
		ctx, ref := context.Background(), mfspay.PaymentRef{InvoiceID: "INV-1"}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := g.VerifyPayment(ctx, ref); !errors.Is(err, mfspay.ErrCircuitOpen) {
				b.Fatal(err)
			}
		}
		if f.verifies.Load() != 1 {
			b.Fatalf("the provider saw %d calls through an open breaker", f.verifies.Load()-1)
		}
	})
	b.Run("CreatePayment", func(b *testing.B) {
		f, g := open(b)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := g.CreatePayment(ctx, validCreate); !errors.Is(err, mfspay.ErrCircuitOpen) {
				b.Fatal(err)
			}
		}
		if f.creates.Load() != 0 {
			b.Fatal("the provider saw calls through an open breaker")
		}
	})
}
