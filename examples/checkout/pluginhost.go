package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/mfspay/mfspay/plugins"
)

// pluginPackages are the plugin binaries built from this module.
var pluginPackages = []string{
	"github.com/mfspay/mfspay/plugins/cmd/mfspay-plugin-wezopay",
	"github.com/mfspay/mfspay/plugins/cmd/mfspay-plugin-eazzpay",
	"github.com/mfspay/mfspay/plugins/cmd/mfspay-plugin-bkash",
	"github.com/mfspay/mfspay/plugins/cmd/mfspay-plugin-uddoktapay",
}

// buildPlugins compiles the built-in plugin binaries into a new temporary
// directory with the go tool, which needs this module's source (run from
// inside the repository). remove deletes the directory.
func buildPlugins(ctx context.Context, progress io.Writer) (dir string, remove func(), err error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", nil, errors.New("-plugins builds the plugin binaries with the go tool, which is not on PATH; build them yourself and pass -plugin-dir")
	}
	dir, err = os.MkdirTemp("", "mfspay-plugins-")
	if err != nil {
		return "", nil, err
	}
	remove = func() { os.RemoveAll(dir) }
	fmt.Fprintf(progress, "building the plugins into %s …\n", dir)
	cmd := exec.CommandContext(ctx, goTool, append([]string{"build", "-o", dir + string(filepath.Separator)}, pluginPackages...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		remove()
		return "", nil, fmt.Errorf("go build of the plugins failed (run from inside the mfspay repository, or pass -plugin-dir): %w\n%s", err, out)
	}
	return dir, remove, nil
}

// openPlugins starts the plugin binary of every provider from dir, found
// with plugins.Discover, and configures it over RPC. The returned close
// stops them all.
func openPlugins(ctx context.Context, setups []providerSetup, dir string, logger *slog.Logger) (gws []gatewayInfo, closeAll func(), err error) {
	found, err := plugins.Discover(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("looking for plugins in %s: %w", dir, err)
	}
	paths := map[string]string{}
	for _, info := range found {
		paths[info.Name] = info.Path
	}
	var clients []*plugins.Client
	closeAll = func() {
		for _, c := range clients {
			c.Close()
		}
	}
	for _, p := range setups {
		path, ok := paths[p.Name]
		if !ok {
			closeAll()
			return nil, nil, fmt.Errorf("no %s%s plugin in %s", plugins.BinaryPrefix, p.Name, dir)
		}
		// The settings, secrets included, go to the plugin over RPC, never on
		// its command line or in its environment.
		c, err := plugins.Open(ctx, path, plugins.Config{Settings: p.Settings, Logger: logger})
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("opening the %s plugin: %w", p.Name, err)
		}
		clients = append(clients, c)
		gws = append(gws, newGatewayInfo(p, c, "plugin "+filepath.Base(path)))
	}
	return gws, closeAll, nil
}
