package plugins

import (
	"log/slog"
	"maps"
	"time"

	"github.com/mfspay/mfspay"
)

// Config configures a plugin host Client.
type Config struct {
	// Settings are the provider settings (base URL, credentials, webhook
	// secrets), sent to the plugin over the Configure RPC and never through
	// its command line or environment. Nil leaves the plugin unconfigured
	// until Client.Configure: useful when the settings come from the
	// plugin's own simulator.
	Settings map[string]string
	// SHA256 is the expected hex SHA-256 of the plugin binary. When set,
	// every launch runs a private copy of exactly the bytes it hashed (see
	// Open) and refuses a mismatch; the binary must be compiled, not a #!
	// script, whose interpreter would read it again by path.
	SHA256 string
	// Retry is the retry policy of the plugin's HTTP client; zero fields take
	// mfspay.DefaultRetryPolicy values.
	Retry mfspay.RetryPolicy
	// Breaker configures the circuit breaker the host runs around the
	// plugin; zero fields take mfspay.DefaultBreakerSettings. The plugin's
	// own breaker is always off, so the layer is applied once.
	Breaker mfspay.BreakerSettings
	// StartTimeout bounds a launch: handshake, Describe and Configure.
	// Zero means 10s.
	StartTimeout time.Duration
	// Logger receives the host's lifecycle messages and the plugin's log
	// lines, at their level, with the values of every setting whose name
	// marks a credential (key, secret, token, password, ...) scrubbed in
	// any encoding. Nil logs nothing.
	Logger *slog.Logger
	// RelaunchMinBackoff and RelaunchMaxBackoff bound the wait between
	// relaunches of a plugin that keeps crashing or failing to start. The
	// first relaunch after a crash is immediate; zero means 200ms and 30s.
	RelaunchMinBackoff time.Duration
	RelaunchMaxBackoff time.Duration
	// Env lists extra "KEY=value" environment entries for the plugin. The
	// plugin inherits only the host variables it needs to run (PATH, HOME,
	// TMPDIR, locale, TZ, certificate and proxy settings), so that secrets
	// kept in the host's environment do not leak to third-party code. Do not
	// pass provider secrets here: they belong in Settings.
	Env []string

	// logSecrets are what Logger scrubs; Client.Configure adds to them.
	logSecrets *logSecrets
}

func (c Config) withDefaults() Config {
	if c.StartTimeout <= 0 {
		c.StartTimeout = 10 * time.Second
	}
	if c.RelaunchMinBackoff <= 0 {
		c.RelaunchMinBackoff = 200 * time.Millisecond
	}
	if c.RelaunchMaxBackoff <= 0 {
		c.RelaunchMaxBackoff = 30 * time.Second
	}
	if c.RelaunchMaxBackoff < c.RelaunchMinBackoff {
		c.RelaunchMaxBackoff = c.RelaunchMinBackoff
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.logSecrets = &logSecrets{}
	c.logSecrets.add(c.Settings)
	c.Logger = redactingLogger(c.Logger, c.logSecrets)
	c.Settings = maps.Clone(c.Settings) // nil stays nil: not configured
	c.Env = append([]string(nil), c.Env...)
	return c
}

// relaunchDelay is how long to wait before launch number streak+1 after
// streak consecutive failures: none after the first, then doubling.
func (c Config) relaunchDelay(streak int) time.Duration {
	if streak <= 1 {
		return 0
	}
	d := c.RelaunchMinBackoff
	for i := 2; i < streak && d < c.RelaunchMaxBackoff; i++ {
		d *= 2
	}
	return min(d, c.RelaunchMaxBackoff)
}
