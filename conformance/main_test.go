package conformance_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The built-in plugin binaries, built once per test run into a temporary
// directory by `go build`, so that `go test` works on a fresh machine.
var builtins struct {
	once sync.Once
	dir  string
	err  error
}

// builtinPlugins are the plugin binaries of this module, by package.
var builtinPlugins = []string{
	"github.com/mfspay/mfspay/plugins/cmd/mfspay-plugin-wezopay",
	"github.com/mfspay/mfspay/plugins/cmd/mfspay-plugin-eazzpay",
	"github.com/mfspay/mfspay/plugins/cmd/mfspay-plugin-uddoktapay",
	"github.com/mfspay/mfspay/plugins/cmd/mfspay-plugin-bkash",
}

// builtinPlugin returns the path of the built-in plugin binary name
// ("mfspay-plugin-wezopay"), building them all on first use.
func builtinPlugin(t testing.TB, name string) string {
	t.Helper()
	builtins.once.Do(func() {
		// Without -race even under -race: a race-enabled plugin takes a
		// second to start (its TLS keys), and the suite starts dozens.
		// mfspaysim: the plugins serve their simulators to the suite.
		args := []string{"build", "-tags", "mfspaysim", "-o", builtins.dir + string(filepath.Separator)}
		cmd := exec.Command("go", append(args, builtinPlugins...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			builtins.err = fmt.Errorf("building the plugins: go %v: %v\n%s", args, err, out)
		}
	})
	if builtins.err != nil {
		t.Fatal(builtins.err)
	}
	return filepath.Join(builtins.dir, name)
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mfspay-conformance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	builtins.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
