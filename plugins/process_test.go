package plugins

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	"github.com/mfspay/mfspay/plugins/internal/fakepay"
)

// openFakeProcess starts the fakepay plugin binary and configures it
// against the simulator the plugin serves itself.
func openFakeProcess(t *testing.T, cfg Config) (*Client, simctl.Controller, simctl.Settings) {
	t.Helper()
	ctx := context.Background()
	if cfg.Retry == (mfspay.RetryPolicy{}) {
		cfg.Retry = testRetry
	}
	c, err := Open(ctx, binary(t, "fakeplugin"), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	sim, err := c.Simulator(ctx)
	require.NoError(t, err)
	s, err := sim.Settings(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Configure(ctx, s.Values))
	return c, sim, s
}

func TestProcessOperations(t *testing.T) {
	ctx := context.Background()
	c, sim, s := openFakeProcess(t, Config{})
	assert.NotZero(t, c.PID())
	assert.Equal(t, fakepay.Name, c.Provider())

	co, err := c.CreatePayment(ctx, createRequest("INV-proc-1"))
	require.NoError(t, err)
	assert.Equal(t, "INV-proc-1", co.InvoiceID)
	_, err = c.CreatePayment(ctx, createRequest("INV-proc-1"))
	require.ErrorIs(t, err, mfspay.ErrDuplicate)
	require.NoError(t, sim.Pay(ctx, co.PaymentID, simctl.Payer{Method: mfspay.MethodRocket, Sender: "01812345678", TrxID: "TRX1"}))

	for _, ref := range []mfspay.PaymentRef{{InvoiceID: "INV-proc-1"}, {PaymentID: co.PaymentID}} {
		p, err := c.VerifyPayment(ctx, ref)
		require.NoError(t, err)
		assert.Equal(t, mfspay.Payment{Provider: fakepay.Name, PaymentID: co.PaymentID, InvoiceID: "INV-proc-1",
			Status: mfspay.StatusPaid, Amount: mfspay.Poisha(25050), TrxID: "TRX1", Method: mfspay.MethodRocket,
			Sender: "01812345678", PaidAt: time.Date(2026, 6, 8, 11, 45, 0, 0, time.UTC)}, *p)
	}
	_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-nobody"})
	var e *mfspay.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, mfspay.ErrNotFound)
	assert.Equal(t, 404, e.HTTPStatus)
	assert.Equal(t, "not_found", e.Code)

	page, err := c.ListPayments(ctx, mfspay.ListQuery{Status: mfspay.StatusPaid})
	require.NoError(t, err)
	assert.Equal(t, 1, page.Total)

	notes, err := sim.Notifications(ctx, co.PaymentID)
	require.NoError(t, err)
	require.Len(t, notes, 1)
	ev, err := c.ParseWebhook(ctx, notes[0])
	require.NoError(t, err)
	assert.Equal(t, mfspay.EventPaymentCompleted, ev.Type)
	notes[0].Body = append(notes[0].Body, ' ')
	_, err = c.ParseWebhook(ctx, notes[0])
	require.ErrorIs(t, err, mfspay.ErrInvalidSignature)

	require.NoError(t, sim.Fail(ctx, simctl.Fault{Status: 429, RetryAfter: 7 * time.Second}))
	_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-proc-1"})
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, mfspay.ErrRateLimited)
	assert.Equal(t, 7*time.Second, e.RetryAfter)

	_, err = c.CreatePayment(ctx, createRequest(fakepay.PanicInvoice))
	require.ErrorIs(t, err, mfspay.ErrOutcomeUnknown)

	require.NoError(t, c.Configure(ctx, s.BadCredentials))
	_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-proc-1"})
	require.ErrorIs(t, err, mfspay.ErrUnauthorized)
}

func TestDeadlinePropagatesToProcess(t *testing.T) {
	c, sim, _ := openFakeProcess(t, Config{})
	checkDeadline(t, c, sim)
}

