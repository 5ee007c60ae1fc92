package plugins

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// BinaryPrefix starts the file name of every plugin binary:
// mfspay-plugin-<name> (mfspay-plugin-<name>.exe on Windows), where <name>
// is the provider name.
const BinaryPrefix = "mfspay-plugin-"

// Info describes one plugin binary found by Discover.
type Info struct {
	// Name is the provider name taken from the file name.
	Name string
	// Path is the binary's path, dir joined with its file name.
	Path string
}

// Discover lists the plugin binaries in dir, sorted by name: executable
// regular files (or symbolic links to them) named BinaryPrefix + name.
// Subdirectories are not searched. It runs nothing.
func Discover(dir string) ([]Info, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, e := range entries {
		name, ok := pluginName(e.Name())
		if !ok {
			continue
		}
		path := filepath.Join(dir, e.Name())
		st, err := os.Stat(path) // follows symbolic links
		if err != nil || !st.Mode().IsRegular() || !executable(st.Mode()) {
			continue
		}
		out = append(out, Info{Name: name, Path: path})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// pluginName returns the provider name in a plugin file name.
func pluginName(file string) (string, bool) {
	name, ok := strings.CutPrefix(file, BinaryPrefix)
	if runtime.GOOS == "windows" {
		name, ok = strings.CutSuffix(name, ".exe")
		ok = ok && strings.HasPrefix(file, BinaryPrefix)
	}
	if !ok || name == "" || strings.HasPrefix(name, ".") {
		return "", false
	}
	return name, true
}

func executable(m os.FileMode) bool {
	return runtime.GOOS == "windows" || m&0o111 != 0
}
