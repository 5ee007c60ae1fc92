package plugins

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrChecksumMismatch means the plugin binary is not the one Config.SHA256
// names; it was not started.
var ErrChecksumMismatch = errors.New("plugin checksum mismatch")

// parseSHA256 decodes a hex SHA-256 from Config.SHA256.
func parseSHA256(s string) ([]byte, error) {
	sum, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(sum) != sha256.Size {
		return nil, fmt.Errorf("plugins: Config.SHA256 is not a hex SHA-256 (%d hex digits expected)", 2*sha256.Size)
	}
	return sum, nil
}

// A pinned launch (Config.SHA256 set) never executes the configured path.
// Hashing the file and then executing its path would run whatever a process
// able to write the plugin's directory renamed into place between the two.
// Instead each launch reads the file once, through one descriptor, into a
// private read-only image while hashing those very bytes, and executes the
// image only if the hash matches: what runs is exactly what was hashed.

// image is a private, read-only copy of a plugin binary, made for one
// launch.
type image struct {
	// path is what to execute.
	path string
	// release frees the copy. A process started from it keeps running; it
	// is safe to call more than once.
	release func()
}

// imageWriter is an image being filled with a binary's bytes.
type imageWriter interface {
	io.Writer
	// seal makes the copy read-only and returns it, ready to execute.
	seal() (*image, error)
	// discard throws away a copy that will not run.
	discard()
}

// newImageFunc starts an image for a binary whose file is named name.
type newImageFunc func(name string) (imageWriter, error)

// pinBinary reads the binary at path once into a new image, hashing the
// bytes as they are copied, and returns the image when their SHA-256 is
// want. Anything else is refused before it can run: another hash
// (ErrChecksumMismatch), a file that is not regular, or a #! script, whose
// interpreter would read the script again by path.
func pinBinary(path string, want []byte, newImage newImageFunc) (*image, error) {
	// O_NONBLOCK: a FIFO renamed into place must not block the open.
	src, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("plugins: checksum of %s: %w", path, err)
	}
	defer src.Close()
	st, err := src.Stat()
	switch {
	case err != nil:
		return nil, fmt.Errorf("plugins: checksum of %s: %w", path, err)
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("plugins: open %s: not a regular file", path)
	}
	w, err := newImage(filepath.Base(path))
	if err != nil {
		return nil, fmt.Errorf("plugins: copy %s to launch it: %w", path, err)
	}
	// The first bytes say whether it is a script; they are hashed and
	// copied with the rest.
	var head [2]byte
	n, err := io.ReadFull(src, head[:])
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		w.discard()
		return nil, fmt.Errorf("plugins: checksum of %s: %w", path, err)
	}
	h := sha256.New()
	// The size the file had when opened bounds the copy: a file growing
	// under us cannot fill the memory, and the hash covers what is copied.
	if _, err := io.CopyN(io.MultiWriter(w, h), io.MultiReader(bytes.NewReader(head[:n]), src), st.Size()); err != nil {
		w.discard()
		return nil, fmt.Errorf("plugins: checksum of %s: %w", path, err)
	}
	if got := h.Sum(nil); subtle.ConstantTimeCompare(got, want) != 1 {
		w.discard()
		return nil, fmt.Errorf("%w: %s has SHA-256 %x, want %x; it was not started", ErrChecksumMismatch, path, got, want)
	}
	if bytes.HasPrefix(head[:n], []byte("#!")) {
		w.discard()
		return nil, fmt.Errorf("plugins: open %s: a #! script cannot be pinned by Config.SHA256: its interpreter "+
			"would read it again by path; pin a compiled plugin binary", path)
	}
	img, err := w.seal()
	if err != nil {
		return nil, fmt.Errorf("plugins: copy %s to launch it: %w", path, err)
	}
	return img, nil
}
