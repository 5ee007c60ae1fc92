package plugins

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// copyImage is an image in a file of its own in a new directory that only
// the host's user can enter (0700). Whoever can write the plugin's
// directory, but is not the host's user, cannot reach it.
type copyImage struct {
	dir string
	f   *os.File
	// unlockFork is set while the copy is open for writing.
	unlockFork func()
}

func newCopyImage(name string) (imageWriter, error) {
	dir, err := os.MkdirTemp("", "mfspay-plugin-")
	if err != nil {
		return nil, err
	}
	// No process may be forked while the copy is open for writing: a child
	// forked meanwhile would hold the descriptor until it executes its own
	// program, and executing a file open for writing fails (ETXTBSY).
	// Forks take syscall.ForkLock for writing.
	syscall.ForkLock.RLock()
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o700)
	if err != nil {
		syscall.ForkLock.RUnlock()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return &copyImage{dir: dir, f: f, unlockFork: sync.OnceFunc(syscall.ForkLock.RUnlock)}, nil
}

func (c *copyImage) Write(p []byte) (int, error) { return c.f.Write(p) }

func (c *copyImage) seal() (*image, error) {
	err := c.f.Close()
	c.unlockFork()
	if err == nil {
		err = os.Chmod(c.f.Name(), 0o500)
	}
	if err != nil {
		_ = os.RemoveAll(c.dir)
		return nil, err
	}
	return &image{
		path:    c.f.Name(),
		release: sync.OnceFunc(func() { _ = os.RemoveAll(c.dir) }),
	}, nil
}

func (c *copyImage) discard() {
	_ = c.f.Close()
	c.unlockFork()
	_ = os.RemoveAll(c.dir)
}
