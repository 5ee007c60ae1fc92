package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/bkash/bkashtest"
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
// page, hosted page (bKash's wallet, OTP and PIN; a wallet-and-transaction
// form at the others), back to the shop, order PAID.
func TestBrowserCheckout(t *testing.T) {
	path := findBrowser(t)
	a := startTestApp(t, appConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	browser := newBrowser(t, ctx, path)

	for i, g := range a.shop.gateways {
		t.Run(g.Name, func(t *testing.T) {
			p := catalog[i%len(catalog)]
			defer screenshotOnFailure(t, browser, g.Name)
			step, cancel := context.WithTimeout(browser, 15*time.Second)
			defer cancel()

			require.NoError(t, chromedp.Do(step,
				chromedp.Navigate(a.URL+"/"),
				chromedp.Click(chromedp.ID("pay-"+p.ID+"-"+g.Name)),
				chromedp.SendKeys(chromedp.ID("name-"+p.ID), "Rahim Khan"),
				chromedp.SendKeys(chromedp.ID("phone-"+p.ID), "01712345678"),
				chromedp.SendKeys(chromedp.ID("email-"+p.ID), "rahim.khan@example.com"),
				chromedp.Click(chromedp.ID("buy-"+p.ID)),
				chromedp.WaitVisible(chromedp.CSS(`input[name="trx_id"], input[name="wallet"]`)),
			), "ordering on the shop")
			hosted, err := chromedp.Run(step, chromedp.Location())
			require.NoError(t, err)
			require.False(t, strings.HasPrefix(hosted, a.URL+"/"), "on %s's hosted page, got %s", g.Title, hosted)

			var paid paidWith
			if g.Name == "bkash" {
				paid = browserPayBkash(t, step)
			} else {
				paid = browserPayByTransfer(t, step, a.sims, g.Name)
			}
			back, err := chromedp.Run(step, chromedp.Location())
			require.NoError(t, err)
			m := regexp.MustCompile(`^` + regexp.QuoteMeta(a.URL) + `/orders/([a-z0-9]+)/success$`).FindStringSubmatch(back)
			require.NotNil(t, m, "back on the shop's success page, got %s", back)
			orderID := m[1]

			// The page refreshes itself until the shop has verified the
			// payment.
			require.NoError(t, chromedp.Do(step, chromedp.WaitVisible(chromedp.CSS("#status.paid"))), "waiting for PAID")
			// EazzPay's wallet details come with its separate
			// wallet-transaction notification, which may follow the paid
			// one; the page stops refreshing once paid, so reload it then.
			require.Eventually(t, func() bool { return a.shop.orders.mustGet(t, orderID).TrxID != "" }, 10*time.Second, 20*time.Millisecond,
				"the wallet details reach the order")
			require.NoError(t, chromedp.Do(step, chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("wallet"))), "the order page shows the wallet")
			status, err := chromedp.Run(step, chromedp.Text(chromedp.ID("status")))
			require.NoError(t, err)
			assert.Equal(t, "PAID", status)
			wallet, err := chromedp.Run(step, chromedp.Text(chromedp.ID("wallet")))
			require.NoError(t, err)
			assert.Contains(t, wallet, paid.sender)
			learnt, err := chromedp.Run(step, chromedp.Text(chromedp.ID("learnt-by")))
			require.NoError(t, err)
			assert.NotEmpty(t, learnt, "the order page says how the payment was learnt")

			o := a.shop.orders.mustGet(t, orderID)
			assert.Equal(t, statusPaid, o.Status)
			assert.Equal(t, g.Name, o.Provider)
			assert.Equal(t, p.Price, o.Amount)
			assert.Equal(t, paid.sender, o.Sender)
			if paid.trxID != "" {
				assert.Equal(t, paid.trxID, o.TrxID)
			}
			assert.Contains(t, wallet, o.TrxID)
			assert.True(t, sameOrigin(hosted, o.RedirectURL), "the browser paid on the page the shop sent it to: %s, %s", hosted, o.RedirectURL)
		})
	}
}

// browserPayBkash goes through bKash's page as the customer: a sandbox
// wallet (replacing the number the page pre-fills from the order), the OTP,
// the PIN, each confirmed; bKash sends the browser back through the
// shop's return endpoint, which executes the payment.
func browserPayBkash(t *testing.T, step context.Context) paidWith {
	t.Helper()
	confirm := chromedp.Click(chromedp.CSS(`button[value="confirm"]`))
	require.NoError(t, chromedp.Do(step,
		chromedp.Clear(chromedp.CSS(`input[name="wallet"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="wallet"]`), demoBkashWallet),
		confirm,
		chromedp.WaitVisible(chromedp.CSS(`input[name="otp"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="otp"]`), bkashtest.OTP),
		confirm,
		chromedp.WaitVisible(chromedp.CSS(`input[name="pin"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="pin"]`), bkashtest.PIN),
		confirm,
		chromedp.WaitVisible(chromedp.ID("trust")), // only the shop's order page has it
	), "paying on bKash's page")
	return paidWith{sender: demoBkashWallet}
}

// browserPayByTransfer sends the amount the page shows from the customer's
// wallet, then types the wallet and the transaction id into the page and
// pays.
func browserPayByTransfer(t *testing.T, step context.Context, wallet moneySender, provider string) paidWith {
	t.Helper()
	paid := paidWith{sender: "01712345678", trxID: "BR" + randomID(upperAlphabet, 8)}
	shown, err := chromedp.Run(step, chromedp.Text(chromedp.ID("amount")))
	require.NoError(t, err)
	amount, err := mfspay.ParseAmount(strings.TrimSuffix(strings.TrimSpace(shown), " BDT"))
	require.NoError(t, err, "the page shows the amount to send")
	wallet.sendMoney(provider, paid.trxID, amount)
	require.NoError(t, chromedp.Do(step,
		chromedp.Click(chromedp.CSS(`input[name="method"]`)), // the first wallet: bKash
		chromedp.SendKeys(chromedp.CSS(`input[name="sender"]`), paid.sender),
		chromedp.SendKeys(chromedp.CSS(`input[name="trx_id"]`), paid.trxID),
		chromedp.Click(chromedp.CSS(`button[value="pay"]`)),
		chromedp.WaitVisible(chromedp.ID("trust")), // only the shop's order page has it
	), "paying on the hosted page")
	return paid
}

// sameOrigin reports whether two URLs have the same scheme and host.
func sameOrigin(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && ua.Scheme == ub.Scheme && ua.Host == ub.Host
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
	// Not t.TempDir, which is removed when the test ends.
	dir, err := os.MkdirTemp("", "checkout-browser-")
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	file := filepath.Join(dir, fmt.Sprintf("%s-failure.png", name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", file)
}
