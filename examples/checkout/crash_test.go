package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/ledger/sqlite"
	"github.com/mfspay/mfspay/providers/eazzpay/eazzpaytest"
	"github.com/mfspay/mfspay/providers/simkit"
	"github.com/mfspay/mfspay/providers/wezopay/wezopaytest"
)

// The shop is killed with SIGKILL at random moments (seeded) while 200
// scripted customers buy, and restarted each time on the same database.
// The simulators live in the test process and keep what they hold. Every
// payment a provider holds as paid ends paid in the ledger and in its
// order; no invoice has two payments at a provider; every payment a
// provider holds has its ledger entry and its order; and the creates a
// kill left between intent and answer are settled by the reconciler after
// the restart (found by invoice at WezoPay), never created again.
//
// Half the kills wait for a moment when a create's answer is held back on
// its way to the shop (the provider has made the payment; the shop has not
// heard), so that such intents are left behind in every run.
func TestShopKilledDuringPurchasesLosesNothing(t *testing.T) {
	ctx := context.Background()
	began := time.Now()
	const purchases, customers, maxKills = 200, 4, 6
	rng := rand.New(rand.NewPCG(9, 9))

	port := freePort(t)
	shopURL := "http://127.0.0.1:" + port
	// One delivery attempt: a WezoPay notification sent while the shop is
	// dead is lost for good, and only the reconciler can find its payment.
	wezo := wezopaytest.NewServer(wezopaytest.WithDelivery(1, time.Millisecond))
	t.Cleanup(wezo.Close)
	// EazzPay cannot be asked about a payment: what the shop misses while
	// dead comes only from the provider's retries, spread here over about
	// two minutes (real providers retry for hours).
	eazz := eazzpaytest.NewServer(eazzpaytest.WithWebhookURL(shopURL+"/webhooks/eazzpay"), eazzpaytest.WithDelivery(60, 100*time.Millisecond))
	t.Cleanup(eazz.Close)
	wezoProxy, eazzProxy := newHoldingProxy(t, wezo.URL, 1), newHoldingProxy(t, eazz.URL, 2)

	dir := t.TempDir()
	dbPath := filepath.Join(dir, "shop.db")
	shop := &shopProcess{t: t, url: shopURL, logs: dir,
		args: []string{"-addr", "127.0.0.1:" + port, "-public-url", shopURL, "-db", dbPath,
			"-sweep", "300ms", "-sweep-rate", "1000", "-create-timeout", "1s"},
		env: []string{
			envWezoAPIKey + "=" + wezo.APIKey(), envWezoWebhookSecrets + "=" + wezo.WebhookSecret(),
			envWezoBaseURL + "=" + wezoProxy.srv.URL + wezopaytest.APIPrefix,
			envEazzClientSecret + "=" + eazz.ClientSecret(), envEazzBaseURL + "=" + eazzProxy.srv.URL + eazzpaytest.APIPrefix,
		}}
	shop.start()
	t.Cleanup(shop.killIfRunning)

	// The customers.
	fates := seededFates(purchases, 9)
	results := make([]crashPurchase, purchases)
	work := make(chan int)
	var buying sync.WaitGroup
	for range customers {
		buying.Go(func() {
			c := newCrashCustomer(shopURL)
			for i := range work {
				provider, sim := "wezopay", simctl.Controller(wezo)
				if i%4 == 3 {
					provider, sim = "eazzpay", eazz
				}
				results[i] = c.buy(t, i, provider, sim, fates[i])
			}
		})
	}
	done := make(chan struct{})
	go func() {
		for i := range purchases {
			work <- i
		}
		close(work)
		buying.Wait()
		close(done)
	}()

	// The killer: after a seeded pause, kill -9, note the intents left
	// unanswered, restart on the same database.
	interrupted := map[string]string{} // invoice → provider: entries left in "sending" by a kill
	kills, heldKills := 0, 0
	var restarts time.Duration
killing:
	for kills < maxKills {
		select {
		case <-done:
			break killing
		case <-time.After(time.Duration(300+rng.IntN(900)) * time.Millisecond):
		}
		if kills%2 == 0 {
			if !waitHeld(done, wezoProxy, eazzProxy) {
				break
			}
			heldKills++
		}
		shop.kill()
		kills++
		for inv, provider := range sendingEntries(t, dbPath) {
			interrupted[inv] = provider
		}
		// The shop stays down a moment, as under a process manager: the
		// notifications of payments made meanwhile are lost.
		time.Sleep(250 * time.Millisecond)
		restarted := time.Now()
		shop.start()
		restarts += time.Since(restarted)
	}
	<-done
	purchasing := time.Since(began)
	if heldKills > 0 {
		require.NotEmpty(t, interrupted, "a kill while a create's answer was held leaves its intent unanswered")
	}

	// Let the shop settle: the reconciler sweeps every 300 ms and settles
	// unanswered intents after 2 s; EazzPay retries its notifications.
	store, err := sqlite.Open(ctx, dbPath)
	require.NoError(t, err)
	defer store.Close()
	orders := &orderStore{db: store.DB(), now: time.Now}
	var problems []string
	deadline := time.Now().Add(45 * time.Second)
	for {
		problems = crashProblems(ctx, store, orders, wezo, eazz, interrupted)
		if len(problems) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, p := range problems {
		t.Error(p)
	}
	settling := time.Since(began) - purchasing

	// No invoice has two payments, and every purchase that reached a
	// payment page has its order and its ledger entry.
	all, err := orders.all(ctx)
	require.NoError(t, err)
	sims := map[string]simctl.Controller{"wezopay": wezo, "eazzpay": eazz}
	for _, o := range all {
		n, err := sims[o.Provider].PaymentCount(ctx, o.InvoiceID)
		require.NoError(t, err)
		assert.LessOrEqual(t, n, 1, "%s %s has %d payments", o.Provider, o.InvoiceID, n)
	}
	tally := map[string]int{}
	for _, r := range results {
		tally[r.outcome]++
		if r.paymentID == "" {
			continue
		}
		e, err := store.ByPaymentID(ctx, r.provider, r.paymentID)
		if assert.NoError(t, err, "purchase %d: payment %s is in the ledger", r.i, r.paymentID) {
			_, err := orders.find(ctx, r.provider, e.InvoiceID)
			assert.NoError(t, err, "purchase %d: its order exists", r.i)
		}
	}
	settled := map[string]int{}
	for inv, provider := range interrupted {
		e, err := store.ByInvoice(ctx, provider, inv)
		require.NoError(t, err)
		settled[provider+" "+string(e.Outcome)]++
	}
	lost := 0
	for _, d := range wezo.Deliveries() {
		if !d.Delivered {
			lost++
		}
	}
	code := shop.stop()
	assert.Equal(t, 0, code, "the shop stops cleanly on SIGTERM")
	t.Logf("%d purchases by %d customers, %d kills (%d while a create's answer was held): %v", purchases, customers, kills, heldKills, tally)
	t.Logf("intents left unanswered by the kills, as settled: %v; WezoPay notifications lost (the reconciler found those payments): %d",
		settled, lost)
	t.Logf("purchasing took %s (restarts %s of it), settling %s, %d orders", purchasing.Round(time.Millisecond),
		restarts.Round(time.Millisecond), settling.Round(time.Millisecond), len(all))
	if t.Failed() {
		shop.logTail()
	}
}

// crashProblems lists what is not yet as it must end: every payment a
// simulator holds is in the ledger with its order; paid and cancelled ones
// are so in both; intents left by a kill at WezoPay are settled.
func crashProblems(ctx context.Context, store ledger.Store, orders *orderStore, wezo *wezopaytest.Server, eazz *eazzpaytest.Server,
	interrupted map[string]string) []string {
	var out []string
	check := func(provider string, sim *simkit.Server, paid, cancelled string) {
		for _, p := range sim.Store.All() {
			e, err := store.ByInvoice(ctx, provider, p.InvoiceID)
			if err != nil {
				out = append(out, fmt.Sprintf("%s payment %s (%s): not in the ledger: %v", provider, p.ID, p.InvoiceID, err))
				continue
			}
			o, err := orders.find(ctx, provider, p.InvoiceID)
			if err != nil {
				out = append(out, fmt.Sprintf("%s payment %s (%s): no order: %v", provider, p.ID, p.InvoiceID, err))
				continue
			}
			switch p.Status {
			case paid:
				if e.Status != mfspay.StatusPaid || o.Status != statusPaid {
					out = append(out, fmt.Sprintf("%s payment %s (%s) is paid; ledger %s, order %s", provider, p.ID, p.InvoiceID, e.Status, o.Status))
				}
			case cancelled:
				if e.Status != mfspay.StatusCancelled || o.Status != statusCancelled {
					out = append(out, fmt.Sprintf("%s payment %s (%s) is cancelled; ledger %s, order %s", provider, p.ID, p.InvoiceID, e.Status, o.Status))
				}
			}
		}
	}
	check("wezopay", wezo.Server, wezopaytest.StatusPaid, wezopaytest.StatusCancelled)
	check("eazzpay", eazz.Server, eazzpaytest.StatusCompleted, eazzpaytest.StatusCanceled)
	for inv, provider := range interrupted {
		if provider != "wezopay" {
			continue // EazzPay cannot be asked: its unanswered intents stay open, listed for a human
		}
		if e, err := store.ByInvoice(ctx, provider, inv); err != nil || e.Outcome == ledger.OutcomeSending {
			p, held := wezo.PaymentByInvoice(inv)
			out = append(out, fmt.Sprintf("%s %s: the intent a kill left is not settled: %+v (%v); the provider holds it: %v %+v",
				provider, inv, e, err, held, p))
		}
	}
	return out
}

// sendingEntries opens the dead shop's ledger and returns the entries left
// between intent and answer, invoice → provider.
func sendingEntries(t *testing.T, dbPath string) map[string]string {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, dbPath)
	require.NoError(t, err)
	defer store.Close()
	out := map[string]string{}
	var after ledger.Entry
	for {
		page, err := store.Open(ctx, time.Now().Add(time.Hour), after, 500)
		require.NoError(t, err)
		for _, e := range page {
			if e.Outcome == ledger.OutcomeSending {
				out[e.InvoiceID] = e.Provider
			}
		}
		if len(page) < 500 {
			return out
		}
		after = page[len(page)-1]
	}
}

