package replicastorm

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/wezopay"
	"github.com/mfspay/mfspay/webhook"
	"github.com/mfspay/mfspay/webhook/pgstore"
	"github.com/mfspay/mfspay/webhook/redisstore"
)

// The environment of a replica process. replicaEnv set means this test
// binary runs as a replica instead of running tests.
const (
	replicaEnv    = "MFSPAY_STORM_REPLICA" // the replica's name
	storeEnv      = "MFSPAY_STORM_STORE"   // redis://… or postgres://…
	collectorEnv  = "MFSPAY_STORM_COLLECTOR"
	leaseEnv      = "MFSPAY_STORM_LEASE"
	replicaHeader = "X-Replica"
)

func TestMain(m *testing.M) {
	if name := os.Getenv(replicaEnv); name != "" {
		if err := runReplica(name); err != nil {
			fmt.Fprintln(os.Stderr, "replica:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runReplica serves webhooks until its standard input closes (the test
// ended) or it is killed. It prints "listening ADDR" once it accepts.
func runReplica(name string) error {
	ctx := context.Background()
	lease, err := time.ParseDuration(os.Getenv(leaseEnv))
	if err != nil {
		return err
	}
	store, closeStore, err := openStore(ctx, os.Getenv(storeEnv))
	if err != nil {
		return err
	}
	defer closeStore()
	gw, err := wezopay.New(wezopay.Config{
		BaseURL:        "http://127.0.0.1:9/api/v1", // never called: no confirmation here
		APIKey:         "wpk_storm_unused",
		WebhookSecrets: []string{stormSecret},
	})
	if err != nil {
		return err
	}
	collector := os.Getenv(collectorEnv)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	stats := &outcomeStats{counts: map[string]int{}, doubtful: map[string][]string{}}
	h := webhook.New(func(ctx context.Context, e *mfspay.Event) error {
		return deliverToCollector(ctx, client, collector, name, e)
	}, webhook.Route(gw), webhook.WithStore(store), webhook.Lease(lease), webhook.WithLogger(slog.New(stats)))

	mux := http.NewServeMux()
	mux.Handle("/webhooks/{provider}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(replicaHeader, name)
		h.ServeHTTP(w, r)
	}))
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		stats.mu.Lock()
		defer stats.mu.Unlock()
		json.NewEncoder(w).Encode(replicaStats{Counts: stats.counts, Doubtful: stats.doubtful})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("listening %s\n", ln.Addr())
	go func() {
		io.Copy(io.Discard, os.Stdin) // returns when the test closes it, or dies
		os.Exit(0)
	}()
	return http.Serve(ln, mux)
}

// openStore connects to the shared store named by a URL, with a client of
// this process's own.
func openStore(ctx context.Context, spec string) (webhook.Store, func(), error) {
	switch {
	case strings.HasPrefix(spec, "redis://"):
		opts, err := redis.ParseURL(spec)
		if err != nil {
			return nil, nil, err
		}
		// As redisstore recommends: deadlines honoured, and few retries of
		// its own (the handler retries commits; providers retry 503s).
		opts.ContextTimeoutEnabled, opts.MaxRetries, opts.DialerRetries = true, 1, 1
		client := redis.NewClient(opts)
		s, err := redisstore.New(client)
		if err != nil {
			client.Close()
			return nil, nil, err
		}
		return s, func() { client.Close() }, nil
	case strings.HasPrefix(spec, "postgres://"):
		pool, err := pgxpool.New(ctx, spec)
		if err != nil {
			return nil, nil, err
		}
		s, err := pgstore.New(ctx, pool)
		if err != nil {
			pool.Close()
			return nil, nil, err
		}
		return s, pool.Close, nil
	}
	return nil, nil, fmt.Errorf("unknown store %q", spec)
}

// deliverToCollector is the replica's callback: the collector decides
// whether this call succeeds and records it if so. The callback's deadline
// (the end of its lease) travels along, so that the test can tell a
// re-delivery after the lease from an overlap.
func deliverToCollector(ctx context.Context, client *http.Client, collector, replica string, e *mfspay.Event) error {
	deadline, _ := ctx.Deadline()
	q := url.Values{"event": {e.ID}, "replica": {replica}, "deadline": {strconv.FormatInt(deadline.UnixNano(), 10)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, collector+"/deliver?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return errors.New(strings.TrimSpace(string(body)))
	}
	return nil
}

// replicaStats is what a replica's GET /stats answers: its outcomes by
// kind, and the events whose delivery may have been doubled (by kind:
// delivered-lease-lost, commit-failed).
type replicaStats struct {
	Counts   map[string]int      `json:"counts"`
	Doubtful map[string][]string `json:"doubtful"`
}

// outcomeStats is a slog.Handler counting the webhook handler's outcomes.
type outcomeStats struct {
	mu       sync.Mutex
	counts   map[string]int
	doubtful map[string][]string
}

func (s *outcomeStats) Enabled(context.Context, slog.Level) bool { return true }
func (s *outcomeStats) WithAttrs([]slog.Attr) slog.Handler       { return s }
func (s *outcomeStats) WithGroup(string) slog.Handler            { return s }

func (s *outcomeStats) Handle(_ context.Context, r slog.Record) error {
	var outcome, event string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "outcome":
			outcome = a.Value.String()
		case "event_id":
			event = a.Value.String()
		}
		return true
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[outcome]++
	if outcome == "delivered-lease-lost" || outcome == "commit-failed" {
		s.doubtful[outcome] = append(s.doubtful[outcome], event)
	}
	return nil
}

// replica is one running replica process, seen from the test.
type replica struct {
	name  string
	addr  string
	cmd   *processHandle
	stats replicaStats
}

// readListening reads the replica's "listening ADDR" line.
func readListening(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		return "", err
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if !ok {
		return "", fmt.Errorf("unexpected first line %q", line)
	}
	return addr, nil
}
