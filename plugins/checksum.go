package plugins

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
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

// verifyChecksum hashes the file at path and compares it with want.
func verifyChecksum(path string, want []byte) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("plugins: checksum of %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("plugins: checksum of %s: %w", path, err)
	}
	got := h.Sum(nil)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return fmt.Errorf("%w: %s has SHA-256 %x, want %x; it was not started", ErrChecksumMismatch, path, got, want)
	}
	return nil
}
