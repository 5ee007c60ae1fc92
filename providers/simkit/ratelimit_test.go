package simkit

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLimiterTokenBucket(t *testing.T) {
	clock := NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := NewLimiter(RateLimit{Burst: 3, Per: 3 * time.Second}, clock.Now)

	for i := range 3 {
		ok, _ := l.Allow("k1")
		assert.True(t, ok, "burst request %d", i)
	}
	ok, wait := l.Allow("k1")
	assert.False(t, ok)
	assert.Equal(t, time.Second, wait)
	ok, _ = l.Allow("k2")
	assert.True(t, ok, "keys have their own buckets")

	clock.Advance(999 * time.Millisecond)
	ok, wait = l.Allow("k1")
	assert.False(t, ok)
	assert.Equal(t, time.Millisecond, wait)
	clock.Advance(time.Millisecond)
	ok, _ = l.Allow("k1")
	assert.True(t, ok, "one token refilled")
	ok, _ = l.Allow("k1")
	assert.False(t, ok)

	clock.Advance(time.Hour)
	for i := range 3 {
		ok, _ := l.Allow("k1")
		assert.True(t, ok, "a long pause refills only up to the burst (%d)", i)
	}
	ok, _ = l.Allow("k1")
	assert.False(t, ok)
}

func TestLimiterOffByDefault(t *testing.T) {
	l := NewLimiter(RateLimit{}, nil)
	assert.Nil(t, l)
	for range 1000 {
		ok, _ := l.Allow("k")
		assert.True(t, ok)
	}
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	assert.NotNil(t, l.Middleware(func(*http.Request) string { return "" }, nil, h))
}

func TestLimiterMiddleware(t *testing.T) {
	clock := NewManualClock(time.Unix(0, 0))
	l := NewLimiter(RateLimit{Burst: 1, Per: 2500 * time.Millisecond}, clock.Now)
	h := l.Middleware(func(r *http.Request) string { return r.Header.Get("X-API-Key") }, nil,
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	do := func(key string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("X-API-Key", key)
		h.ServeHTTP(rec, req)
		return rec
	}
	assert.Equal(t, http.StatusNoContent, do("a").Code)
	rec := do("a")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "3", rec.Header().Get("Retry-After"), "2.5s rounds up")
	assert.Equal(t, http.StatusNoContent, do("b").Code)
}
