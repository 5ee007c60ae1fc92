package kit

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/mfspay/mfspay"
)

// Flight runs one call per key for every caller asking at the same time
// (golang.org/x/sync/singleflight), on a context that keeps the first
// caller's values but not its cancellation: a caller who gives up neither
// fails the others waiting nor cuts off half way what was started (a token
// grant, the execute of a customer's return), whose outcome would then be
// unknown. With Remember, a final result is also kept for a while, so that
// repeats (a return page reloaded, opened in five tabs) get it without
// asking the provider again. The zero Flight coalesces and remembers
// nothing; it is safe for concurrent use.
type Flight[T any] struct {
	// Provider names the adapter, and Left is the message, of the
	// ErrUnavailable a caller gets when its context ends first.
	Provider, Left string
	// Remember is how long a result Final accepts is kept; 0 keeps none.
	Remember time.Duration
	Final    func(T) bool
	// Clock tells the time for Remember; nil means time.Now.
	Clock func() time.Time

	group singleflight.Group
	mu    sync.Mutex
	memo  map[string]remembered[T]
}

type remembered[T any] struct {
	v     T
	until time.Time
}

// Do returns the remembered result for key, or fn's, run once for all
// callers waiting on key.
func (f *Flight[T]) Do(ctx context.Context, key string, fn func(context.Context) (T, error)) (T, error) {
	if v, ok := f.recall(key); ok {
		return v, nil
	}
	detached := context.WithoutCancel(ctx)
	ch := f.group.DoChan(key, func() (any, error) {
		v, err := fn(detached)
		if err == nil && f.Remember > 0 && f.Final(v) {
			f.keep(key, v)
		}
		return v, err
	})
	select {
	case r := <-ch:
		v, _ := r.Val.(T)
		return v, r.Err
	case <-ctx.Done():
		var zero T
		return zero, &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: f.Provider, Message: f.Left, Err: ctx.Err()}
	}
}

func (f *Flight[T]) now() time.Time {
	if f.Clock == nil {
		return time.Now()
	}
	return f.Clock()
}

// recall returns the result kept for key while it is remembered.
func (f *Flight[T]) recall(key string) (T, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.memo[key]
	if !ok || !f.now().Before(r.until) {
		var zero T
		return zero, false
	}
	return r.v, true
}

// keep remembers v for key, forgetting what has lapsed.
func (f *Flight[T]) keep(key string, v T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if f.memo == nil {
		f.memo = map[string]remembered[T]{}
	}
	for k, r := range f.memo {
		if !now.Before(r.until) {
			delete(f.memo, k)
		}
	}
	f.memo[key] = remembered[T]{v: v, until: now.Add(f.Remember)}
}
