package wezopay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// benchInvoices returns n invoice ids no other run of this process uses, so
// that every create is a new payment.
func benchInvoices(n int) []string {
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "BENCH-" + run + "-" + strconv.Itoa(i)
	}
	return ids
}

// BenchmarkCreateVerifyPaired creates a payment and verifies it by invoice,
// through the adapter and through a bare net/http + encoding/json client
// doing the same two calls, alternately in one loop against one loopback
// simulator, and reports the ratio of their times: on a shared machine
// whose load drifts, pairing the two is what keeps the ratio honest. An op
// is one pair through each. The adapter is wezopay.New with the zero
// Resilience: the portable layer (validation, answer checks, breaker),
// payment-safe retries and create reconciliation all on.
func BenchmarkCreateVerifyPaired(b *testing.B) {
	sim := wezopaytest.NewServer()
	defer sim.Close()
	gw, err := wezopay.New(wezopay.Config{BaseURL: sim.BaseURL(), APIKey: sim.APIKey()})
	if err != nil {
		b.Fatal(err)
	}
	c := newBaselineClient(sim.BaseURL(), sim.APIKey())
	ctx := context.Background()
	adapter := func(invoice string) {
		if _, err := gw.CreatePayment(ctx, mfspay.CreatePaymentRequest{
			InvoiceID:  invoice,
			Amount:     mfspay.Taka(250),
			Customer:   mfspay.Customer{Name: "Rahim Khan", Phone: "01712345678"},
			SuccessURL: "https://shop.example/ok",
			CancelURL:  "https://shop.example/cancel",
		}); err != nil {
			b.Fatal(err)
		}
		if _, err := gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: invoice}); err != nil {
			b.Fatal(err)
		}
	}
	baseline := func(invoice string) {
		if _, err := c.create(ctx, invoice); err != nil {
			b.Fatal(err)
		}
		if _, err := c.verify(ctx, invoice); err != nil {
			b.Fatal(err)
		}
	}
	// Warm both connection pools so neither pays for a dial in the loop.
	warm := benchInvoices(2)
	adapter(warm[0] + "-A")
	baseline(warm[1] + "-B")

	invoices := benchInvoices(b.N)
	var tAdapter, tBaseline time.Duration
	b.ResetTimer()
	for i := range b.N {
		// Alternate which goes first, so neither always follows the other.
		first, second := adapter, baseline
		if i%2 == 1 {
			first, second = baseline, adapter
		}
		t0 := time.Now()
		first(invoices[i] + "-1")
		t1 := time.Now()
		second(invoices[i] + "-2")
		t2 := time.Now()
		if i%2 == 0 {
			tAdapter, tBaseline = tAdapter+t1.Sub(t0), tBaseline+t2.Sub(t1)
		} else {
			tBaseline, tAdapter = tBaseline+t1.Sub(t0), tAdapter+t2.Sub(t1)
		}
	}
	b.ReportMetric(float64(tAdapter.Nanoseconds())/float64(b.N), "adapter-ns/pair")
	b.ReportMetric(float64(tBaseline.Nanoseconds())/float64(b.N), "baseline-ns/pair")
	b.ReportMetric(float64(tAdapter)/float64(tBaseline), "ratio")
}

// baselineClient is a minimal WezoPay client: no validation, no retries,
// no breaker, no error mapping.
type baselineClient struct {
	http *http.Client
	base string
	key  string
}

func newBaselineClient(base, key string) *baselineClient {
	// The adapter's default transport: http.DefaultTransport's settings,
	// 64 idle connections per host.
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &baselineClient{http: &http.Client{Transport: t, Timeout: 15 * time.Second}, base: base, key: key}
}

type baselineCreate struct {
	Amount        json.Number `json:"amount"`
	Currency      string      `json:"currency"`
	InvoiceID     string      `json:"invoice_id"`
	CustomerName  string      `json:"customer_name"`
	CustomerPhone string      `json:"customer_phone"`
	SuccessURL    string      `json:"success_url"`
	CancelURL     string      `json:"cancel_url"`
}

