// Package postgres keeps the payment ledger in PostgreSQL, for platforms
// that run several replicas: every replica records its creates in the same
// tables, and their reconcilers share the work (Claim takes rows with FOR
// UPDATE SKIP LOCKED, so two sweeps never take the same entry).
//
// The driver is github.com/jackc/pgx/v5, through its database/sql adapter.
// The schema is created and upgraded by embedded, idempotent migrations,
// run in a transaction under a transaction-scoped advisory lock: replicas
// starting together migrate one at a time, and no lock outlives its
// transaction. Tables are named mfspay_ledger_*.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/ledger/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key the migrations run under: the
// first bytes of "mfspay_l" read as a number.
const migrationLock = 0x6d66737061795f6c

// Store is the ledger in PostgreSQL. It implements ledger.Store through the
// embedded field; Close closes the connections Open made.
type Store struct {
	ledger.Store
	db *sql.DB
}

// Open connects to the database at dsn (a URL or key=value string, as pgx
// reads it) and brings the ledger's schema up to date. Errors never carry
// the DSN's password.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New("ledger/postgres: the DSN cannot be parsed") // its text may hold the password
	}
	db := stdlib.OpenDB(*cfg)
	s, err := New(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// New returns the ledger on db, a handle of pgx's database/sql driver
// (stdlib.OpenDB, or stdlib.OpenDBFromPool to share a pgxpool), after
// bringing the schema up to date. Close closes db.
func New(ctx context.Context, db *sql.DB) (*Store, error) {
	s, err := sqlstore.New(ctx, db, sqlstore.Dialect{
		Name:           "ledger/postgres",
		Migrations:     migrations,
		LockMigrations: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", int64(migrationLock)),
		ForUpdate:      " FOR UPDATE",
		SkipLocked:     " FOR UPDATE SKIP LOCKED",
		Numbered:       true,
		IsUniqueViolation: func(err error) bool {
			var pe *pgconn.PgError
			return errors.As(err, &pe) && pe.Code == "23505"
		},
	})
	if err != nil {
		return nil, err
	}
	return &Store{Store: s, db: db}, nil
}

// DB returns the database handle, for an application that keeps its own
// tables in the same database (its orders, say). Close closes it.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database handle.
func (s *Store) Close() error { return s.db.Close() }
