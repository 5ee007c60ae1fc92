package plugins

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binaries the tests run, built once per test binary run into a temporary
// directory, so that `go test` works on a fresh machine.
var bin struct {
	once sync.Once
	dir  string
	err  error
}

// binPackages maps a binary name to its package.
var binPackages = map[string]string{
	"fakeplugin":   "./testdata/fakeplugin",
	"scriptplugin": "./testdata/scriptplugin",
	"otherversion": "./testdata/otherversion",
	"junk":         "./testdata/junk",

	"mfspay-plugin-wezopay":    "./cmd/mfspay-plugin-wezopay",
	"mfspay-plugin-eazzpay":    "./cmd/mfspay-plugin-eazzpay",
	"mfspay-plugin-uddoktapay": "./cmd/mfspay-plugin-uddoktapay",
	"mfspay-plugin-bkash":      "./cmd/mfspay-plugin-bkash",
}

// binary returns the path of a test binary, building them all on first use.
func binary(t testing.TB, name string) string {
	t.Helper()
	bin.once.Do(func() {
		// mfspaysim: the built-in plugins serve their simulators.
		args := []string{"build", "-tags", "mfspaysim", "-o", bin.dir + string(filepath.Separator)}
		for _, pkg := range binPackages {
			args = append(args, pkg)
		}
		cmd := exec.Command("go", args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			bin.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if bin.err != nil {
		t.Fatal(bin.err)
	}
	return filepath.Join(bin.dir, name)
}

// webhookURL receives the notifications of payments the tests create.
var webhookURL string

// envHelperHost makes the test binary act as a plugin host: it opens the
// plugin named by the variable, prints the plugin's pid and waits to be
// killed.
const envHelperHost = "MFSPAY_PLUGINS_TEST_HELPER_HOST"

func TestMain(m *testing.M) {
	if path := os.Getenv(envHelperHost); path != "" {
		helperHost(path)
		return
	}
	dir, err := os.MkdirTemp("", "mfspay-plugins-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin.dir = dir
	// Simulators deliver notifications to the create request's webhook URL:
	// a local receiver that accepts them all.
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	webhookURL = sink.URL + "/webhook"
	code := m.Run()
	sink.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

func helperHost(path string) {
	c, err := Open(context.Background(), path, Config{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(c.PID())
	time.Sleep(time.Minute) // the test kills us long before
	os.Exit(2)
}

// processGone reports whether pid no longer runs. A zombie counts as gone:
// it has exited and merely waits for a parent that may never reap it.
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// The state follows the parenthesised command name.
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] == 'Z'
	}
	return false
}
