package main

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/mfspay/mfspay/webhook"
)

// startShops makes the shop, or cfg.Replicas replicas of it, and returns
// the handler the public server serves: the shop itself, or a round-robin
// proxy in front of the replicas. Replicas share the database (orders and
// ledger) and one de-duplication store, each through a client of its own;
// each has its own webhook handler, its own reconciler and its own HTTP
// server on loopback, so a provider's retries really land on different
// replicas.
func (a *app) startShops(ctx context.Context, cfg appConfig, gateways []gatewayInfo, orders *orderStore) (http.Handler, error) {
	n := max(cfg.Replicas, 1)
	kind, err := storeKind(cfg.Store)
	if err != nil {
		return nil, err
	}
	hooks := &hookLog{}
	sweeps := &sweepLog{every: cfg.Sweep.Every, observe: cfg.observeSweep}
	var shared webhook.Store
	if kind == "memory" && n > 1 {
		// In-process replicas can share one MemoryStore; replicas in
		// separate processes cannot, which is what -store is for.
		shared = webhook.NewMemoryStore()
	}
	shops := make([]*shop, n)
	for i := range shops {
		store := shared
		if kind != "memory" {
			s, closeStore, err := openStore(ctx, cfg.Store)
			if err != nil {
				return nil, err
			}
			a.closers = append(a.closers, closeStore)
			store = s
		}
		s, err := newShop(shopConfig{
			Gateways: gateways, PublicURL: a.URL, Log: cfg.Log, Orders: orders, Ledger: a.db.ledger,
			Hooks: hooks, Sweeps: sweeps, Dedup: store, Sweep: cfg.Sweep, beforeEvent: cfg.beforeEvent,
		})
		if err != nil {
			return nil, err
		}
		shops[i] = s
	}
	a.shop, a.shops = shops[0], shops
	if n == 1 {
		return a.shop, nil
	}
	targets := make([]*url.URL, n)
	for i, s := range shops {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
		go srv.Serve(ln)
		a.closers = append(a.closers, func() { srv.Close() })
		targets[i] = &url.URL{Scheme: "http", Host: ln.Addr().String()}
	}
	a.replicaURLs = targets
	return newRoundRobin(targets), nil
}

// newRoundRobin is the load balancer in front of the replicas: each request
// goes to the next one in turn.
func newRoundRobin(targets []*url.URL) http.Handler {
	var next atomic.Uint64
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(targets[(next.Add(1)-1)%uint64(len(targets))])
			r.Out.Host = r.In.Host // the shop builds its links from PublicURL anyway
		},
		ErrorLog: log.New(io.Discard, "", 0),
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			status := http.StatusBadGateway
			if errors.Is(err, context.DeadlineExceeded) {
				status = http.StatusGatewayTimeout
			}
			http.Error(w, "replica unavailable", status)
		},
	}
}
