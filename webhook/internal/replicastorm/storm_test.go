package replicastorm

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/internal/testserver"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/wezopay"
)

const (
	stormSecret = "whsec_replica_storm_7c1d"
	stormSeed   = 20261202
	// stormNotificationsEnv sets how many notifications each storm sends,
	// 30 % of them duplicates: 10000 is the size the replicas issue asks
	// for (about 20 s a storm under -race on 2 cores). The default, 3,000,
	// keeps the six storms within a minute in CI; -short sends 1,000.
	stormNotificationsEnv = "MFSPAY_STORM_NOTIFICATIONS"
	stormReplicas         = 3
	stormSenders          = 32
	// stormLease is the replicas' lease: how long a killed replica's claim
	// blocks its events, and the earliest a re-delivery can follow a
	// delivery whose commit was lost.
	stormLease = 3 * time.Second
	// stormGiveUp is how long a sender keeps re-sending one notification.
	stormGiveUp = 90 * time.Second
	// storeOutage is how long the store server stays dead.
	storeOutage = time.Second
)

// notification is one genuine WezoPay webhook, signed as WezoPay signs it.
type notification struct {
	id   string
	body []byte
	sig  string
}

func notifications(n int) []notification {
	kinds := [][2]string{{"payment.completed", "paid"}, {"payment.failed", "failed"},
		{"payment.cancelled", "cancelled"}, {"payment.expired", "expired"}, {"payment.pending", "pending"}}
	out := make([]notification, n)
	for i := range out {
		kind := kinds[i%len(kinds)]
		token := fmt.Sprintf("pay_rs%06d", i)
		body := fmt.Sprintf(`{"event":%q,"token":%q,"invoice_id":"INV-R%06d","status":%q,"amount":%d.%02d,"trx_id":null,"paid_at":null}`,
			kind[0], token, i, kind[1], 10+i, i%100)
		out[i] = notification{id: "wezopay:" + token + ":" + kind[0], body: []byte(body),
			sig: kit.SignHMACSHA256([]byte(body), stormSecret)}
	}
	return out
}