type baselinePayment struct {
	Token     string      `json:"token"`
	InvoiceID string      `json:"invoice_id"`
	Status    string      `json:"status"`
	Amount    json.Number `json:"amount"`
	TrxID     *string     `json:"trx_id"`
	PaidAt    *string     `json:"paid_at"`
}

func (c *baselineClient) create(ctx context.Context, invoice string) (string, error) {
	body, err := json.Marshal(baselineCreate{
		Amount: "250.00", Currency: "BDT", InvoiceID: invoice,
		CustomerName: "Rahim Khan", CustomerPhone: "01712345678",
		SuccessURL: "https://shop.example/ok", CancelURL: "https://shop.example/cancel",
	})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/payments/create", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	var out struct {
		Success bool `json:"success"`
		Data    struct {
			Token      string `json:"token"`
			PaymentURL string `json:"payment_url"`
			ExpiresAt  string `json:"expires_at"`
		} `json:"data"`
	}
	if err := c.do(req, http.StatusCreated, &out); err != nil {
		return "", err
	}
	return out.Data.Token, nil
}

func (c *baselineClient) verify(ctx context.Context, invoice string) (*baselinePayment, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		c.base+"/payments/verify?invoice_id="+url.QueryEscape(invoice), nil)
	if err != nil {
		return nil, err
	}
	var out struct {
		Success bool            `json:"success"`
		Data    baselinePayment `json:"data"`
	}
	if err := c.do(req, http.StatusOK, &out); err != nil {
		return nil, err
	}
	return &out.Data, nil
}

func (c *baselineClient) do(req *http.Request, want int, out any) error {
	req.Header.Set("X-API-Key", c.key)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body) // drain, so the connection is reused
	if resp.StatusCode != want {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// BenchmarkBreakerOpenWezoPay fails fast through the breaker of a real
// WezoPay gateway opened by a provider outage: no request may reach the
// simulator, and failing must not allocate. The root package's
// BenchmarkBreakerOpen measures the same around a fake gateway.
func BenchmarkBreakerOpenWezoPay(b *testing.B) {
	ctx := context.Background()
	sim := wezopaytest.NewServer()
	defer sim.Close()
	gw, err := wezopay.New(wezopay.Config{BaseURL: sim.BaseURL(), APIKey: sim.APIKey(), Resilience: mfspay.Resilience{
		Retry:   mfspay.RetryPolicy{MaxAttempts: 1},
		Breaker: mfspay.BreakerSettings{FailureThreshold: 1, OpenTimeout: time.Hour},
	}})
	if err != nil {
		b.Fatal(err)
	}
	if err := sim.Fail(ctx, simctl.Fault{Status: http.StatusServiceUnavailable}); err != nil {
		b.Fatal(err)
	}
	if _, err := gw.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"}); !errors.Is(err, mfspay.ErrUnavailable) {
		b.Fatalf("the outage answered %v", err)
	}
	if s, _ := mfspay.BreakerStateOf(gw); s != mfspay.BreakerOpen {
		b.Fatalf("breaker is %v, want open", s)
	}
	seen, _ := sim.RequestCount(ctx)

	b.Run("VerifyPayment", func(b *testing.B) {
		ref := mfspay.PaymentRef{InvoiceID: "INV-1"}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gw.VerifyPayment(ctx, ref); !errors.Is(err, mfspay.ErrCircuitOpen) {
				b.Fatal(err)
			}
		}
	})
	b.Run("CreatePayment", func(b *testing.B) {
		req := mfspay.CreatePaymentRequest{
			InvoiceID:  "INV-2",
			Amount:     mfspay.Taka(250),
			Customer:   mfspay.Customer{Name: "Rahim Khan", Phone: "01712345678"},
			SuccessURL: "https://shop.example/ok?order=2",
			CancelURL:  "https://shop.example/cancel",
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gw.CreatePayment(ctx, req); !errors.Is(err, mfspay.ErrCircuitOpen) {
				b.Fatal(err)
			}
		}
	})
	if n, _ := sim.RequestCount(ctx); n != seen {
		b.Fatalf("%d requests reached the provider through an open breaker", n-seen)
	}
}
