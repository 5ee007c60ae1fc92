package plugins

import (
	"io"
	"os"
	"runtime"
	"strconv"
	"time"
)

// watchHost calls gone once the process that started the plugin has died.
//
// go-plugin itself does not notice: a plugin whose host is killed keeps
// running, orphaned. The host therefore hands every plugin the read end of a
// pipe whose write end only the host holds; the kernel closes it when the
// host dies, however it dies, and the plugin reads end of file. Without that
// descriptor (an older host, or a plugin run by other means) the plugin
// falls back to noticing that its parent process changed.
func watchHost(gone func()) {
	if fd, err := strconv.Atoi(os.Getenv(envHostFD)); err == nil && fd > 2 {
		if f := os.NewFile(uintptr(fd), "mfspay-host"); f != nil {
			go func() {
				_, _ = io.Copy(io.Discard, f)
				gone()
			}()
			return
		}
	}
	if runtime.GOOS == "windows" {
		return
	}
	parent := os.Getppid()
	go func() {
		for range time.Tick(500 * time.Millisecond) {
			if os.Getppid() != parent {
				gone()
				return
			}
		}
	}()
}
