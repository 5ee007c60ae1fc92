package plugins

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/internal/secretforms"
	"github.com/mfspay/mfspay/plugins/internal/fakepay"
)

// lockedLog is a log destination safe for a plugin and a test to share.
type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// assertNoSecretForm fails if log holds any form of any of secrets.
func assertNoSecretForm(t *testing.T, log string, secrets ...string) {
	t.Helper()
	for _, f := range secretforms.All(secrets...) {
		if i := strings.Index(log, f); i >= 0 {
			t.Errorf("the log shows a secret as %q: …%s…", f, log[max(0, i-40):min(len(log), i+len(f)+40)])
		}
	}
}

// logEveryForm logs each form of each secret the ways a plugin's lines
// reach the host: in the message, as a string, an error, bytes, a
// decoded-JSON object and an attribute key.
func logEveryForm(log func(msg string, args ...any), secrets ...string) {
	for _, sec := range secrets {
		for _, f := range secretforms.Of(sec) {
			log("upstream said "+f.Text, "body", "<p>"+f.Text+"</p>", "err", errors.New("denied: "+f.Text),
				"raw", []byte(f.Text), "json", map[string]any{"detail": []any{f.Text}}, f.Text, "as a key",
				slog.Group("request", "query", "key="+f.Text))
		}
	}
}

// TestHostLogRedactsSecretsInEveryForm: the plugin's log lines, relayed
// through go-plugin's hclog interface, its standard logger, or written by
// an in-memory plugin straight to the host's logger, never show a secret
// the host configured it with, in any encoding, whatever the handler.
func TestHostLogRedactsSecretsInEveryForm(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			var out lockedLog
			var h slog.Handler = slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})
			if format == "json" {
				h = slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})
			}
			settings := map[string]string{"api_key": secretforms.Secrets[0],
				"webhook_secrets": strings.Join(secretforms.Secrets[1:], ","), "say": "kept as is"}
			cfg := Config{Settings: settings, Logger: slog.New(h)}.withDefaults()

			relay := newSlogHCLog(cfg.Logger).Named("mfspay-plugin-x")
			logEveryForm(func(msg string, args ...any) { relay.Log(hclog.Info, msg, args...) }, secretforms.Secrets...)
			std := relay.StandardLogger(nil)
			for _, f := range secretforms.All(secretforms.Secrets...) {
				std.Print("printed: " + f)
			}
			logEveryForm(cfg.Logger.With("plugin", "x").WithGroup("g").Warn, secretforms.Secrets...)

			log := out.String()
			assertNoSecretForm(t, log, secretforms.Secrets...)
			assert.Contains(t, log, "[REDACTED]")
			assert.Contains(t, log, "upstream said", "the lines themselves are kept")
		})
	}
}

// TestHostLogRedactsSettingsConfiguredLater: a plugin opened without
// settings and configured afterwards, as the conformance suite does with a
// plugin's own simulator, has the later settings scrubbed from its lines.
func TestHostLogRedactsSettingsConfiguredLater(t *testing.T) {
	var out lockedLog
	logger := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	serve := ServeConfig{Name: fakepay.Name, Factory: func(settings map[string]string, r mfspay.Resilience) (mfspay.Driver, error) {
		logEveryForm(r.Logger.Info, settings[fakepay.SettingToken], settings[fakepay.SettingWebhookSecret])
		return fakepay.FromSettings(settings, r)
	}}
	c, err := OpenInMemory(context.Background(), serve, Config{Logger: logger, Retry: testRetry})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	for i, pair := range [][2]string{{secretforms.Secrets[0], secretforms.Secrets[1]}, {secretforms.Secrets[3], secretforms.Secrets[4]}} {
		require.NoError(t, c.Configure(context.Background(), map[string]string{fakepay.SettingStore: fmt.Sprint("redact-", i),
			fakepay.SettingToken: pair[0], fakepay.SettingWebhookSecret: pair[1]}))
	}
	assertNoSecretForm(t, out.String(), secretforms.Secrets[0], secretforms.Secrets[1], secretforms.Secrets[3], secretforms.Secrets[4])
	assert.Contains(t, out.String(), "upstream said")
}
