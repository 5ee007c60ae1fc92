package ledger_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

var (
	benchOpen = flag.Int("ledger.open", 10000, "open payments BenchmarkSweep reconciles")
	benchRate = flag.Int("ledger.rate", 2000, "the simulator's limit in BenchmarkSweep: calls a second per API key")
)

// count429 counts the 429 answers crossing it.
type count429 struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *count429) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		c.n.Add(1)
	}
	return resp, err
}

// BenchmarkSweep reconciles -ledger.open open WezoPay payments (one in ten
// paid, notifications lost) against a simulator that answers 429 beyond
// -ledger.rate calls a second. One op is one sweep of all of them, on the
// wall clock, with 8 workers. Sub-benchmarks: verifying each entry with
// the reconciler limited to the simulator's rate or to twice it, and
// walking the list pages (in one batch, and in batches of 1000). Reported: verifies/s (answered verifies a
// second), entries/s (entries settled a second), the list pages and the
// 429s met per sweep.
func BenchmarkSweep(b *testing.B) {
	n, perSecond := *benchOpen, *benchRate
	ctx := context.Background()
	keys := []string{"wpk_test_sweeper"}
	for i := range 8 {
		keys = append(keys, fmt.Sprintf("wpk_test_creator%d", i))
	}
	sim := wezopaytest.NewServer(wezopaytest.WithAPIKeys(keys...), wezopaytest.WithRateLimit(perSecond, time.Second))
	b.Cleanup(sim.Close)
	settings, err := sim.Settings(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// The sweeper makes one attempt per call, so that every 429 reaches the
	// reconciler; the creators setting the payments up retry (a 429 is
	// safe to retry, even for a create), so that a low -ledger.rate only
	// slows the set-up down.
	gateway := func(key string, rt http.RoundTripper, attempts int) mfspay.Gateway {
		values := map[string]string{}
		for k, v := range settings.Values {
			values[k] = v
		}
		values["api_key"] = key
		gw, err := wezopay.FromSettings(values, mfspay.Resilience{Retry: mfspay.RetryPolicy{MaxAttempts: attempts}, Transport: rt})
		if err != nil {
			b.Fatal(err)
		}
		return gw
	}

	// The payments, made once: each creator key stays within its limit.
	checkouts := make([]*mfspay.Checkout, n)
	var wg sync.WaitGroup
	for w := range 8 {
		gw := gateway(keys[1+w], nil, 10)
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				co, err := gw.CreatePayment(ctx, request(fmt.Sprintf("bench-%05d", i)))
				if err != nil {
					b.Error(err)
					return
				}
				checkouts[i] = co
				if i%10 == 0 {
					if err := sim.Pay(ctx, co.PaymentID, simctl.Payer{}); err != nil {
						b.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		return
	}

	for _, tt := range []struct {
		name      string
		rate      int // the reconciler's limit, calls a second
		threshold int
		batch     int
	}{
		{"verify/at-limit", perSecond, -1, 0},
		{"verify/twice-limit", 2 * perSecond, -1, 0},
		// The walk is decided per claimed batch: one batch of everything
		// walks the list once; batches of 1000 (the default), claimed oldest
		// invoice first, mostly miss it and fall back to verifies.
		{"list/one-batch", perSecond, 0, n},
		{"list/batch-1000", perSecond, 0, 0},
	} {
		b.Run(tt.name, func(b *testing.B) {
			counter := &count429{next: http.DefaultTransport}
			sweeper := gateway(keys[0], counter, 1)
			var verified, pages, refused, entries int
			var took time.Duration
			b.StopTimer()
			for range b.N {
				store := ledger.NewMemoryStore()
				now := time.Now()
				for _, co := range checkouts {
					if _, err := store.Begin(ctx, ledger.Intent{Provider: co.Provider, InvoiceID: co.InvoiceID,
						Amount: mfspay.Taka(250), At: now, NextCheck: now}); err != nil {
						b.Fatal(err)
					}
					if _, err := store.Answer(ctx, co.Provider, co.InvoiceID, ledger.Answer{Outcome: ledger.OutcomeCreated,
						Checkout: co, At: now, NextCheck: now}); err != nil {
						b.Fatal(err)
					}
				}
				r, err := ledger.NewReconciler(ledger.Config{
					Store: store, Gateways: []mfspay.Gateway{sweeper}, Deliverer: newOnceDeliverer(),
					Workers: 8, ListThreshold: tt.threshold, Batch: tt.batch,
					DefaultLimit: ledger.RateLimit{Interval: time.Second / time.Duration(tt.rate), Burst: max(tt.rate/100, 1)},
				})
				if err != nil {
					b.Fatal(err)
				}
				time.Sleep(time.Second) // the simulator's bucket refills between sweeps
				before := counter.n.Load()
				b.StartTimer()
				rep, err := r.Sweep(ctx)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				if rep.Claimed != n || rep.Delivered != (n+9)/10 {
					b.Fatalf("sweep claimed %d and delivered %d, want %d and %d", rep.Claimed, rep.Delivered, n, (n+9)/10)
				}
				verified += rep.Verifies - rep.RateLimited
				pages += rep.ListPages
				refused += int(counter.n.Load() - before)
				entries += rep.Claimed
				took += rep.Duration
			}
			b.ReportMetric(float64(verified)/took.Seconds(), "verifies/s")
			b.ReportMetric(float64(entries)/took.Seconds(), "entries/s")
			b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
			b.ReportMetric(float64(refused)/float64(b.N), "429s/op")
		})
	}
}