func TestChecksum(t *testing.T) {
	ctx := context.Background()
	path := binary(t, "fakeplugin")
	sum := fileSHA256(t, path)

	c, err := Open(ctx, path, Config{SHA256: strings.ToUpper(sum)})
	require.NoError(t, err, "a matching checksum opens, in either letter case")
	require.NoError(t, c.Close())

	_, err = Open(ctx, path, Config{SHA256: "abc"})
	require.ErrorContains(t, err, "not a hex SHA-256")

	t.Run("a mismatch is refused before the binary runs", func(t *testing.T) {
		dir := t.TempDir()
		marker := filepath.Join(dir, "ran")
		script := filepath.Join(dir, "mfspay-plugin-evil")
		require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o755))
		_, err := Open(ctx, script, Config{SHA256: sum})
		require.ErrorIs(t, err, ErrChecksumMismatch)
		assert.Contains(t, err.Error(), script)
		assert.NoFileExists(t, marker)
	})

	t.Run("a binary replaced after Open is not relaunched", func(t *testing.T) {
		dir := t.TempDir()
		copyPath := filepath.Join(dir, "mfspay-plugin-fakepay")
		copyFile(t, path, copyPath)
		c, err := Open(ctx, copyPath, Config{SHA256: sum})
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, os.Remove(copyPath))
		require.NoError(t, os.WriteFile(copyPath, []byte("#!/bin/sh\nexit 0\n"), 0o755))
		require.NoError(t, syscall.Kill(c.PID(), syscall.SIGKILL))
		waitGone(t, c)
		// A create, not a verify: the unconfigured plugin declares no
		// verify, which the host would refuse without relaunching it.
		_, err = c.CreatePayment(ctx, createRequest(newInvoice("swapped")))
		require.ErrorIs(t, err, mfspay.ErrUnavailable)
		require.ErrorIs(t, err, ErrChecksumMismatch)
	})
}

func TestOtherProtocolVersionIsRefused(t *testing.T) {
	binary(t, "otherversion")
	start := time.Now()
	_, err := Open(context.Background(), binary(t, "otherversion"), Config{StartTimeout: 30 * time.Second})
	t.Logf("refused in %v: %v", time.Since(start), err)
	require.ErrorIs(t, err, ErrIncompatible)
	assert.Contains(t, err.Error(), "protocol version")
	assert.Less(t, time.Since(start), 10*time.Second, "refused at the handshake, not after the start timeout")
}

func TestNotAPluginIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name, path, says string
	}{
		{"prints junk", binary(t, "junk"), `its first output line is not a plugin handshake: "hello, I am not a plugin"`},
		{"exits at once", "/bin/true", "it ended its output without a plugin handshake"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := Open(context.Background(), tc.path, Config{StartTimeout: 30 * time.Second})
			t.Logf("refused in %v: %v", time.Since(start), err)
			require.ErrorIs(t, err, ErrHandshake)
			assert.Contains(t, err.Error(), tc.says)
			assert.Less(t, time.Since(start), 10*time.Second, "refused at the handshake, not after the start timeout")
		})
	}
	t.Run("not runnable", func(t *testing.T) {
		dir := t.TempDir()
		plain := filepath.Join(dir, "mfspay-plugin-plain")
		require.NoError(t, os.WriteFile(plain, []byte("data"), 0o644))
		_, err := Open(context.Background(), plain, Config{})
		require.ErrorContains(t, err, "not executable")
		_, err = Open(context.Background(), dir, Config{})
		require.ErrorContains(t, err, "not a regular file")
		_, err = Open(context.Background(), filepath.Join(dir, "missing"), Config{})
		require.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("a plugin run by hand explains itself", func(t *testing.T) {
		out, err := exec.Command(binary(t, "fakeplugin")).CombinedOutput()
		require.Error(t, err)
		assert.Contains(t, string(out), "This binary is a plugin")
	})
}

func TestKillDuringCalls(t *testing.T) {
	ctx := context.Background()
	c, sim, _ := openFakeProcess(t, Config{Breaker: mfspay.BreakerSettings{FailureThreshold: 100}})
	oldPID := c.PID()
	const calls = 5
	require.NoError(t, sim.Fail(ctx, simctl.Fault{Delay: time.Minute, Count: calls}))

	type result struct {
		op  string
		err error
		dur time.Duration
	}
	results := make(chan result, calls)
	var killed time.Time
	var mu sync.Mutex
	for i := range calls {
		op := mfspay.OpVerify
		if i == 0 {
			op = mfspay.OpCreate
		}
		go func() {
			err := callOp(ctx, c, op)
			mu.Lock()
			d := time.Since(killed)
			mu.Unlock()
			results <- result{op, err, d}
		}()
	}
	require.Eventually(t, func() bool {
		n, err := sim.RequestCount(ctx)
		return err == nil && n == calls
	}, 10*time.Second, 5*time.Millisecond, "every call is in flight at the provider")

	mu.Lock()
	killed = time.Now()
	mu.Unlock()
	require.NoError(t, syscall.Kill(oldPID, syscall.SIGKILL))
	var slowest time.Duration
	for range calls {
		select {
		case r := <-results:
			slowest = max(slowest, r.dur)
			assert.Less(t, r.dur, 3*time.Second, "in-flight calls fail fast")
			var e *mfspay.Error
			require.ErrorAs(t, r.err, &e)
			if r.op == mfspay.OpCreate {
				assert.ErrorIs(t, r.err, mfspay.ErrOutcomeUnknown, "a create in flight may have happened")
			} else {
				assert.ErrorIs(t, r.err, mfspay.ErrUnavailable)
			}
			assert.ErrorIs(t, r.err, errExited)
		case <-time.After(10 * time.Second):
			t.Fatal("a call in flight did not return after the plugin died")
		}
	}

	start := time.Now()
	co, err := c.CreatePayment(ctx, createRequest(newInvoice("relaunched")))
	require.NoError(t, err, "the next call relaunches and reconfigures the plugin")
	t.Logf("calls in flight failed within %v of the kill; the relaunching call took %v", slowest, time.Since(start))
	assert.NotEmpty(t, co.PaymentID)
	assert.NotEqual(t, oldPID, c.PID())
	assert.True(t, processGone(oldPID))
}

func TestCloseLeavesNothing(t *testing.T) {
	binary(t, "fakeplugin") // build first: the go command's goroutines are not ours
	ignore := goleak.IgnoreCurrent()
	fds := openFDs(t)
	c, err := Open(context.Background(), binary(t, "fakeplugin"), Config{})
	require.NoError(t, err)
	pid := c.PID()
	require.NotZero(t, pid)
	_, err = c.Simulator(context.Background())
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, c.Close())
	t.Logf("Close took %v", time.Since(start))

	assert.True(t, processGone(pid), "Close waits for the process to end")
	assert.Zero(t, c.PID())
	goleak.VerifyNone(t, ignore)
	assert.Eventually(t, func() bool { return openFDs(t) == fds }, 2*time.Second, 10*time.Millisecond,
		"descriptors: %d before, %d after", fds, openFDs(t))
}

