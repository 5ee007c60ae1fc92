package webhook_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/webhook"
)

// The storm: floodEvents distinct notifications plus floodDuplicates
// re-deliveries of some of them, posted by floodWorkers senders at once,
// each re-sending until it gets a 2xx as a provider would.
const (
	floodEvents      = 7_000
	floodDuplicates  = 3_000 // 30 % of the 10,000 notifications
	floodWorkers     = 32
	floodMaxAttempts = 50
	floodSeed        = 20260608
	floodSecret      = "whsec_storm_5f0c2e"
)

// floodEventKinds are WezoPay's events with the status each carries.
var floodEventKinds = [][2]string{
	{"payment.completed", "paid"}, {"payment.failed", "failed"}, {"payment.cancelled", "cancelled"},
	{"payment.expired", "expired"}, {"payment.pending", "pending"},
}

// floodNotification is one genuine WezoPay webhook, signed as WezoPay
// signs it, and the event id the adapter gives it.
type floodNotification struct {
	id   string
	body []byte
	sig  string
}

func floodNotifications() []floodNotification {
	out := make([]floodNotification, floodEvents)
	for i := range out {
		kind := floodEventKinds[i%len(floodEventKinds)]
		token := fmt.Sprintf("pay_storm%05d", i)
		body := fmt.Sprintf(`{"event":%q,"token":%q,"invoice_id":"INV-S%05d","status":%q,"amount":%d.%02d,"trx_id":null,"paid_at":null}`,
			kind[0], token, i, kind[1], 10+i, i%100)
		out[i] = floodNotification{
			id:   "wezopay:" + token + ":" + kind[0],
			body: []byte(body),
			sig:  kit.SignHMACSHA256([]byte(body), floodSecret),
		}
	}
	return out
}

// floodCallback fails about one call in ten. Whether the k-th call for an
// event fails is a seeded hash of the event and k, so the storm's outcome
// does not depend on how the senders happen to interleave.
type floodCallback struct {
	mu        sync.Mutex
	calls     map[string]int // every call, failed ones included
	successes map[string]int
	failures  atomic.Int64
}

func (c *floodCallback) handle(_ context.Context, e *mfspay.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[e.ID]++
	if floodFails(e.ID, c.calls[e.ID]) {
		c.failures.Add(1)
		return fmt.Errorf("merchant database busy (call %d for %s)", c.calls[e.ID], e.ID)
	}
	c.successes[e.ID]++
	return nil
}

func floodFails(id string, call int) bool {
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], floodSeed)
	binary.LittleEndian.PutUint64(b[8:], uint64(call))
	h.Write(b[:])
	h.Write([]byte(id))
	return h.Sum64()%10 == 0
}

// TestStormEveryEventExactlyOnce sends 10,000 genuine notifications, 30 %
// of them duplicates, from 32 concurrent senders that re-send on any
// non-2xx answer, to a handler whose callback fails 10 % of the time. Every
// distinct event must reach a successful callback exactly once: none lost,
// none twice.
func TestStormEveryEventExactlyOnce(t *testing.T) {
	notes := floodNotifications()
	deliveries := floodSchedule()

	gw, err := wezopay.New(wezopay.Config{
		BaseURL:        "http://127.0.0.1:9/api/v1", // never called: no confirmation here
		APIKey:         "wpk_storm_unused",
		WebhookSecrets: []string{floodSecret},
	})
	require.NoError(t, err)
	cb := &floodCallback{calls: map[string]int{}, successes: map[string]int{}}
	srv := httptest.NewServer(webhook.New(cb.handle, webhook.Route(gw)))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: floodWorkers}, Timeout: 10 * time.Second}
	t.Cleanup(client.CloseIdleConnections)

	var (
		mu      sync.Mutex
		answers = map[string]int{} // final 2xx answer bodies: "delivered", "duplicate"
		retried = map[int]int{}    // non-2xx answers by status
		lost    []string
	)
	queue := make(chan int)
	var wg sync.WaitGroup
	for range floodWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range queue {
				final, codes, err := floodDeliver(client, srv.URL+"/webhooks/wezopay", notes[i])
				mu.Lock()
				for _, c := range codes {
					retried[c]++
				}
				if err != nil {
					lost = append(lost, notes[i].id+": "+err.Error())
				} else {
					answers[final]++
				}
				mu.Unlock()
			}
		}()
	}
	for _, i := range deliveries {
		queue <- i
	}
	close(queue)
	wg.Wait()

	require.Empty(t, lost, "every notification was eventually answered 2xx")
	assert.Equal(t, map[string]int{"delivered": floodEvents, "duplicate": floodDuplicates}, answers,
		"each event is answered delivered once; every other delivery is a duplicate")
	cb.mu.Lock()
	defer cb.mu.Unlock()
	require.Len(t, cb.successes, floodEvents, "every distinct event reached a successful callback")
	for _, n := range notes {
		require.Equal(t, 1, cb.successes[n.id], "event %s reached a successful callback %d times", n.id, cb.successes[n.id])
	}
	// The failure path really ran, and every failure was answered so that
	// the sender re-sent: one 500 per failed callback, the rest are 503s
	// told to duplicates that arrived while their event was in flight.
	assert.Greater(t, cb.failures.Load(), int64(floodEvents/20), "about one callback in ten failed")
	assert.EqualValues(t, cb.failures.Load(), retried[http.StatusInternalServerError])
	for code := range retried {
		assert.Contains(t, []int{http.StatusInternalServerError, http.StatusServiceUnavailable}, code)
	}
	t.Logf("callback failures %d, non-2xx answers by status %v", cb.failures.Load(), retried)
}

// floodSchedule is the order notifications are sent in: every event once,
// in random order, and the duplicates, half of them right behind their
// original (so that two senders deliver the same event at the same time)
// and half at a random later moment (a provider's late re-delivery).
func floodSchedule() []int {
	rng := rand.New(rand.NewPCG(floodSeed, 1))
	type slot struct {
		event int
		at    float64
	}
	slots := make([]slot, 0, floodEvents+floodDuplicates)
	firstAt := make([]float64, floodEvents)
	for i := range floodEvents {
		firstAt[i] = rng.Float64()
		slots = append(slots, slot{i, firstAt[i]})
	}
	for d := range floodDuplicates {
		i := rng.IntN(floodEvents)
		at := firstAt[i] + 1e-9
		if d%2 == 1 {
			at = firstAt[i] + rng.Float64()*(1-firstAt[i])
		}
		slots = append(slots, slot{i, at})
	}
	slices.SortStableFunc(slots, func(a, b slot) int { return cmp.Compare(a.at, b.at) })
	out := make([]int, len(slots))
	for i, s := range slots {
		out[i] = s.event
	}
	return out
}

// floodDeliver posts one notification until it is answered 2xx, as a
// provider's retry loop does, and returns the final answer's body and the
// status codes of the refused attempts.
func floodDeliver(client *http.Client, url string, n floodNotification) (string, []int, error) {
	var refused []int
	for attempt := range floodMaxAttempts {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(n.body))
		if err != nil {
			return "", refused, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(wezopay.SignatureHeader, n.sig)
		resp, err := client.Do(req)
		if err != nil {
			return "", refused, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return "", refused, err
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return string(bytes.TrimSpace(body)), refused, nil
		}
		refused = append(refused, resp.StatusCode)
		time.Sleep(time.Duration(attempt+1) * 100 * time.Microsecond)
	}
	return "", refused, fmt.Errorf("still refused after %d attempts: %v", floodMaxAttempts, refused)
}
