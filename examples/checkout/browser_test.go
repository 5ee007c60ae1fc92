package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireBrowserEnv makes a missing browser a failure instead of a skip.
// CI sets it to 1.
const requireBrowserEnv = "MFSPAY_REQUIRE_BROWSER"

// findBrowser returns the Chromium (or Chrome) executable, or skips the test
// with instructions, or fails it when requireBrowserEnv says a browser must
// be there.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "/usr/bin/chromium"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv(requireBrowserEnv) == "1" {
		t.Fatalf("chromium is missing, and %s=1 requires the browser test: install it with apt-get install chromium", requireBrowserEnv)
	}
	t.Skip("no Chromium found: install it (apt-get install chromium), then run go test ./examples/checkout -run Browser")
	return ""
}

// newBrowser starts headless Chromium with a fresh profile. The flags keep it
// off the network it would otherwise call home to (this machine has none, and
// Chromium hangs on those connections).
func newBrowser(t *testing.T, ctx context.Context, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], // --headless --no-first-run --disable-background-networking --disable-sync …
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 1400),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	// chromedp may report protocol trouble after the test has ended; log it
	// only while the test runs.
	var mu sync.Mutex
	done := false
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			t.Logf("chromedp: "+format, args...)
		}
	}
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf))
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc() // waits for the browser to exit, before TempDir is removed.
		mu.Lock()
		done = true
		mu.Unlock()
	})
	require.NoError(t, chromedp.Do(browserCtx), "starting %s", path)
	return browserCtx
}

// TestBrowserCheckout buys with each provider in a real browser: product
// page, hosted page, Pay, back to the shop, order PAID.
func TestBrowserCheckout(t *testing.T) {
	path := findBrowser(t)
	a := startTestApp(t, appConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	browser := newBrowser(t, ctx, path)

	for i, g := range a.shop.gateways {
		t.Run(g.Name, func(t *testing.T) {
			p := catalog[i%len(catalog)]
			trxID := "BR" + randomID(upperAlphabet, 8)
			defer screenshotOnFailure(t, browser, g.Name)
			step, cancel := context.WithTimeout(browser, 15*time.Second)
			defer cancel()

			require.NoError(t, chromedp.Do(step,
				chromedp.Navigate(a.URL+"/"),
				chromedp.Click(chromedp.ID("pay-"+p.ID+"-"+g.Name)),
				chromedp.SendKeys(chromedp.ID("name-"+p.ID), "Rahim Khan"),
				chromedp.SendKeys(chromedp.ID("phone-"+p.ID), "01712345678"),
				chromedp.Click(chromedp.ID("buy-"+p.ID)),
				chromedp.WaitVisible(chromedp.CSS(`input[name="trx_id"]`)),
			), "ordering on the shop")
			hosted, err := chromedp.Run(step, chromedp.Location())
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(hosted, strings.TrimSuffix(g.DashboardURL, "/_dashboard")+"/"),
				"on %s's hosted page, got %s", g.Title, hosted)

			require.NoError(t, chromedp.Do(step,
				chromedp.Click(chromedp.CSS(`input[name="method"]`)), // the first wallet: bKash
				chromedp.SendKeys(chromedp.CSS(`input[name="sender"]`), "01712345678"),
				chromedp.SendKeys(chromedp.CSS(`input[name="trx_id"]`), trxID),
				chromedp.Click(chromedp.CSS(`button[value="pay"]`)),
				chromedp.WaitVisible(chromedp.ID("trust")), // only the shop's order page has it
			), "paying on the hosted page")
			back, err := chromedp.Run(step, chromedp.Location())
			require.NoError(t, err)
			m := regexp.MustCompile(`^` + regexp.QuoteMeta(a.URL) + `/orders/([a-z0-9]+)/success$`).FindStringSubmatch(back)
			require.NotNil(t, m, "back on the shop's success page, got %s", back)
			orderID := m[1]

			// The page refreshes itself until the verified notification
			// has arrived.
			require.NoError(t, chromedp.Do(step, chromedp.WaitVisible(chromedp.CSS("#status.paid"))), "waiting for PAID")
			status, err := chromedp.Run(step, chromedp.Text(chromedp.ID("status")))
			require.NoError(t, err)
			assert.Equal(t, "PAID", status)
			wallet, err := chromedp.Run(step, chromedp.Text(chromedp.ID("wallet")))
			require.NoError(t, err)
			assert.Contains(t, wallet, trxID)

			o := a.shop.orders.mustGet(t, orderID)
			assert.Equal(t, statusPaid, o.Status)
			assert.Equal(t, g.Name, o.Provider)
			assert.Equal(t, p.Price, o.Amount)
			assert.Equal(t, trxID, o.TrxID)
		})
	}
}

// screenshotOnFailure saves what the browser shows when t has failed, and
// logs where the page was.
func screenshotOnFailure(t *testing.T, browser context.Context, name string) {
	if !t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(browser, 5*time.Second)
	defer cancel()
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		t.Logf("the browser was at %s", loc)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	file := filepath.Join(t.TempDir(), fmt.Sprintf("%s-failure.png", name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", file)
}
