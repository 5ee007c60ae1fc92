package plugins

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/plugins/internal/fakepay"
)

// pinnedModes are the ways a pinned launch copies the binary; Open uses the
// first that works on the platform.
var pinnedModes = []struct {
	name     string
	newImage newImageFunc
}{
	{"platform", newPlatformImage},
	{"private copy", newCopyImage},
}

// TestPinnedLaunchIdentityAndCleanup checks that a pinned plugin is known
// by its configured path (logs, command line), that its copy is not left
// behind, and that Close leaves no descriptor.
func TestPinnedLaunchIdentityAndCleanup(t *testing.T) {
	ctx := context.Background()
	for _, mode := range pinnedModes {
		t.Run(mode.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp) // where a private copy would go (and go-plugin's socket)
			path := filepath.Join(t.TempDir(), "mfspay-plugin-fakepay")
			copyFile(t, binary(t, "fakeplugin"), path)
			fds := openFDs(t)
			rec := &recorder{}
			settings := map[string]string{fakepay.SettingStore: "pinned", fakepay.SettingToken: "t", fakepay.SettingSay: "hello from the pinned plugin"}
			c, err := openProcess(ctx, path, Config{SHA256: fileSHA256(t, path), Settings: settings, Logger: slog.New(rec)}, mode.newImage)
			require.NoError(t, err)

			for range 2 { // the first launch and a relaunch
				pid := c.PID()
				require.NotZero(t, pid)
				cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
				require.NoError(t, err)
				argv0, _, _ := strings.Cut(string(cmdline), "\x00")
				assert.Equal(t, path, argv0, "the process shows the configured path")
				copies, err := filepath.Glob(filepath.Join(tmp, "mfspay-plugin-*"))
				require.NoError(t, err)
				assert.Empty(t, copies, "the private copy is removed once the plugin runs")

				require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
				waitGone(t, c)
				_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
				require.ErrorIs(t, err, mfspay.ErrNotFound, "the relaunched plugin answers")
			}
			require.Eventually(t, func() bool { return rec.has(slog.LevelInfo, "hello from the pinned plugin") },
				5*time.Second, 5*time.Millisecond)
			require.NoError(t, c.Close())

			logs := rec.text()
			assert.Contains(t, logs, "plugin="+path, "go-plugin names the plugin by its configured path")
			assert.Contains(t, logs, "logger="+filepath.Base(path), "the plugin's log lines are named after it")
			assert.NotContains(t, logs, "/proc/self/fd/")
			assert.NotContains(t, logs, filepath.Join(tmp, "mfspay-plugin-"))
			assert.Eventually(t, func() bool { return openFDs(t) == fds }, 2*time.Second, 10*time.Millisecond,
				"descriptors: %d before, %d after", fds, openFDs(t))
		})
	}
}

func TestPinnedRefusals(t *testing.T) {
	ctx := context.Background()
	t.Run("a script, whose interpreter would read it again by path", func(t *testing.T) {
		dir := t.TempDir()
		marker := filepath.Join(dir, "ran")
		script := filepath.Join(dir, "mfspay-plugin-script")
		require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o755))
		_, err := Open(ctx, script, Config{SHA256: fileSHA256(t, script)})
		require.ErrorContains(t, err, "a #! script cannot be pinned")
		assert.NoFileExists(t, marker)
	})
	t.Run("a FIFO renamed into place is refused without blocking", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "mfspay-plugin-fakepay")
		copyFile(t, binary(t, "fakeplugin"), path)
		c, err := Open(ctx, path, Config{SHA256: fileSHA256(t, path)})
		require.NoError(t, err)
		defer c.Close()
		fifo := filepath.Join(dir, "fifo")
		require.NoError(t, syscall.Mkfifo(fifo, 0o755))
		require.NoError(t, os.Rename(fifo, path))
		require.NoError(t, syscall.Kill(c.PID(), syscall.SIGKILL))
		waitGone(t, c)
		done := make(chan error, 1)
		go func() {
			_, err := c.CreatePayment(ctx, createRequest(newInvoice("fifo")))
			done <- err
		}()
		select {
		case err := <-done:
			require.ErrorIs(t, err, mfspay.ErrUnavailable)
			assert.ErrorContains(t, err, "not a regular file")
		case <-time.After(10 * time.Second):
			t.Fatal("the relaunch blocked on the FIFO")
		}
	})
	t.Run("a file truncated while read", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "mfspay-plugin-fakepay")
		copyFile(t, binary(t, "fakeplugin"), path)
		sum := fileSHA256(t, path)
		short := func(string) (imageWriter, error) {
			w, err := newCopyImage("short")
			require.NoError(t, os.Truncate(path, 100)) // after the host opened and measured it
			return w, err
		}
		_, err := pinBinary(path, mustSHA(t, sum), short)
		require.Error(t, err)
		assert.ErrorContains(t, err, "EOF")
	})
}

func mustSHA(t testing.TB, s string) []byte {
	t.Helper()
	b, err := parseSHA256(s)
	require.NoError(t, err)
	return b
}
