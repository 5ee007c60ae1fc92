//go:build linux

package plugins

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/mfspay/mfspay"
)

// TestChecksumSwapRace attacks the checksum as a process that can write the
// plugin's directory would: an inotify watcher replaces the plugin file by
// rename with another valid executable the moment the host opens or has
// read it. The replacement records that it ran, then serves as the real
// plugin, so a launch that ran it would otherwise look healthy. Every
// launch, first or relaunch, must run the pinned bytes or be refused with
// ErrChecksumMismatch; the replacement must never run.
func TestChecksumSwapRace(t *testing.T) {
	t.Run("sealed memfd", func(t *testing.T) { testSwapRace(t, Open) })
	t.Run("private copy", func(t *testing.T) {
		testSwapRace(t, func(ctx context.Context, path string, cfg Config) (*Client, error) {
			return openProcess(ctx, path, cfg, newCopyImage)
		})
	})
}

func testSwapRace(t *testing.T, open func(context.Context, string, Config) (*Client, error)) {
	ctx := context.Background()
	pinned := binary(t, "fakeplugin")
	sum := fileSHA256(t, pinned)
	dir := t.TempDir()
	path := filepath.Join(dir, "mfspay-plugin-fakepay")
	marker := filepath.Join(t.TempDir(), "swapped-ran")
	evil := []byte(fmt.Sprintf("#!/bin/sh\necho ran >> %s\nexec %s \"$@\"\n", marker, pinned))

	// place writes content to the plugin's directory under a temporary name
	// and renames it to name: how an attacker, or a deploy, replaces a file.
	place := func(name string, content []byte) {
		tmp := filepath.Join(dir, ".incoming")
		require.NoError(t, os.WriteFile(tmp, content, 0o755))
		require.NoError(t, os.Rename(tmp, filepath.Join(dir, name)))
	}
	pinnedBytes, err := os.ReadFile(pinned)
	require.NoError(t, err)

	sw := newSwapper(t, dir, filepath.Base(path))
	// The attacker swaps after the host's k-th open, or k-th read to the end
	// and close, of the file: every point between a check and a later use.
	triggers := []swapTrigger{{unix.IN_OPEN, 1}, {unix.IN_CLOSE_NOWRITE, 1}, {unix.IN_OPEN, 2}, {unix.IN_CLOSE_NOWRITE, 2}}
	var launches, refused, fired int
	launch := func(start func() error) error {
		place(filepath.Base(path), pinnedBytes)
		place("evil", evil)
		sw.arm(triggers[launches%len(triggers)], filepath.Join(dir, "evil"))
		err := start()
		if sw.disarm() {
			fired++
		}
		launches++
		if errors.Is(err, ErrChecksumMismatch) {
			refused++
			return err
		}
		return err
	}

	const minLaunches = 24
	for launches < minLaunches {
		var c *Client
		err := launch(func() (err error) {
			c, err = open(ctx, path, Config{SHA256: sum, RelaunchMinBackoff: time.Millisecond, RelaunchMaxBackoff: time.Millisecond})
			return err
		})
		if errors.Is(err, ErrChecksumMismatch) {
			continue
		}
		require.NoError(t, err, "a launch runs the pinned bytes or is refused with ErrChecksumMismatch")
		for range 2 {
			require.NoError(t, syscall.Kill(c.PID(), syscall.SIGKILL))
			waitGone(t, c)
			err := launch(func() error {
				// The plugin is unconfigured: its answer to a create (the one
				// operation an unconfigured plugin is asked) is a settings
				// error, which proves a plugin was launched and answered.
				_, err := c.CreatePayment(ctx, createRequest(newInvoice("swap")))
				if errors.Is(err, ErrChecksumMismatch) {
					return err
				}
				if !errors.Is(err, mfspay.ErrInvalidRequest) || !strings.Contains(err.Error(), "not configured") {
					return fmt.Errorf("the relaunched plugin did not answer: %w", err)
				}
				return nil
			})
			if errors.Is(err, ErrChecksumMismatch) {
				break
			}
			require.NoError(t, err, "a relaunch runs the pinned bytes or is refused with ErrChecksumMismatch")
			require.NotZero(t, c.PID())
		}
		require.NoError(t, c.Close())
	}
	ran := 0
	if b, err := os.ReadFile(marker); err == nil {
		ran = strings.Count(string(b), "ran")
	}
	t.Logf("%d launches, %d swaps during a launch, %d refused with ErrChecksumMismatch, %d ran the swapped binary",
		launches, fired, refused, ran)
	assert.NotZero(t, fired, "the attacker swapped the file during launches")
	assert.Zero(t, ran, "the swapped binary never runs")
}

// TestPinnedPlatformImageIsSealed checks that on Linux the plugin runs from
// a sealed memfd, not from a file anyone could reach.
func TestPinnedPlatformImageIsSealed(t *testing.T) {
	path := binary(t, "fakeplugin")
	c, err := Open(context.Background(), path, Config{SHA256: fileSHA256(t, path)})
	require.NoError(t, err)
	defer c.Close()
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", c.PID()))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(exe, "/memfd:"+filepath.Base(path)), "the plugin runs from %s", exe)
}

// swapTrigger is the moment a swapper acts: after the count-th inotify
// event of kind on the watched file.
type swapTrigger struct {
	event uint32
	count int
}

// swapper watches one file with inotify and, once armed, replaces it by
// rename with another file as soon as its trigger is seen.
type swapper struct {
	t    *testing.T
	name string
	dir  string
	ino  *os.File
	done chan struct{}

	mu      sync.Mutex
	armed   bool
	trigger swapTrigger
	seen    int
	from    string
	fired   bool
}

func newSwapper(t *testing.T, dir, name string) *swapper {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	require.NoError(t, err)
	_, err = unix.InotifyAddWatch(fd, dir, unix.IN_OPEN|unix.IN_CLOSE_NOWRITE)
	require.NoError(t, err)
	s := &swapper{t: t, name: name, dir: dir, ino: os.NewFile(uintptr(fd), "inotify"), done: make(chan struct{})}
	go s.watch()
	t.Cleanup(func() {
		_ = s.ino.Close() // ends the blocked read: the descriptor is non-blocking, so Go's poller owns it
		<-s.done
	})
	return s
}

func (s *swapper) watch() {
	defer close(s.done)
	buf := make([]byte, 64*(unix.SizeofInotifyEvent+unix.NAME_MAX+1))
	for {
		n, err := s.ino.Read(buf)
		if err != nil {
			return
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			name := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			off += unix.SizeofInotifyEvent + int(ev.Len)
			if strings.TrimRight(string(name), "\x00") == s.name {
				s.event(ev.Mask)
			}
		}
	}
}

func (s *swapper) event(mask uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.armed || mask&s.trigger.event == 0 {
		return
	}
	if s.seen++; s.seen < s.trigger.count {
		return
	}
	s.armed = false
	if err := os.Rename(s.from, filepath.Join(s.dir, s.name)); err == nil {
		s.fired = true
	}
}

// arm makes the swapper replace the file with from at trigger.
func (s *swapper) arm(trigger swapTrigger, from string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed, s.trigger, s.seen, s.from, s.fired = true, trigger, 0, from, false
}

// disarm stops the swapper and reports whether it swapped since arm.
func (s *swapper) disarm() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed = false
	return s.fired
}
