package kit_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
	"github.com/mfspay/mfspay/providers/simkit"
)

func TestFlightRunsOncePerKeyForConcurrentCallers(t *testing.T) {
	f := kit.Flight[string]{Remember: time.Minute, Final: func(string) bool { return true }}
	var runs atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			v, err := f.Do(context.Background(), "k", func(context.Context) (string, error) {
				runs.Add(1)
				<-release
				return "done", nil
			})
			assert.NoError(t, err)
			assert.Equal(t, "done", v)
		})
	}
	// Give the callers time to gather on the held run; whatever the
	// timing, a caller arriving after it gets the remembered result.
	time.Sleep(10 * time.Millisecond)
	close(release)
	wg.Wait()
	assert.EqualValues(t, 1, runs.Load())
}

func TestFlightRemembersFinalResultsForAWhile(t *testing.T) {
	clock := simkit.NewManualClock(time.Unix(0, 0))
	f := kit.Flight[string]{Remember: 10 * time.Minute, Clock: clock.Now, Final: func(v string) bool { return v != "pending" }}
	runs := 0
	answer := "pending"
	do := func() string {
		v, err := f.Do(context.Background(), "k", func(context.Context) (string, error) { runs++; return answer, nil })
		require.NoError(t, err)
		return v
	}
	assert.Equal(t, "pending", do())
	assert.Equal(t, "pending", do())
	assert.Equal(t, 2, runs, "a result that is not final is asked again")
	answer = "paid"
	assert.Equal(t, "paid", do())
	answer = "changed"
	clock.Advance(10*time.Minute - time.Second)
	assert.Equal(t, "paid", do())
	assert.Equal(t, 3, runs, "remembered")
	clock.Advance(time.Second)
	assert.Equal(t, "changed", do(), "forgotten after Remember")

	_, err := f.Do(context.Background(), "e", func(context.Context) (string, error) { return "paid", errors.New("boom") })
	require.Error(t, err)
	v, err := f.Do(context.Background(), "e", func(context.Context) (string, error) { return "ok", nil })
	require.NoError(t, err)
	assert.Equal(t, "ok", v, "an error is never remembered")
}

func TestFlightOutlivesACallerWhoLeaves(t *testing.T) {
	f := kit.Flight[string]{Provider: "flightpay", Left: "call ended by the caller's context; the work goes on"}
	started, left, finished := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	type key struct{}
	_, err := f.Do(context.WithValue(ctx, key{}, "v"), "k", func(ctx context.Context) (string, error) {
		close(started)
		<-left // the work goes on only once its caller has left
		assert.Equal(t, "v", ctx.Value(key{}), "the caller's values are kept")
		finished <- ctx.Err()
		return "done", nil
	})
	close(left)
	var e *mfspay.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, mfspay.ErrUnavailable)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, "flightpay", e.Provider)
	assert.Equal(t, "call ended by the caller's context; the work goes on", e.Message)
	assert.NoError(t, <-finished, "the work's context was not cancelled with the caller's")
}
