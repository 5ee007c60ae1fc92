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

// BenchmarkWebhook serves signed WezoPay notifications, each a new event,
// through webhook.Handler with the real WezoPay adapter and the default
// in-memory de-duplication store, calling ServeHTTP directly. Baseline is
// the least any receiver must do: check the HMAC and decode the JSON into a
// struct. Run it on one core: go test -bench Webhook -cpu 1 -benchmem.
func BenchmarkWebhook(b *testing.B) {
	b.Run("Handler", func(b *testing.B) {
		gw, err := wezopay.New(wezopay.Config{APIKey: "wpk_bench", WebhookSecrets: []string{benchSecret}})
		if err != nil {
			b.Fatal(err)
		}
		delivered := 0
		h := webhook.New(func(context.Context, *mfspay.Event) error {
			delivered++
			return nil
		}, webhook.Route(gw))

		ring := newNotificationRing()
		body := &reusableBody{}
		req := httptest.NewRequest(http.MethodPost, "/webhooks/wezopay", body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(wezopay.SignatureHeader, "")
		sigHeader := req.Header[http.CanonicalHeaderKey(wezopay.SignatureHeader)]

		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			raw, sig := ring.next(b)
			body.Reset(raw)
			req.ContentLength = int64(len(raw))
			sigHeader[0] = sig
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		if delivered != b.N {
			b.Fatalf("delivered %d of %d events", delivered, b.N)
		}
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

	b.Run("Baseline", func(b *testing.B) {
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
		ring := newNotificationRing()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			raw, sig := ring.next(b)
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
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