// schedule orders the sends: every event once, in random order, and the
// duplicates, half right behind their original (two senders take them at
// the same moment, and the proxy hands them to different replicas) and half
// at a random later moment (a provider's late re-delivery).
func schedule(events, duplicates int) []int {
	rng := rand.New(rand.NewPCG(stormSeed, 2))
	type slot struct {
		event int
		at    float64
	}
	first := make([]float64, events)
	slots := make([]slot, 0, events+duplicates)
	for i := range events {
		first[i] = rng.Float64()
		slots = append(slots, slot{i, first[i]})
	}
	for d := range duplicates {
		i := rng.IntN(events)
		at := first[i] + 1e-9
		if d%2 == 1 {
			at = first[i] + rng.Float64()*(1-first[i])
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

// attempt is one POST of a notification and its answer.
type attempt struct {
	start, end time.Time
	status     int
	replica    string
}

// send posts n until it is answered 2xx, as a provider's retry loop does,
// backing off a little between attempts. It returns the final body.
func send(client *http.Client, url string, n notification, record func(attempt)) (string, error) {
	wait := 2 * time.Millisecond
	giveUp := time.Now().Add(stormGiveUp)
	for {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(n.body))
		if err != nil {
			return "", err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(wezopay.SignatureHeader, n.sig)
		a := attempt{start: time.Now()}
		resp, err := client.Do(req)
		var body []byte
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			a.status, a.replica = resp.StatusCode, resp.Header.Get(replicaHeader)
		}
		a.end = time.Now()
		record(a)
		if err == nil && a.status >= 200 && a.status < 300 {
			return string(bytes.TrimSpace(body)), nil
		}
		if time.Now().After(giveUp) {
			return "", fmt.Errorf("still refused after %s (last: %d %v)", stormGiveUp, a.status, err)
		}
		time.Sleep(wait)
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// fault is what goes wrong during a storm.
type fault int

const (
	noFault fault = iota
	storeKilled
	replicaKilled
)

// sharedStore is the store server of one storm.
type sharedStore struct {
	url     string
	kill    func() error
	restart func() error
}

func TestReplicaStorm(t *testing.T) {
	stores := []struct {
		name string
		open func(t *testing.T) sharedStore
	}{
		{"Redis", func(t *testing.T) sharedStore {
			s := testserver.Redis(t)
			return sharedStore{url: s.URL(), kill: s.Kill, restart: s.Start}
		}},
		{"Postgres", func(t *testing.T) sharedStore {
			s := testserver.Postgres(t)
			return sharedStore{url: s.NewDatabase(t), kill: s.Kill, restart: s.Start}
		}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Run("Steady", func(t *testing.T) { runStorm(t, st.open(t), noFault) })
			t.Run("StoreKilledAndRestarted", func(t *testing.T) { runStorm(t, st.open(t), storeKilled) })
			t.Run("ReplicaKilledMidDelivery", func(t *testing.T) { runStorm(t, st.open(t), replicaKilled) })
		})
	}
}

// stormSize returns how many notifications a storm sends.
func stormSize(t *testing.T) int {
	if v := os.Getenv(stormNotificationsEnv); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, stormNotificationsEnv)
		require.GreaterOrEqual(t, n, 100, stormNotificationsEnv)
		return n
	}
	if testing.Short() {
		return 1_000
	}
	return 3_000
}

func runStorm(t *testing.T, store sharedStore, f fault) {
	total := stormSize(t)
	duplicates := total * 3 / 10
	events := total - duplicates
	notes := notifications(events)
	order := schedule(events, duplicates)
	began := time.Now()

	coll, collSrv := newCollector(t)
	replicas := make([]*replica, stormReplicas)
	for i := range replicas {
		replicas[i] = startReplica(t, "r"+strconv.Itoa(i+1), store.url, collSrv.URL, stormLease)
	}
	proxy := newRoundRobinProxy(t, replicas)

	// The faults fire from the collector, on the success that crosses a
	// third of the events, so that they strike mid-storm.
	var (
		faultOnce                   sync.Once
		killedAt, restartingAt      time.Time
		restartErr                  = make(chan error, 1)
		victim                      = replicas[1]
		victimKilled                atomic.Bool
		storeDownFrom, storeDownTil time.Time
	)
	switch f {
	case storeKilled:
		coll.onSuccess = func(_ string, n int) {
			if n < events/3 {
				return
			}
			faultOnce.Do(func() {
				go func() {
					err := store.kill()
					killedAt = time.Now()
					time.Sleep(storeOutage)
					restartingAt = time.Now()
					if err == nil {
						err = store.restart()
					}
					restartErr <- err
				}()
			})
		}
	case replicaKilled:
		coll.onSuccess = func(replica string, n int) {
			if n < events/3 || replica != victim.name {
				return
			}
			// The callback succeeded; the replica dies before it hears
			// so, hence before it commits: the one window in which an
			// event is delivered twice.
			faultOnce.Do(func() {
				victim.cmd.kill()
				victimKilled.Store(true)
			})
		}
	}

	var (
		mu       sync.Mutex
		answers  = map[string]int{}
		statuses = map[int]int{}
		byEvent  = map[string][][]attempt{} // per event, per notification sent
		lost     []string
	)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: stormSenders}, Timeout: 60 * time.Second}
	t.Cleanup(client.CloseIdleConnections)
	queue := make(chan int)
	var wg sync.WaitGroup
	for range stormSenders {
		wg.Go(func() {
			for i := range queue {
				var tries []attempt
				final, err := send(client, proxy.URL+"/webhooks/wezopay", notes[i], func(a attempt) { tries = append(tries, a) })
				mu.Lock()
				for _, a := range tries {
					statuses[a.status]++
				}
				byEvent[notes[i].id] = append(byEvent[notes[i].id], tries)
				if err != nil {
					lost = append(lost, notes[i].id+": "+err.Error())
				} else {
					answers[final]++
				}
				mu.Unlock()
			}
		})
	}
	for _, i := range order {
		queue <- i
	}
	close(queue)
	wg.Wait()
	took := time.Since(began)

	// Nothing lost: every notification was answered 2xx in the end, and
	// every event reached a successful callback.
	require.Empty(t, lost, "every notification is eventually answered 2xx")
	assert.Equal(t, total, answers["delivered"]+answers["duplicate"], "answers: %v", answers)
	coll.mu.Lock()
	defer coll.mu.Unlock()
	for _, n := range notes {
		require.NotEmpty(t, coll.successes[n.id], "event %s never reached a successful callback", n.id)
	}
	assert.Greater(t, coll.failures, events/20, "about one callback in ten failed")

	for _, r := range replicas {
		if r == victim && victimKilled.Load() {
			continue
		}
		require.NoError(t, r.fetchStats(), r.name)
	}
	doubtful := map[string]string{}
	outcomes := map[string]int{}
	for _, r := range replicas {
		for kind, ids := range r.stats.Doubtful {
			for _, id := range ids {
				doubtful[id] = r.name + " logged " + kind
			}
		}
		for k, n := range r.stats.Counts {
			outcomes[k] += n
		}
	}

	// Exactly once, or twice for a reason the package documents: the first
	// delivery's commit was lost (its replica was killed after the callback
	// succeeded, or the store failed it) and the event was delivered again
	// only after that delivery's lease had ended.
	var doubled []string
	for id, ss := range coll.successes {
		if len(ss) == 1 {
			continue
		}
		first := ss[0]
		why, logged := doubtful[id]
		switch {
		case victimKilled.Load() && first.replica == victim.name:
			why = first.replica + " was killed after its callback succeeded, before its commit"
		case !logged:
			t.Errorf("event %s reached a successful callback %d times (replicas %v) with no commit lost", id, len(ss), ss)
			continue
		}
		for _, s := range ss[1:] {
			assert.False(t, s.at.Before(first.deadline),
				"event %s: re-delivered by %s at %s, before the first delivery's lease ended at %s",
				id, s.replica, s.at.Format(time.StampMicro), first.deadline.Format(time.StampMicro))
		}
		doubled = append(doubled, fmt.Sprintf("%s ×%d: %s; again %s after the first lease ended",
			id, len(ss), why, ss[1].at.Sub(first.deadline).Round(time.Millisecond)))
	}
	slices.Sort(doubled)
	switch f {
	case noFault:
		assert.Empty(t, doubled, "no event reaches a successful callback twice")
	case replicaKilled:
		require.True(t, victimKilled.Load(), "the replica was killed mid-storm")
		assert.NotEmpty(t, doubled, "the killed replica's delivery is repeated after its lease")
	}

	if f == storeKilled {
		require.NoError(t, <-restartErr, "restarting the store")
		down, refused := 0, 0
		for _, perNote := range byEvent {
			for _, tries := range perNote {
				for _, a := range tries {
					// Sent after the server died, answered before it came back.
					if a.start.After(killedAt) && a.end.Before(restartingAt) {
						down++
						if a.status == http.StatusServiceUnavailable {
							refused++
						}
					}
				}
			}
		}
		storeDownFrom, storeDownTil = killedAt, restartingAt
		assert.Positive(t, down, "the storm went on while the store was down")
		assert.Equal(t, down, refused, "every request while the store was down was answered 503")
		assert.Positive(t, outcomes["store-unavailable"], "the replicas logged the outage")
		t.Logf("store down %s: %d requests in that time, all answered 503",
			storeDownTil.Sub(storeDownFrom).Round(time.Millisecond), down)
	}

	// How the duplicates met the replicas.
	concurrent, spread := 0, 0
	for _, perNote := range byEvent {
		if len(perNote) < 2 {
			continue
		}
		a, b := perNote[0], perNote[1]
		if a[0].start.Before(b[len(b)-1].end) && b[0].start.Before(a[len(a)-1].end) {
			concurrent++
		}
		if a[len(a)-1].replica != b[len(b)-1].replica {
			spread++
		}
	}
	t.Logf("%d notifications (%d events, %d duplicates) through %d replicas in %s: answers %v; statuses %v; "+
		"callback failures %d; duplicates sent while the first was in flight %d, answered by another replica %d; "+
		"replica outcomes %v", total, events, duplicates, stormReplicas, took.Round(time.Millisecond), answers,
		statuses, coll.failures, concurrent, spread, outcomes)
	for _, d := range doubled {
		t.Logf("delivered twice: %s", d)
	}
}
