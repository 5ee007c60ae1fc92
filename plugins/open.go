package plugins

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Open starts the plugin binary at path and returns a Client for it, ready
// for calls: handshake done (protocol version checked, AutoMTLS set up),
// plugin described and, when cfg.Settings is set, configured.
//
// Open refuses a binary whose SHA-256 differs from cfg.SHA256 before running
// it (ErrChecksumMismatch), a program that is not an mfspay plugin
// (ErrHandshake) and a plugin of another protocol version (ErrIncompatible),
// each within cfg.StartTimeout at worst. A settings error from the plugin is
// returned as the plugin's *mfspay.Error.
//
// With cfg.SHA256 set, no launch (the first or a relaunch) executes path
// itself: each reads the file once into a private read-only copy, hashing
// the bytes it copies, and runs that copy. On Linux the copy is a sealed
// memfd, elsewhere a file in a new 0700 temporary directory, removed once
// the plugin runs (on Windows, once it exits).
func Open(ctx context.Context, path string, cfg Config) (*Client, error) {
	return openProcess(ctx, path, cfg, newPlatformImage)
}

// openProcess is Open with the way pinned launches copy the binary.
func openProcess(ctx context.Context, path string, cfg Config, newImage newImageFunc) (*Client, error) {
	cfg = cfg.withDefaults()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("plugins: open %s: %w", path, err)
	}
	st, err := os.Stat(abs)
	switch {
	case err != nil:
		return nil, fmt.Errorf("plugins: open: %w", err)
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("plugins: open %s: not a regular file", abs)
	case !executable(st.Mode()):
		return nil, fmt.Errorf("plugins: open %s: not executable", abs)
	}
	p := &processLauncher{path: abs, cfg: cfg, newImage: newImage}
	if cfg.SHA256 != "" {
		// Checked by every launch, this first one included.
		if p.sum, err = parseSHA256(cfg.SHA256); err != nil {
			return nil, err
		}
	}
	c := newClient(cfg, p.launch)
	if err := c.open(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// OpenInMemory runs the plugin described by serve inside this process and
// returns a Client for it, speaking the same gRPC protocol over an
// in-memory connection. Tests and the conformance suite use it to exercise
// the plugin path without building a binary; serve is what the plugin's
// main would pass to Serve.
func OpenInMemory(ctx context.Context, serve ServeConfig, cfg Config) (*Client, error) {
	if err := serve.validate(); err != nil {
		return nil, fmt.Errorf("plugins: %w", err)
	}
	cfg = cfg.withDefaults()
	c := newClient(cfg, memoryLauncher(serve, cfg.Logger))
	if err := c.open(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

var errNotStarted = errors.New("the plugin did not start")
