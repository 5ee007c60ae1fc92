package plugins

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	pb "github.com/mfspay/mfspay/plugins/proto"
	"github.com/mfspay/mfspay/providers/wezopay"
)

// benchSeq numbers the invoices of every benchmark in this process, so that
// each create is a new payment even when gateways share a simulator.
var benchSeq atomic.Int64

var benchRun = strconv.FormatInt(time.Now().UnixNano(), 36)

func benchCreate(invoice string) mfspay.CreatePaymentRequest {
	return mfspay.CreatePaymentRequest{
		InvoiceID:  invoice,
		Amount:     mfspay.Taka(250),
		Customer:   mfspay.Customer{Name: "Rahim Khan", Phone: "01712345678"},
		SuccessURL: "https://shop.example/ok",
		CancelURL:  "https://shop.example/cancel",
	}
}

// createVerify creates a new payment and verifies it, appending each
// call's latency to lat.
func createVerify(ctx context.Context, gw mfspay.Gateway, lat *[]time.Duration) error {
	invoice := "BENCH-" + benchRun + "-" + strconv.FormatInt(benchSeq.Add(1), 10)
	t0 := time.Now()
	co, err := gw.CreatePayment(ctx, benchCreate(invoice))
	t1 := time.Now()
	if err != nil {
		return err
	}
	p, err := gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: invoice})
	t2 := time.Now()
	if err != nil {
		return err
	}
	if p.PaymentID != co.PaymentID {
		return fmt.Errorf("verified %s, created %s", p.PaymentID, co.PaymentID)
	}
	*lat = append(*lat, t1.Sub(t0), t2.Sub(t1))
	return nil
}

// percentile returns the q-quantile of sorted latencies.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// reportLatencies reports the median and 99th percentile of per-call
// latencies, in microseconds.
func reportLatencies(b *testing.B, prefix string, lat []time.Duration) (p50 time.Duration) {
	slices.Sort(lat)
	p50 = percentile(lat, 0.50)
	b.ReportMetric(micros(p50), prefix+"p50-µs")
	b.ReportMetric(micros(percentile(lat, 0.99)), prefix+"p99-µs")
	return p50
}

// runCalls makes b.N create+verify pairs through gw from callers
// goroutines and reports calls per second and per-call latencies.
func runCalls(b *testing.B, gw mfspay.Gateway, callers int) {
	ctx := context.Background()
	var next atomic.Int64
	lats := make([][]time.Duration, callers)
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if err := createVerify(ctx, gw, &lats[g]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "calls/s")
	reportLatencies(b, "", slices.Concat(lats...))
}

