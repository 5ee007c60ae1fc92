// Package storebench holds the benchmarks every de-duplication store runs:
// events per second through the webhook handler, and the latency a
// reservation and its commit add, measured side by side with a bare round
// trip to the same server. redisstore and pgstore call it from their
// benchmarks, so the figures in BENCHMARKS.md are taken the same way.
package storebench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/webhook"
)

const secret = "whsec_storebench_1f2e"

// Handler serves signed WezoPay notifications, each about a new payment,
// through webhook.New with the real WezoPay adapter and store, from
// parallelism × GOMAXPROCS goroutines, and reports events per second. Each
// event costs the store a reservation and a commit.
func Handler(b *testing.B, store webhook.Store, parallelism int) {
	gw, err := wezopay.New(wezopay.Config{BaseURL: "http://127.0.0.1:9/api/v1", APIKey: "wpk_bench", WebhookSecrets: []string{secret}})
	if err != nil {
		b.Fatal(err)
	}
	h := webhook.New(func(context.Context, *mfspay.Event) error { return nil }, webhook.Route(gw), webhook.WithStore(store))
	run := strconv.FormatInt(time.Now().UnixNano(), 36) // new events on every run, on a store that persists
	var seq atomic.Int64
	var failed atomic.Int64
	b.SetParallelism(parallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			body := fmt.Appendf(nil, `{"event":"payment.completed","token":"pay_%s_%d","invoice_id":"INV-%d","status":"paid",`+
				`"amount":250.00,"trx_id":"8N2K3TEST12","paid_at":"2026-06-08T11:45:00Z"}`, run, n, n)
			r := httptest.NewRequest(http.MethodPost, "/webhooks/wezopay", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set(wezopay.SignatureHeader, kit.SignHMACSHA256(body, secret))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				failed.Add(1)
			}
		}
	})
	b.StopTimer()
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d of %d events were not answered 200", f, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// Paired times, for each of b.N new keys, a reservation followed by its
// commit on store, and bare, one plain write to the same server (SET NX, one
// INSERT), alternating which goes first. It reports the median and 99th
// percentile of each in µs, and their ratios: reserve+commit against one
// bare round trip, and against two (the least a claim taken before the work
// and settled after it can cost).
func Paired(b *testing.B, store webhook.Store, bare func(ctx context.Context, key string) error) {
	ctx := context.Background()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	pair := make([]time.Duration, 0, b.N)
	reserve := make([]time.Duration, 0, b.N)
	plain := make([]time.Duration, 0, b.N)
	storeOp := func(i int) {
		key := "bench/" + run + "/" + strconv.Itoa(i)
		t0 := time.Now()
		res, err := store.Reserve(ctx, key, time.Minute)
		t1 := time.Now()
		if err != nil || res.State != webhook.Acquired {
			b.Fatalf("reserve %s: %v %v", key, res.State, err)
		}
		if err := store.Commit(ctx, key, res.Token, time.Hour); err != nil {
			b.Fatalf("commit %s: %v", key, err)
		}
		pair = append(pair, time.Since(t0))
		reserve = append(reserve, t1.Sub(t0))
	}
	bareOp := func(i int) {
		t0 := time.Now()
		if err := bare(ctx, "bare/"+run+"/"+strconv.Itoa(i)); err != nil {
			b.Fatalf("bare round trip: %v", err)
		}
		plain = append(plain, time.Since(t0))
	}
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			storeOp(i)
			bareOp(i)
		} else {
			bareOp(i)
			storeOp(i)
		}
	}
	b.StopTimer()
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	p50, p99 := percentile(pair, 50), percentile(pair, 99)
	b50, b99 := percentile(plain, 50), percentile(plain, 99)
	b.ReportMetric(us(p50), "p50-reserve+commit-µs")
	b.ReportMetric(us(p99), "p99-reserve+commit-µs")
	b.ReportMetric(us(percentile(reserve, 50)), "p50-reserve-µs")
	b.ReportMetric(us(b50), "p50-bare-µs")
	b.ReportMetric(us(b99), "p99-bare-µs")
	b.ReportMetric(float64(p50)/float64(b50), "p50-ratio")
	b.ReportMetric(float64(p99)/float64(b99), "p99-ratio")
	b.ReportMetric(float64(p50)/float64(2*b50), "p50-ratio-to-2-bare")
	b.ReportMetric(0, "ns/op") // the time per op mixes both contenders; the metrics above separate them
}

// percentile returns the p-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}
