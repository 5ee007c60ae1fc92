package plugins

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPluginSideSlogWritesHCLogJSON(t *testing.T) {
	var buf bytes.Buffer
	hl := hclog.New(&hclog.LoggerOptions{Output: &buf, JSONFormat: true, Level: hclog.Debug})
	l := slog.New(newHCLogHandler(hl)).With("provider", "wezopay").WithGroup("http")
	l.Debug("attempt", "status", 503, "duration", 1500*time.Millisecond, slog.Group("req", "path", "/payments/verify"))
	l.Log(context.Background(), slogLevelTrace, "too verbose")
	l.Error("failed", "attempt", 2)

	var lines []map[string]any
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var m map[string]any
		require.NoError(t, dec.Decode(&m))
		lines = append(lines, m)
	}
	require.Len(t, lines, 2, "trace is below the plugin's level")
	assert.Equal(t, "debug", lines[0]["@level"])
	assert.Equal(t, "attempt", lines[0]["@message"])
	assert.Equal(t, "wezopay", lines[0]["provider"])
	assert.EqualValues(t, 503, lines[0]["http.status"])
	assert.Equal(t, "1.5s", lines[0]["http.duration"])
	assert.Equal(t, "/payments/verify", lines[0]["http.req.path"])
	assert.Equal(t, "error", lines[1]["@level"])
}

func TestHostSideHCLogFeedsSlog(t *testing.T) {
	rec := &recorder{}
	var h hclog.Logger = newSlogHCLog(slog.New(rec))
	h = h.Named("mfspay-plugin-x").With("pid", 42)
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		h.Log(l, "line "+l.String(), "k", "v")
	}
	h.StandardLogger(nil).Print("from the standard logger")
	assert.True(t, rec.has(slogLevelTrace, "line trace"))
	assert.True(t, rec.has(slog.LevelDebug, "line debug"))
	assert.True(t, rec.has(slog.LevelInfo, "line info"))
	assert.True(t, rec.has(slog.LevelWarn, "line warn"))
	assert.True(t, rec.has(slog.LevelError, "line error"))
	assert.True(t, rec.has(slog.LevelInfo, "from the standard logger"))
	assert.Contains(t, rec.text(), "logger=mfspay-plugin-x pid=42 k=v")
	assert.Equal(t, hclog.Trace, h.GetLevel())

	info := newSlogHCLog(slog.New(slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelInfo})))
	assert.Equal(t, hclog.Info, info.GetLevel(), "go-plugin skips lines the handler would drop")
	assert.False(t, info.IsDebug())
	assert.True(t, info.IsWarn())
	assert.Equal(t, hclog.Off, newSlogHCLog(nil).GetLevel())
}
