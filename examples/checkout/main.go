package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run is the program: it parses args, starts the shop and either runs the
// scripted demo or serves until ctx ends. It returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("checkout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./examples/checkout [-demo] [-plugins [-plugin-dir DIR]] [-addr HOST:PORT] [-public-url URL] [-db PATH|URL] [-sweep D] [-store URL] [-replicas N]\n\n")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8080", "where the shop listens (-demo: a free port unless set)")
	publicURL := fs.String("public-url", "", "where customers and providers reach the shop, e.g. https://shop.example (default http://ADDR)")
	demo := fs.Bool("demo", false, "script one purchase per provider against the simulators, print a report and exit")
	usePlugins := fs.Bool("plugins", false, "run the adapters as plugin binaries instead of in-process")
	pluginDir := fs.String("plugin-dir", "", "with -plugins: take mfspay-plugin-* binaries from this directory instead of building them")
	stepTimeout := fs.Duration("step-timeout", 10*time.Second, "with -demo: the time limit of each step")
	verbose := fs.Bool("v", false, "log every notification and plugin line")
	store := fs.String("store", "memory", "webhook de-duplication store: memory, redis://HOST:PORT/DB or postgres://USER@HOST/DB")
	replicas := fs.Int("replicas", 1, "run N shop replicas behind a round-robin proxy on loopback, sharing -store")
	db := fs.String("db", "", "where the orders and the payment ledger are kept: an SQLite file or a postgres:// URL "+
		"(default: a temporary file while the providers are simulated, else checkout.db in the user's config directory)")
	sweep := fs.Duration("sweep", time.Minute, "how often the reconciler asks the providers about open payments")
	sweepRate := fs.Int("sweep-rate", 0, "the reconciler's calls a second to each provider (default 10 to a real provider, 1000 to a simulator)")
	createTimeout := fs.Duration("create-timeout", 30*time.Second, "the limit on creating a payment while the customer waits")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	if _, err := storeKind(*store); err != nil || *replicas < 1 || *replicas > 16 {
		fmt.Fprintln(stderr, "checkout: -store takes memory, redis://… or postgres://…; -replicas takes 1 to 16")
		return 2
	}
	if *sweep <= 0 || *createTimeout <= 0 || *sweepRate < 0 {
		fmt.Fprintln(stderr, "checkout: -sweep and -create-timeout take a positive duration, -sweep-rate a positive number")
		return 2
	}
	addrSet := false
	fs.Visit(func(f *flag.Flag) { addrSet = addrSet || f.Name == "addr" })
	if *demo && !addrSet {
		*addr = "127.0.0.1:0"
	}
	if *demo {
		if real := realProviders(getenv); len(real) > 0 {
			fmt.Fprintf(stderr, "checkout: -demo pays on the simulators' hosted pages, but %v switch to real APIs; unset them\n", real)
			return 2
		}
	}
	level := slog.LevelInfo
	if *demo && !*verbose {
		level = slog.LevelWarn
	}
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	a, err := startApp(ctx, appConfig{
		Addr: *addr, PublicURL: *publicURL, Plugins: *usePlugins, PluginDir: *pluginDir,
		Getenv: getenv, Log: logger, Progress: stderr, Store: *store, Replicas: *replicas,
		DB: *db, Sweep: sweepConfig{Every: *sweep, CreateTimeout: *createTimeout, Rate: *sweepRate},
	})
	if err != nil {
		fmt.Fprintln(stderr, "checkout:", err)
		return 1
	}
	defer a.Close()

	if *demo {
		fmt.Fprintf(stdout, "mfspay checkout demo: shop at %s, providers simulated on 127.0.0.1\n", a.URL)
		printDatabase(stdout, a, *sweep)
		printReplicas(stdout, a, *store)
		began := time.Now()
		results, err := runDemo(ctx, a.URL, a.shop.gateways, a.sims, *stepTimeout)
		printReport(stdout, results)
		if err != nil {
			fmt.Fprintln(stderr, "\ndemo FAILED:", err)
			return 1
		}
		fmt.Fprintf(stdout, "\nall %d purchases paid and verified in %s\n", len(results), time.Since(began).Round(time.Millisecond))
		return 0
	}

	fmt.Fprintf(stdout, "Bazaar is open: %s\n", a.URL)
	printDatabase(stdout, a, *sweep)
	printReplicas(stdout, a, *store)
	for _, g := range a.shop.gateways {
		if g.Real && *publicURL == "" {
			fmt.Fprintf(stderr, "checkout: warning: %s is real but -public-url is not set: it cannot reach %s/webhooks/%s\n", g.Title, a.URL, g.Name)
		}
		if g.Real {
			fmt.Fprintf(stdout, "  %-10s real API, adapter %s; its notifications go to %s/webhooks/%s\n", g.Title, g.Via, a.URL, g.Name)
		} else {
			fmt.Fprintf(stdout, "  %-10s simulator, adapter %s; dashboard %s\n", g.Title, g.Via, g.DashboardURL)
		}
	}
	fmt.Fprintln(stdout, "Press Ctrl+C to stop.")
	<-ctx.Done()
	return 0
}

// realProviders lists the set variables that switch a provider to its real
// API.
func realProviders(getenv func(string) string) []string {
	var set []string
	for _, name := range providerEnv {
		if getenv(name) != "" {
			set = append(set, name)
		}
	}
	return set
}

// printDatabase says where the orders and the ledger are kept and how
// often the reconciler runs.
func printDatabase(w io.Writer, a *app, sweep time.Duration) {
	fmt.Fprintf(w, "  orders and payment ledger: %s", a.db.where)
	if a.db.temporary {
		fmt.Fprint(w, " (removed at exit: the simulators forget their payments too)")
	}
	fmt.Fprintf(w, "\n  reconciler: asks the providers about open payments every %s\n", sweep)
}

// printReplicas says where the replicas run and which store they share.
func printReplicas(w io.Writer, a *app, store string) {
	if len(a.replicaURLs) == 0 {
		if store != "memory" {
			fmt.Fprintf(w, "  webhook de-duplication store: %s\n", redactedStore(store))
		}
		return
	}
	fmt.Fprintf(w, "  %d replicas behind a round-robin proxy:", len(a.replicaURLs))
	for _, u := range a.replicaURLs {
		fmt.Fprintf(w, " %s", u)
	}
	if store == "memory" {
		fmt.Fprintln(w, "\n  sharing one in-process MemoryStore (replicas in separate processes need -store redis://… or postgres://…)")
		return
	}
	fmt.Fprintf(w, "\n  sharing the webhook de-duplication store %s, a client each\n", redactedStore(store))
}
