package kit

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"sync"
)

// HMACSHA256Verifier checks signatures exactly as VerifyHMACSHA256 does,
// for secrets fixed in advance. Keying HMAC-SHA256 costs more than hashing
// a notification, so it keys each secret once and reuses the keyed state:
// an adapter makes one when configured and verifies every notification
// with it. It is safe for concurrent use.
type HMACSHA256Verifier struct {
	keyed []*sync.Pool // of hash.Hash keyed with one non-empty secret each
}

// NewHMACSHA256Verifier returns a verifier accepting any of secrets; empty
// ones are ignored, and with none it verifies nothing.
func NewHMACSHA256Verifier(secrets []string) *HMACSHA256Verifier {
	v := &HMACSHA256Verifier{}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		key := []byte(s)
		v.keyed = append(v.keyed, &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }})
	}
	return v
}

// Verify reports whether signature is the hex HMAC-SHA256 of the raw body
// under any of the secrets. Like VerifyHMACSHA256 it tries every secret and
// compares in constant time.
func (v *HMACSHA256Verifier) Verify(body []byte, signature string) bool {
	if len(signature) != hex.EncodedLen(sha256.Size) {
		return false
	}
	var got, sum [sha256.Size]byte
	if _, err := hex.Decode(got[:], []byte(signature)); err != nil {
		return false
	}
	ok := 0
	for _, p := range v.keyed {
		m := p.Get().(hash.Hash)
		m.Reset() // back to the keyed state
		m.Write(body)
		ok |= subtle.ConstantTimeCompare(m.Sum(sum[:0]), got[:])
		p.Put(m)
	}
	return ok == 1
}