// separateSimulator starts a WezoPay simulator in a process of its own (a
// plugin process, through its Simulator service) and returns the adapter
// settings for it. A real provider is never in the host's process: with the
// simulator in the benchmark's own process the in-process adapter would
// reach it without leaving the process while the plugin would not, which
// would charge the plugin for the provider's distance.
func separateSimulator(b *testing.B) map[string]string {
	ctx := context.Background()
	host, err := Open(ctx, binary(b, "mfspay-plugin-wezopay"), Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { host.Close() })
	sim, err := host.Simulator(ctx)
	if err != nil {
		b.Fatal(err)
	}
	s, err := sim.Settings(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return s.Values
}

// BenchmarkPluginCalls makes WezoPay calls (a create and a verify per op)
// through the mfspay-plugin-wezopay subprocess, through the same plugin
// served in memory, and through the adapter in process, all at their
// default resilience, against one simulator in a separate process, with 1
// and 8 concurrent callers. Added pairs in-process and subprocess calls in
// one loop and reports what the plugin adds to a call at the median;
// Describe is a bare round trip of the plugin protocol, the floor under
// every call.
func BenchmarkPluginCalls(b *testing.B) {
	ctx := context.Background()
	settings := separateSimulator(b)
	inProcess, err := wezopay.FromSettings(settings, mfspay.Resilience{})
	if err != nil {
		b.Fatal(err)
	}
	plugin, err := Open(ctx, binary(b, "mfspay-plugin-wezopay"), Config{Settings: settings})
	if err != nil {
		b.Fatal(err)
	}
	defer plugin.Close()
	// The same protocol in memory: what gRPC and the conversions cost
	// without the process boundary.
	inMemory, err := OpenInMemory(ctx, ServeConfig{Name: wezopay.ProviderName, Factory: wezopay.DriverFromSettings}, Config{Settings: settings})
	if err != nil {
		b.Fatal(err)
	}
	defer inMemory.Close()
	// Warm them all: connections to the simulator, the plugins' gRPC streams.
	var warm []time.Duration
	for _, gw := range []mfspay.Gateway{inProcess, inMemory, plugin} {
		if err := createVerify(ctx, gw, &warm); err != nil {
			b.Fatal(err)
		}
	}

	for _, callers := range []int{1, 8} {
		for _, g := range []struct {
			name string
			gw   mfspay.Gateway
		}{{"InProcess", inProcess}, {"InMemoryPlugin", inMemory}, {"Plugin", plugin}} {
			b.Run(fmt.Sprintf("%s/callers=%d", g.name, callers), func(b *testing.B) { runCalls(b, g.gw, callers) })
		}
	}

	b.Run("Added", func(b *testing.B) {
		var direct, remote []time.Duration
		b.ResetTimer()
		for i := range b.N {
			// Alternate which goes first, so neither always follows the other.
			first, second := &direct, &remote
			gw1, gw2 := inProcess, mfspay.Gateway(plugin)
			if i%2 == 1 {
				first, second, gw1, gw2 = second, first, gw2, gw1
			}
			if err := createVerify(ctx, gw1, first); err != nil {
				b.Fatal(err)
			}
			if err := createVerify(ctx, gw2, second); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		p50Direct := reportLatencies(b, "inprocess-", direct)
		p50Remote := reportLatencies(b, "plugin-", remote)
		b.ReportMetric(micros(p50Remote-p50Direct), "added-p50-µs")
	})

	b.Run("PerCall", func(b *testing.B) { perCallVsBareRPC(b, plugin) })

	for _, c := range []struct {
		name   string
		client *Client
	}{{"InMemoryPlugin", inMemory}, {"Plugin", plugin}} {
		b.Run("Describe/"+c.name, func(b *testing.B) {
			gw := c.client.inst.gw
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				if _, err := gw.Describe(ctx, &pb.DescribeRequest{}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			reportLatencies(b, "", lat)
		})
	}
}

// BenchmarkPluginColdStart measures plugins.Open on the built WezoPay
// plugin up to its first successful call (a verify), the time a host waits
// for a plugin at start-up or after a crash. Close is not timed.
func BenchmarkPluginColdStart(b *testing.B) {
	ctx := context.Background()
	path := binary(b, "mfspay-plugin-wezopay")
	settings := separateSimulator(b)
	gw, err := wezopay.FromSettings(settings, mfspay.Resilience{})
	if err != nil {
		b.Fatal(err)
	}
	co, err := gw.CreatePayment(ctx, benchCreate("BENCH-COLD-"+benchRun))
	if err != nil {
		b.Fatal(err)
	}
	ref := mfspay.PaymentRef{InvoiceID: co.InvoiceID}

	starts := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		c, err := Open(ctx, path, Config{Settings: settings})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.VerifyPayment(ctx, ref); err != nil {
			b.Fatal(err)
		}
		starts = append(starts, time.Since(t0))
		b.StopTimer()
		c.Close()
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(starts)
	var total time.Duration
	for _, d := range starts {
		total += d
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(total)/float64(len(starts)), "ms/op")
	b.ReportMetric(ms(percentile(starts, 0.5)), "p50-ms")
}

// perCallVsBareRPC pairs, in one loop, a create and a verify through the
// plugin's Gateway (portable layer, breaker, conversions, the RPC) with the
// same two RPCs sent bare on the plugin's own gRPC connection, request
// messages built ahead and answers unread. Both reach the same plugin
// process and make it do the same work, so the ratio is what the host side
// of a plugin call costs over the wire protocol alone.
func perCallVsBareRPC(b *testing.B, plugin *Client) {
	ctx := context.Background()
	rpc := plugin.inst.gw
	var viaGateway, bare []time.Duration
	gatewayPair := func() {
		if err := createVerify(ctx, plugin, &viaGateway); err != nil {
			b.Fatal(err)
		}
	}
	barePair := func() {
		invoice := "BENCH-" + benchRun + "-" + strconv.FormatInt(benchSeq.Add(1), 10)
		create := toPBCreate(benchCreate(invoice))
		verify := &pb.VerifyPaymentRequest{Ref: &pb.PaymentRef{InvoiceId: invoice}}
		t0 := time.Now()
		if _, err := rpc.CreatePayment(ctx, create); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := rpc.VerifyPayment(ctx, verify); err != nil {
			b.Fatal(err)
		}
		bare = append(bare, t1.Sub(t0), time.Since(t1))
	}
	b.ResetTimer()
	for i := range b.N {
		// Alternate which goes first, so neither always follows the other.
		if i%2 == 0 {
			gatewayPair()
			barePair()
		} else {
			barePair()
			gatewayPair()
		}
	}
	b.StopTimer()
	var sumGateway, sumBare time.Duration
	for i := range viaGateway {
		sumGateway += viaGateway[i]
		sumBare += bare[i]
	}
	p50Gateway := reportLatencies(b, "gateway-", viaGateway)
	p50Bare := reportLatencies(b, "bare-", bare)
	b.ReportMetric(float64(p50Gateway)/float64(p50Bare), "p50-ratio")
	b.ReportMetric(float64(sumGateway)/float64(sumBare), "mean-ratio")
}
