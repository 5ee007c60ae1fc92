package kit

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
)

// SignHMACSHA256 returns the lowercase hex HMAC-SHA256 of body under secret,
// exactly as PHP's hash_hmac('sha256', $payload, $secret) computes it.
func SignHMACSHA256(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyHMACSHA256 reports whether signature is the hex HMAC-SHA256 of the
// raw body under any of secrets. Every secret is tried, and each comparison
// is constant-time, so timing tells an attacker neither the MAC nor which
// secret matched. An empty signature or secret list never verifies.
func VerifyHMACSHA256(body []byte, signature string, secrets []string) bool {
	if len(signature) != hex.EncodedLen(sha256.Size) {
		return false
	}
	var got [sha256.Size]byte
	if _, err := hex.Decode(got[:], []byte(signature)); err != nil {
		return false
	}
	ok := 0
	for _, s := range secrets {
		if s == "" {
			continue
		}
		m := hmac.New(sha256.New, []byte(s))
		m.Write(body)
		ok |= subtle.ConstantTimeCompare(m.Sum(nil), got[:])
	}
	return ok == 1
}

// CheckSharedSecret reports whether got equals any of secrets, comparing in
// constant time. An empty got or secret never matches.
func CheckSharedSecret(got string, secrets []string) bool {
	if got == "" {
		return false
	}
	// Comparing digests keeps the time independent of where the strings
	// first differ and of their lengths.
	g := sha256.Sum256([]byte(got))
	ok := 0
	for _, s := range secrets {
		if s == "" {
			continue
		}
		w := sha256.Sum256([]byte(s))
		ok |= subtle.ConstantTimeCompare(g[:], w[:])
	}
	return ok == 1
}
