package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/internal/testserver"
	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/ledger/ledgertest"
	"github.com/mfspay/mfspay/ledger/postgres"
)

func open(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgresRules(t *testing.T) {
	srv := testserver.Postgres(t)
	ledgertest.Run(t, func(t *testing.T) ledger.Store { return open(t, srv.NewDatabase(t)) })
}

func TestPostgresReplicasMigrateTogether(t *testing.T) {
	dsn := testserver.Postgres(t).NewDatabase(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err, "replicas starting together all come up")
	}
	s := open(t, dsn)
	_, err := s.Begin(context.Background(), ledger.Intent{Provider: "p", InvoiceID: "i", Amount: 1, At: ledgertest.T0})
	assert.NoError(t, err)
}

func TestPostgresOpenHidesThePassword(t *testing.T) {
	const secret = "s3cr3t-pa55word"
	for _, dsn := range []string{
		"postgres://u:" + secret + "@127.0.0.1:1/db?sslmode=disable&connect_timeout=1",
		"postgres://u:" + secret + "@127.0.0.1:1/db?sslmode=bogus",
	} {
		_, err := postgres.Open(context.Background(), dsn)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), secret)
	}
}

// namedGateway is enough of a gateway for a reconciler that never gets to
// call it.
type namedGateway struct{ mfspay.Gateway }

func (namedGateway) Provider() string { return "p" }

// A hung PostgreSQL fails a sweep within the reconciler's StoreTimeout
// instead of stalling it (and every later sweep) until the server answers.
func TestSweepAgainstAFrozenServerEnds(t *testing.T) {
	own := testserver.Postgres(t)
	s := open(t, own.NewDatabase(t))
	r, err := ledger.NewReconciler(ledger.Config{Store: s, Gateways: []mfspay.Gateway{namedGateway{}},
		Deliverer:    ledger.DelivererFunc(func(context.Context, *mfspay.Event) error { return nil }),
		StoreTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, own.Freeze())
	// Killed before the handle closes: a hung connection would hold Close up.
	t.Cleanup(func() { _ = own.Kill() })
	done := make(chan error, 1)
	go func() {
		_, err := r.Sweep(context.Background())
		done <- err
	}()
	select {
	case err := <-done:
		// Ended by StoreTimeout: the sweep's own context has no deadline.
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	case <-time.After(5 * time.Second):
		_ = own.Kill()
		t.Fatal("the sweep was still waiting for the frozen server after 5 s")
	}
}
