package simkit

import (
	"crypto/rand"
	"encoding/hex"
)

// NewID returns prefix followed by 2*n random lowercase hex digits, for
// payment tokens, transaction ids and throwaway credentials.
func NewID(prefix string, n int) string {
	b := make([]byte, n)
	rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	return prefix + hex.EncodeToString(b)
}