// all returns every order (tests).
func (s *orderStore) all(ctx context.Context) ([]order, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM checkout_orders ORDER BY created_at`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []order
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var o order
		if err := json.Unmarshal([]byte(data), &o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// crashPurchase is one scripted purchase of the crash test.
type crashPurchase struct {
	i         int
	provider  string
	paymentID string
	// outcome is what the customer did: paid, cancelled, abandoned, or
	// gave up (the shop could not give a payment page).
	outcome string
}

// crashCustomer buys through the shop's form over HTTP and pays on the
// simulator, retrying the same form while the shop is down or unsure.
type crashCustomer struct {
	shopURL string
	client  *http.Client
}

func newCrashCustomer(shopURL string) *crashCustomer {
	return &crashCustomer{shopURL: shopURL, client: &http.Client{
		Timeout: 10 * time.Second,
		// A killed shop leaves dead pooled connections; new ones each time.
		Transport:     &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// buy submits purchase i's form until the shop sends it to a payment page,
// then pays, cancels or leaves as f says. While the shop is down it
// retries; while the shop says the create's outcome is being settled (503)
// it retries for a few seconds, then gives up, as would a customer; a
// payment whose page the shop cannot recover (409) ends the purchase.
func (c *crashCustomer) buy(t *testing.T, i int, provider string, sim simctl.Controller, f fate) crashPurchase {
	res := crashPurchase{i: i, provider: provider}
	form := url.Values{"product": {catalog[i%len(catalog)].ID}, "provider": {provider}, "name": {"Crash Customer"},
		"phone": {"01712345678"}, "request_id": {fmt.Sprintf("crash-%03d", i)}}
	var down, unsure time.Time
	for res.paymentID == "" {
		resp, err := c.client.PostForm(c.shopURL+"/orders", form)
		if err != nil {
			if down.IsZero() {
				down = time.Now()
			}
			if time.Since(down) > 60*time.Second {
				t.Errorf("purchase %d: the shop stayed unreachable: %v", i, err)
				res.outcome = "gave up: shop down"
				return res
			}
			time.Sleep(30 * time.Millisecond)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		down = time.Time{}
		switch resp.StatusCode {
		case http.StatusSeeOther:
			res.paymentID = path.Base(resp.Header.Get("Location"))
		case http.StatusServiceUnavailable:
			if unsure.IsZero() {
				unsure = time.Now()
			}
			if time.Since(unsure) > 4*time.Second {
				res.outcome = "gave up: outcome unknown"
				return res
			}
			time.Sleep(100 * time.Millisecond)
		case http.StatusConflict:
			res.outcome = "gave up: payment page lost"
			return res
		default:
			t.Errorf("purchase %d: the shop answered %s", i, resp.Status)
			res.outcome = "gave up: " + resp.Status
			return res
		}
	}
	ctx := context.Background()
	// The customer takes a moment on the payment page.
	time.Sleep(time.Duration(rand.New(rand.NewPCG(uint64(i), 7)).IntN(150)) * time.Millisecond)
	switch f {
	case fatePay:
		res.outcome = "paid"
		assert.NoError(t, sim.Pay(ctx, res.paymentID, simctl.Payer{}), "purchase %d", i)
	case fateCancel:
		res.outcome = "cancelled"
		assert.NoError(t, sim.Cancel(ctx, res.paymentID), "purchase %d", i)
	default:
		res.outcome = "abandoned"
	}
	return res
}

// holdingProxy stands between the shop and a simulator, and holds every
// POST's answer (a create: the simulator has already made the payment)
// back for a random moment, widening the window in which the shop has sent
// a create but not recorded its answer.
type holdingProxy struct {
	srv  *httptest.Server
	held atomic.Int64

	mu  sync.Mutex
	rng *rand.Rand
}

func newHoldingProxy(t *testing.T, target string, seed uint64) *holdingProxy {
	u, err := url.Parse(target)
	require.NoError(t, err)
	p := &holdingProxy{rng: rand.New(rand.NewPCG(seed, seed))}
	p.srv = httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u) },
		ModifyResponse: func(resp *http.Response) error {
			if resp.Request.Method == http.MethodPost {
				p.held.Add(1)
				time.Sleep(p.delay())
				p.held.Add(-1)
			}
			return nil
		},
	})
	t.Cleanup(p.srv.Close)
	return p
}

func (p *holdingProxy) delay() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Duration(p.rng.IntN(250)) * time.Millisecond
}

// waitHeld waits until a create's answer is held by either proxy; false
// when the purchases ended first.
func waitHeld(done chan struct{}, proxies ...*holdingProxy) bool {
	for {
		for _, p := range proxies {
			if p.held.Load() > 0 {
				return true
			}
		}
		select {
		case <-done:
			return false
		case <-time.After(time.Millisecond):
		}
	}
}

// shopProcess is the shop as a process of its own: this test binary run
// again (see TestMain), which makes no use of the test process's memory.
type shopProcess struct {
	t      *testing.T
	url    string
	logs   string
	args   []string
	env    []string
	cmd    *exec.Cmd
	starts int
}

// start starts the shop and waits until its product page answers.
func (p *shopProcess) start() {
	p.t.Helper()
	p.starts++
	logFile, err := os.Create(filepath.Join(p.logs, fmt.Sprintf("shop-%02d.log", p.starts)))
	require.NoError(p.t, err)
	spec, err := json.Marshal(p.args)
	require.NoError(p.t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), p.env...), childShopArgs+"="+string(spec))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(p.t, cmd.Start())
	logFile.Close()
	p.cmd = cmd
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(p.url + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			p.logTail()
			require.FailNow(p.t, "the shop did not come up", "%v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the shop with SIGKILL: no deferred function, no shutdown.
func (p *shopProcess) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	p.cmd = nil
}

func (p *shopProcess) killIfRunning() {
	if p.cmd != nil {
		p.kill()
	}
}

// stop ends the shop with SIGTERM and returns its exit code.
func (p *shopProcess) stop() int {
	p.cmd.Process.Signal(syscall.SIGTERM)
	err := p.cmd.Wait()
	p.cmd = nil
	if err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return exit.ExitCode()
		}
		return -1
	}
	return 0
}

// logTail shows what every run of the shop logged, but the sweeps' reports.
func (p *shopProcess) logTail() {
	for i := 1; i <= p.starts; i++ {
		b, err := os.ReadFile(filepath.Join(p.logs, fmt.Sprintf("shop-%02d.log", i)))
		if err != nil {
			continue
		}
		var lines []string
		for _, line := range strings.Split(string(b), "\n") {
			if !strings.Contains(line, "sweep done") && strings.TrimSpace(line) != "" {
				lines = append(lines, line)
			}
		}
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		p.t.Logf("shop run %d logged:\n%s", i, strings.Join(lines, "\n"))
	}
}

// freePort returns a loopback port nobody listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	require.NoError(t, err)
	return port
}