func TestPluginExitsWhenHostDies(t *testing.T) {
	host := exec.Command(os.Args[0])
	host.Env = append(os.Environ(), envHelperHost+"="+binary(t, "fakeplugin"))
	stdout, err := host.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, host.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	require.NoError(t, err, "helper host said %q", line)
	require.False(t, processGone(pid), "the plugin runs")

	require.NoError(t, host.Process.Kill()) // SIGKILL: no chance to close the plugin
	_ = host.Wait()
	killed := time.Now()
	assert.Eventually(t, func() bool { return processGone(pid) }, 5*time.Second, 5*time.Millisecond,
		"the plugin exits when its host dies")
	t.Logf("the plugin was gone %v after its host", time.Since(killed))
	if !processGone(pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

func TestSecretsStayOutOfArgvEnvironmentAndLogs(t *testing.T) {
	const hostSecret = "host-env-secret-7c1f9d"
	t.Setenv("PAYMENT_API_KEY_OF_THE_HOST", hostSecret)
	ctx := context.Background()
	rec := &recorder{}
	token, webhookSecret := "fk_secret_token_9a8b7c", "fk_webhook_secret_6d5e4f"
	settings := map[string]string{fakepay.SettingStore: "store-secrets", fakepay.SettingToken: token,
		fakepay.SettingWebhookSecret: webhookSecret}
	c, err := Open(ctx, binary(t, "fakeplugin"), Config{Settings: settings, Logger: slog.New(rec), Retry: testRetry})
	require.NoError(t, err)
	pid := c.PID()

	for _, f := range []string{"cmdline", "environ"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, f))
		require.NoError(t, err)
		require.NotEmpty(t, b)
		for _, secret := range []string{token, webhookSecret, hostSecret} {
			assert.NotContains(t, string(b), secret, "%s of the plugin", f)
		}
	}
	environ, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	assert.Contains(t, string(environ), "PATH=", "what a program needs is inherited")

	// Exercise errors too: they are where secrets like to leak.
	_, err = c.CreatePayment(ctx, createRequest(newInvoice("secret")))
	require.NoError(t, err)
	require.NoError(t, c.Configure(ctx, map[string]string{fakepay.SettingStore: "store-secrets", fakepay.SettingToken: "wrong-" + token}))
	_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
	require.ErrorIs(t, err, mfspay.ErrUnauthorized)
	assert.NotContains(t, err.Error(), token)
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL)) // a crash and relaunch log too
	waitGone(t, c)
	_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
	// The relaunched fakepay recreates its store from the settings it is
	// given, so the wrong token is now the right one.
	require.ErrorIs(t, err, mfspay.ErrNotFound)
	require.NoError(t, c.Close())

	logs := rec.text()
	for _, secret := range []string{token, webhookSecret, hostSecret} {
		assert.NotContains(t, logs, secret)
	}
	// The logs did flow, each at its level.
	assert.True(t, rec.has(slog.LevelWarn, "fakepay configured"), "a plugin's warning arrives as a warning")
	assert.True(t, rec.has(slog.LevelDebug, "plugin address"), "go-plugin's debug lines arrive as debug")
	assert.True(t, rec.has(slog.LevelWarn, "plugin process exited; relaunching"))
}

func TestPluginPrintsReachTheLog(t *testing.T) {
	rec := &recorder{}
	c, err := Open(context.Background(), binary(t, "fakeplugin"), Config{Logger: slog.New(rec),
		Settings: map[string]string{fakepay.SettingStore: "s", fakepay.SettingToken: "t", fakepay.SettingSay: "hello from the plugin"}})
	require.NoError(t, err)
	defer c.Close()
	streams := func() []string {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		var out []string
		for _, r := range rec.records {
			r.Attrs(func(a slog.Attr) bool {
				if r.Message == "hello from the plugin" && a.Key == "stream" {
					out = append(out, a.Value.String())
				}
				return true
			})
		}
		return out
	}
	assert.Eventually(t, func() bool { return len(streams()) == 2 }, 5*time.Second, 5*time.Millisecond,
		"stdout and stderr prints are relayed, not lost")
	assert.ElementsMatch(t, []string{"stdout", "stderr"}, streams())
}

// waitGone waits until the client has seen its plugin die.
func waitGone(t *testing.T, c *Client) {
	t.Helper()
	require.Eventually(t, func() bool { return c.PID() == 0 }, 5*time.Second, 5*time.Millisecond)
}

func fileSHA256(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, b, 0o755))
}

func openFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(entries)
}

// recorder is a slog.Handler keeping every record, for log assertions.
type recorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec.Clone())
	return nil
}

func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

func (r *recorder) has(level slog.Level, msg string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range r.records {
		if rec.Level == level && rec.Message == msg {
			return true
		}
	}
	return false
}

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b bytes.Buffer
	for _, rec := range r.records {
		fmt.Fprintf(&b, "%s %s", rec.Level, rec.Message)
		rec.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
		b.WriteByte('\n')
	}
	return b.String()
}
