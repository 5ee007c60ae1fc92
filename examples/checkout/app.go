package main

import (
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/ledger"
)

// appConfig configures a running shop.
type appConfig struct {
	// Addr is where the shop listens, "127.0.0.1:0" for any free port.
	Addr string
	// PublicURL is where customers and providers reach the shop; empty
	// means http://Addr.
	PublicURL string
	// Plugins runs the adapters as plugin binaries: the ones in PluginDir,
	// or, when it is empty, freshly built ones.
	Plugins   bool
	PluginDir string
	// Getenv reads the MFSPAY_* settings; nil means none are set.
	Getenv func(string) string
	// Log receives the shop's, the webhook handler's and the plugins' log
	// lines.
	Log *slog.Logger
	// Progress is told about slow preparations (building plugins).
	Progress io.Writer
	// Store is the webhook de-duplication store: "" or "memory", a
	// redis:// URL or a postgres:// URL. Replicas runs that many shop
	// replicas behind a round-robin proxy (replicas.go).
	Store    string
	Replicas int
	// DB is where the orders and the payment ledger are kept: an SQLite
	// file, a postgres:// URL, or "" for the default file (defaultDBFile).
	DB string
	// Sweep configures the ledger's schedule and the reconciler.
	Sweep sweepConfig

	// observeSweep, when set, hears every sweep's report (tests).
	observeSweep func(ledger.Report, error)
	// beforeEvent, when set, runs first in the webhook callback (tests).
	beforeEvent func(context.Context, *mfspay.Event)
}

// app is a running shop with everything it started.
type app struct {
	// URL is the shop's public URL, without a trailing slash.
	URL    string
	shop   *shop   // the first replica when there are several
	shops  []*shop // every replica
	server *http.Server
	// replicaURLs are the replicas' own addresses, behind the proxy at URL.
	replicaURLs []*url.URL
	sims        *simulators
	db          *database
	stopSweeps  func()
	closers     []func() // run last to first by Close
	serveErr    chan error
	closeOnce   sync.Once
}

// startApp starts the simulators the environment leaves offline, the
// gateways (in-process or plugins), the database, the shop's HTTP server
// and its reconciler.
func startApp(ctx context.Context, cfg appConfig) (_ *app, err error) {
	cfg.Sweep = cfg.Sweep.withDefaults()
	if cfg.Getenv == nil {
		cfg.Getenv = func(string) string { return "" }
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	a := &app{URL: strings.TrimSuffix(cfg.PublicURL, "/"), serveErr: make(chan error, 1)}
	if a.URL == "" {
		a.URL = "http://" + ln.Addr().String()
	}
	defer func() {
		if err != nil {
			ln.Close()
			a.Close()
		}
	}()

	setups, sims, err := setupProviders(cfg.Getenv, a.URL)
	if err != nil {
		return nil, err
	}
	a.sims = sims
	var gateways []gatewayInfo
	if cfg.Plugins {
		dir := cfg.PluginDir
		if dir == "" {
			built, remove, err := buildPlugins(ctx, cfg.Progress)
			if err != nil {
				return nil, err
			}
			a.closers = append(a.closers, remove)
			dir = built
		}
		gws, closeAll, err := openPlugins(ctx, setups, dir, cfg.Log)
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, closeAll)
		gateways = gws
	} else if gateways, err = buildInProcess(setups); err != nil {
		return nil, err
	}

	anyReal := false
	for _, p := range setups {
		anyReal = anyReal || p.Real
	}
	db, err := openDatabase(ctx, cfg.DB, anyReal)
	if err != nil {
		return nil, err
	}
	a.db = db
	a.closers = append(a.closers, db.Close)
	orders, err := newOrderStore(ctx, db)
	if err != nil {
		return nil, err
	}
	gateways = recordGateways(gateways, db.ledger, cfg.Sweep, cfg.Log)

	front, err := a.startShops(ctx, cfg, gateways, orders)
	if err != nil {
		return nil, err
	}
	// Every phase of a connection is bounded, as on any server facing the
	// internet, so that slow or idle clients cannot hold it: the headers,
	// the whole request (the webhook handler bounds a notification's body
	// itself, at webhook.DefaultReadTimeout), the answer (a checkout waits
	// up to createTimeout for the provider), and an idle keep-alive.
	a.server = &http.Server{
		Handler:           front,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.Sweep.CreateTimeout + 15*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() { a.serveErr <- a.server.Serve(ln) }()

	// Each replica runs its reconciler, delivering through its own webhook
	// handler; they share the work through the ledger's claims.
	sweepCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	var sweeping sync.WaitGroup
	for _, s := range a.shops {
		sweeping.Go(func() { runSweeps(sweepCtx, s.reconciler, cfg.Sweep.Clock, cfg.Sweep.Every, s.sweeps) })
	}
	a.stopSweeps = func() { stop(); sweeping.Wait() }
	return a, nil
}

// Close stops the reconcilers (a sweep in flight is abandoned; its entries
// come back after the claim's lease), the simulators (and their
// notification retries), then the shop's server, then the stores and the
// plugins, and removes built plugin binaries and a temporary database. Only
// the first call does anything.
func (a *app) Close() { a.closeOnce.Do(a.close) }

func (a *app) close() {
	if a.stopSweeps != nil {
		a.stopSweeps()
	}
	if a.sims != nil {
		a.sims.Close()
	}
	if a.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.server.Shutdown(ctx)
		if err := <-a.serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.shop.log.Warn("shop server stopped", "err", err)
		}
	}
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}
