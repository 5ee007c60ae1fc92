package kit

import (
	"net/http"
	"testing"
	"time"

	"github.com/mfspay/mfspay"
	"github.com/stretchr/testify/assert"
)

// TestBackoffFullJitter draws many waits per attempt and checks each lies in
// [0, min(MaxBackoff, MinBackoff*2^attempt)] and that the draws spread over
// that whole range (full jitter, not a fixed or halved wait).
func TestBackoffFullJitter(t *testing.T) {
	policies := []mfspay.RetryPolicy{
		{MinBackoff: 10 * time.Millisecond, MaxBackoff: time.Second},
		{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
		{MinBackoff: 3 * time.Nanosecond, MaxBackoff: 13 * time.Nanosecond},
		// MinBackoff<<attempt overflows int64 long before attempt 62.
		{MinBackoff: time.Hour, MaxBackoff: 2 * time.Hour},
		mfspay.DefaultRetryPolicy(),
	}
	const draws = 1000
	for _, p := range policies {
		for attempt := 0; attempt < 64; attempt++ {
			ceiling := p.MaxBackoff
			if c := float64(p.MinBackoff) * float64(uint64(1)<<attempt); c < float64(ceiling) {
				ceiling = time.Duration(c)
			}
			var lo, hi time.Duration = ceiling, 0
			now := time.Now()
			for range draws {
				w := backoff(p, attempt, nil, now)
				if w < 0 || w > ceiling {
					t.Fatalf("policy %+v attempt %d: wait %v outside [0, %v]", p, attempt, w, ceiling)
				}
				lo, hi = min(lo, w), max(hi, w)
			}
			if ceiling >= 100 {
				assert.Less(t, lo, ceiling/10, "policy %+v attempt %d: no short waits drawn", p, attempt)
				assert.Greater(t, hi, ceiling*9/10, "policy %+v attempt %d: no long waits drawn", p, attempt)
			}
		}
	}
}

func TestBackoffRetryAfter(t *testing.T) {
	p := mfspay.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxRetryAfter: 10 * time.Second}
	now := time.Date(2026, 6, 8, 12, 0, 0, 0, time.UTC)
	resp := func(code int, ra string) *http.Response {
		return &http.Response{StatusCode: code, Header: http.Header{"Retry-After": {ra}}}
	}
	tests := []struct {
		name string
		resp *http.Response
		want time.Duration // -1: jitter
	}{
		{"429 seconds", resp(429, "2"), 2 * time.Second},
		{"503 seconds", resp(503, "1"), time.Second},
		{"zero", resp(429, "0"), 0},
		{"capped", resp(429, "60"), 10 * time.Second},
		{"date", resp(429, now.Add(4*time.Second).Format(http.TimeFormat)), 4 * time.Second},
		{"date in the past", resp(503, now.Add(-time.Hour).Format(http.TimeFormat)), 0},
		{"500 ignores it", resp(500, "2"), -1},
		{"negative", resp(429, "-1"), -1},
		{"garbage", resp(429, "soon"), -1},
		{"absent", &http.Response{StatusCode: 429, Header: http.Header{}}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := backoff(p, 0, tt.resp, now)
			if tt.want < 0 {
				assert.LessOrEqual(t, got, p.MinBackoff)
				return
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 6, 8, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"1", time.Second, true},
		{"3600", time.Hour, true},
		{"999999999999", 24 * time.Hour, true},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"Mon, 08 Jun 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Monday, 08-Jun-26 12:01:00 GMT", time.Minute, true},
		{"Mon Jun  8 12:00:05 2026", 5 * time.Second, true},
		{"Mon, 08 Jun 2026 11:00:00 GMT", 0, true},
		{"tomorrow", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseRetryAfter(tt.in, now)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRetryPolicyWithDefaults(t *testing.T) {
	d := mfspay.DefaultRetryPolicy()
	assert.Equal(t, d, withDefaults(mfspay.RetryPolicy{}))
	assert.Equal(t, mfspay.RetryPolicy{MaxAttempts: 4, MinBackoff: 200 * time.Millisecond, MaxBackoff: 5 * time.Second,
		MaxRetryAfter: 10 * time.Second, AttemptTimeout: 15 * time.Second}, d)
	neg := mfspay.RetryPolicy{MaxAttempts: -1, MinBackoff: -1, MaxBackoff: -1, MaxRetryAfter: -1, AttemptTimeout: -1}
	assert.Equal(t, d, withDefaults(neg))
}
