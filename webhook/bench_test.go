package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/webhook"
)

// benchSecret signs the benchmark notifications.
const benchSecret = "whsec_bench_0123456789abcdef"

// ringSize is how many signed notifications are prepared at a time.
const ringSize = 4096

// notificationRing hands out signed WezoPay notifications, each about a new
// payment so that every one is a new event for the de-duplication store. It
// signs them ringSize at a time with the timer stopped: signing is the
// sender's work, not the receiver's, and the heap stays as small as a
// server's would be.
type notificationRing struct {
	bodies [ringSize][]byte
	sigs   [ringSize]string
	seq    int
	i      int
}

func newNotificationRing() *notificationRing {
	r := &notificationRing{}
	r.fill()
	return r
}

func (r *notificationRing) fill() {
	for k := range r.bodies {
		r.seq++
		r.bodies[k] = fmt.Appendf(r.bodies[k][:0],
			`{"event":"payment.completed","token":"pay_%010d","invoice_id":"INV-%08d","status":"paid",`+
				`"amount":250.00,"trx_id":"8N2K3TEST12","paid_at":"2026-06-08T11:45:00Z"}`, r.seq, r.seq)
		r.sigs[k] = kit.SignHMACSHA256(r.bodies[k], benchSecret)
	}
	r.i = 0
}

// next returns the next notification, refilling the ring off the clock.
func (r *notificationRing) next(b *testing.B) ([]byte, string) {
	if r.i == ringSize {
		b.StopTimer()
		r.fill()
		b.StartTimer()
	}
	body, sig := r.bodies[r.i], r.sigs[r.i]
	r.i++
	return body, sig
}

// reusableBody is a request body that can be rewound to new bytes without
// allocating, so the benchmark measures the handler and not the harness.
type reusableBody struct{ bytes.Reader }

func (*reusableBody) Close() error { return nil }

