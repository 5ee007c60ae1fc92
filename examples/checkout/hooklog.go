package main

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// hookRecord is one notification request the shop answered.
type hookRecord struct {
	At       time.Time
	Provider string
	Code     int
}

// Answer is the status line the shop gave, "401 Unauthorized".
func (r hookRecord) Answer() string { return http.StatusText(r.Code) }

// hookLog remembers the last notification requests and their answers, so
// the shop's page can show forged ones being refused.
type hookLog struct {
	mu   sync.Mutex
	recs []hookRecord
}

const hookLogSize = 20

// wrap records the answer h gives to each request.
func (l *hookLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		l.mu.Lock()
		defer l.mu.Unlock()
		l.recs = append(l.recs, hookRecord{At: time.Now(), Provider: r.PathValue("provider"), Code: sw.code})
		if len(l.recs) > hookLogSize {
			l.recs = slices.Delete(l.recs, 0, len(l.recs)-hookLogSize)
		}
	})
}

// recent returns the records, newest first.
func (l *hookLog) recent() []hookRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.recs)
	slices.Reverse(out)
	return out
}

// statusWriter notes the status code written through it.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
