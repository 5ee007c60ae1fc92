package wezopaytest

import (
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/mfspay/mfspay/providers/simkit"
)

// authed checks X-API-Key (401 when missing or unknown, 403 when a
// read-only key asks to create), then the key's rate limit, then runs h.
func (s *Server) authed(create bool, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("X-API-Key")
		if key == "" {
			writeError(w, http.StatusUnauthorized, "Unauthenticated. Missing API key.", nil)
			return
		}
		full, readOnly := s.keyAbility(key)
		if !full && !readOnly {
			writeError(w, http.StatusUnauthorized, "Invalid API key.", nil)
			return
		}
		if ok, wait := s.limiter.Allow(key); !ok {
			simkit.WriteTooManyRequests(w, wait, func(w http.ResponseWriter, _ time.Duration) {
				writeError(w, http.StatusTooManyRequests, "Too Many Attempts.", nil)
			})
			return
		}
		if create && !full {
			writeError(w, http.StatusForbidden, "This API key lacks the payments:create ability.", nil)
			return
		}
		h(w, r)
	})
}

// keyAbility compares key with every configured key in constant time.
func (s *Server) keyAbility(key string) (full, readOnly bool) {
	for k := range s.apiKeys {
		if subtle.ConstantTimeCompare([]byte(k), []byte(key)) == 1 {
			full = true
		}
	}
	readOnly = subtle.ConstantTimeCompare([]byte(s.readOnlyKey), []byte(key)) == 1
	return full, readOnly
}