// handlerStep returns a function that serves one signed notification
// through webhook.Handler with the real WezoPay adapter and the default
// in-memory store, calling ServeHTTP directly, and one that reports how many
// events reached the callback.
func handlerStep(b *testing.B) (serve func(raw []byte, sig string), delivered func() int) {
	gw, err := wezopay.New(wezopay.Config{APIKey: "wpk_bench", WebhookSecrets: []string{benchSecret}})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	h := webhook.New(func(context.Context, *mfspay.Event) error {
		n++
		return nil
	}, webhook.Route(gw))
	body := &reusableBody{}
	req := httptest.NewRequest(http.MethodPost, "/webhooks/wezopay", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(wezopay.SignatureHeader, "")
	sigHeader := req.Header[http.CanonicalHeaderKey(wezopay.SignatureHeader)]
	return func(raw []byte, sig string) {
		body.Reset(raw)
		req.ContentLength = int64(len(raw))
		sigHeader[0] = sig
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}, func() int { return n }
}

// baselineStep returns the least any receiver must do with a notification:
// check its HMAC and decode the JSON into a struct.
func baselineStep(b *testing.B) func(raw []byte, sig string) {
	// The notification as a hand-written receiver would decode it.
	type notification struct {
		Event     string      `json:"event"`
		Token     string      `json:"token"`
		InvoiceID string      `json:"invoice_id"`
		Status    string      `json:"status"`
		Amount    json.Number `json:"amount"`
		TrxID     *string     `json:"trx_id"`
		PaidAt    *string     `json:"paid_at"`
	}
	key := []byte(benchSecret)
	return func(raw []byte, sig string) {
		var got [sha256.Size]byte
		if _, err := hex.Decode(got[:], []byte(sig)); err != nil {
			b.Fatal(err)
		}
		m := hmac.New(sha256.New, key)
		m.Write(raw)
		if !hmac.Equal(m.Sum(nil), got[:]) {
			b.Fatal("signature does not verify")
		}
		var n notification
		if err := json.Unmarshal(raw, &n); err != nil || n.Token == "" {
			b.Fatal("cannot decode", err)
		}
	}
}

// pairBlock is how many events each contender of Paired serves in a turn:
// enough that reading the clock (twice a block) is lost in the block's
// time, few enough that both see the same machine.
const pairBlock = 64

// BenchmarkWebhook serves signed WezoPay notifications, each a new event,
// through webhook.Handler with the real WezoPay adapter and the default
// in-memory de-duplication store, calling ServeHTTP directly. Baseline is
// the least any receiver must do: check the HMAC and decode the JSON into a
// struct. Paired runs the two alternately in one loop and reports the ratio
// of their times, which is the figure to quote: run one after the other,
// the two can disagree by a fifth on a loaded machine. Run it on one core:
// go test -bench Webhook -cpu 1 -benchmem.
func BenchmarkWebhook(b *testing.B) {
	b.Run("Handler", func(b *testing.B) {
		serve, delivered := handlerStep(b)
		ring := newNotificationRing()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			serve(ring.next(b))
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		if delivered() != b.N {
			b.Fatalf("delivered %d of %d events", delivered(), b.N)
		}
	})

	b.Run("Baseline", func(b *testing.B) {
		check := baselineStep(b)
		ring := newNotificationRing()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			check(ring.next(b))
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})

	b.Run("Paired", func(b *testing.B) {
		serve, delivered := handlerStep(b)
		check := baselineStep(b)
		ring := newNotificationRing()
		var spent [2]time.Duration // handler, baseline
		batch, sigs := make([][]byte, pairBlock), make([]string, pairBlock)
		events := 0
		b.ResetTimer()
		for turn := 0; events < b.N; turn++ {
			n := min(pairBlock, b.N-events)
			// Alternate which goes first, so neither always follows the other.
			for k := range 2 {
				who := (turn + k) % 2
				b.StopTimer()
				for i := range n {
					batch[i], sigs[i] = ring.next(b)
				}
				b.StartTimer()
				t0 := time.Now()
				for i := range n {
					if who == 0 {
						serve(batch[i], sigs[i])
					} else {
						check(batch[i], sigs[i])
					}
				}
				spent[who] += time.Since(t0)
			}
			events += n
		}
		b.StopTimer()
		if delivered() != b.N {
			b.Fatalf("delivered %d of %d events", delivered(), b.N)
		}
		handler := float64(spent[0].Nanoseconds()) / float64(b.N)
		baseline := float64(spent[1].Nanoseconds()) / float64(b.N)
		b.ReportMetric(handler, "handler-ns/event")
		b.ReportMetric(baseline, "baseline-ns/event")
		b.ReportMetric(1e9/handler, "handler-events/s")
		b.ReportMetric(handler/baseline, "ratio")
	})

	// The parts of Handler, to see where its time goes.
	b.Run("ParseWebhook", func(b *testing.B) {
		gw, err := wezopay.New(wezopay.Config{APIKey: "wpk_bench", WebhookSecrets: []string{benchSecret}})
		if err != nil {
			b.Fatal(err)
		}
		ring := newNotificationRing()
		req := mfspay.WebhookRequest{Header: http.Header{}, Query: url.Values{}}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(wezopay.SignatureHeader, "")
		sigHeader := req.Header[http.CanonicalHeaderKey(wezopay.SignatureHeader)]
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			req.Body, sigHeader[0] = ring.next(b)
			if _, err := gw.ParseWebhook(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("MemoryStore", func(b *testing.B) {
		store := webhook.NewMemoryStore()
		ctx := context.Background()
		keys := make([]string, ringSize)
		seq := 0
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if i%ringSize == 0 {
				b.StopTimer()
				for k := range keys {
					seq++
					keys[k] = fmt.Sprintf("wezopay/wezopay:pay_%010d:payment.completed", seq)
				}
				b.StartTimer()
			}
			key := keys[i%ringSize]
			res, err := store.Reserve(ctx, key, time.Minute)
			if err != nil || res.State != webhook.Acquired {
				b.Fatal(res, err)
			}
			if err := store.Commit(ctx, key, res.Token, 72*time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
}
