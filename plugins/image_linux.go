//go:build linux

package plugins

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// newPlatformImage copies a binary into a sealed memfd, executed as
// /proc/self/fd/N: anonymous memory that nobody, not even a process of the
// host's own user, can change once sealed, with nothing on disk to clean
// up. Where memfds cannot be made executable (kernels before 3.17, or
// vm.memfd_noexec=2) it falls back to a private copy on disk.
func newPlatformImage(name string) (imageWriter, error) {
	m, err := newMemfdImage(name)
	if err != nil {
		return newCopyImage(name)
	}
	return m, nil
}

// memfdImage is an image in a memfd.
type memfdImage struct {
	f *os.File
}

// imageMinFD is the lowest descriptor an image may have. Before exec, the
// child moves its standard streams and the host pipe to descriptors 0 to 3,
// and may park others just above while doing so: the image, executed by
// its number, must not be among them.
const imageMinFD = 16

func newMemfdImage(name string) (*memfdImage, error) {
	const maxName = 200 // memfd names are at most 249 bytes
	if len(name) > maxName {
		name = name[:maxName]
	}
	flags := unix.MFD_CLOEXEC | unix.MFD_ALLOW_SEALING
	fd, err := unix.MemfdCreate(name, flags|unix.MFD_EXEC)
	if errors.Is(err, unix.EINVAL) {
		// Kernels before 6.3 know no MFD_EXEC; their memfds are executable.
		fd, err = unix.MemfdCreate(name, flags)
	}
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	if fd < imageMinFD {
		high, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, imageMinFD)
		_ = unix.Close(fd)
		if err != nil {
			return nil, fmt.Errorf("memfd: %w", err)
		}
		fd = high
	}
	return &memfdImage{f: os.NewFile(uintptr(fd), "memfd:"+name)}, nil
}

func (m *memfdImage) Write(p []byte) (int, error) { return m.f.Write(p) }

// seal forbids every further change to the memfd, and to its seals.
func (m *memfdImage) seal() (*image, error) {
	const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(m.f.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		m.discard()
		return nil, fmt.Errorf("seal memfd: %w", err)
	}
	return &image{
		path:    "/proc/self/fd/" + strconv.Itoa(int(m.f.Fd())),
		release: sync.OnceFunc(m.discard),
	}, nil
}

func (m *memfdImage) discard() { _ = m.f.Close() }
