package testserver

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedisKeepsItsDataAcrossKillAndRestart(t *testing.T) {
	s := Redis(t)
	require.NoError(t, s.ping())
	require.NoError(t, s.Kill())
	assert.Error(t, s.ping(), "a killed server answers nothing")
	require.NoError(t, s.Start())
	require.NoError(t, s.ping())
	require.NoError(t, s.Freeze())
	assert.Error(t, s.ping(), "a frozen server answers nothing")
	require.NoError(t, s.Thaw())
	require.NoError(t, s.ping())
}

func TestPostgresKeepsCommitsAcrossKillAndRestart(t *testing.T) {
	s := Postgres(t)
	dsn := s.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	exec := func(sql string) error {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	require.NoError(t, exec("CREATE TABLE t (v int)"))
	require.NoError(t, exec("INSERT INTO t VALUES (42)"))
	require.NoError(t, s.Kill())
	assert.Error(t, exec("SELECT 1"), "a killed server answers nothing")
	require.NoError(t, s.Start())
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var v int
	require.NoError(t, conn.QueryRow(ctx, "SELECT v FROM t").Scan(&v))
	assert.Equal(t, 42, v, "an acknowledged commit survives the kill")
	assert.NotEqual(t, dsn, s.NewDatabase(t), "each database is new")
}

// fakeTB records what missing does instead of ending a real test.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skip(args ...any) {
	f.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatal(args ...any) {
	f.failed = fmt.Sprint(args...)
	runtime.Goexit()
}

func TestMissingBinarySkipsOrFailsUnderCI(t *testing.T) {
	run := func() *fakeTB {
		f := &fakeTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			missing(f, "redis-server", "install it")
		}()
		<-done
		return f
	}
	t.Setenv("CI", "")
	f := run()
	assert.Contains(t, f.skipped, "redis-server not found; install it")
	assert.Empty(t, f.failed)

	t.Setenv("CI", "true")
	f = run()
	assert.Contains(t, f.failed, "redis-server not found; install it")
	assert.Contains(t, f.failed, "CI=true requires it")
	assert.Empty(t, f.skipped)
}
