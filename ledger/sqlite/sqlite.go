// Package sqlite keeps the payment ledger in an SQLite file: the embedded
// default for a single node, with nothing to install or run. The driver is
// github.com/ncruces/go-sqlite3, SQLite compiled to Go, so building needs no
// C toolchain.
//
// The file is opened in WAL mode, so readers never wait for the writer;
// writes are serialised by SQLite (each is one immediate transaction) and
// wait for each other up to a busy timeout. One file serves one node: for
// several replicas use ledger/postgres.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"

	"github.com/ncruces/go-sqlite3"
	_ "github.com/ncruces/go-sqlite3/driver" // registers "sqlite3"

	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/ledger/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the ledger in an SQLite file. It implements ledger.Store through
// the embedded field; Close releases the file.
type Store struct {
	ledger.Store
	db *sql.DB
}

// Open opens the ledger in the SQLite file at path, creating the file if
// needed, and brings its schema up to date (the migrations are embedded
// and idempotent).
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("ledger/sqlite: a file path is required")
	}
	params := url.Values{}
	// busy_timeout must come first (the driver's rule for _pragma order).
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "journal_mode(wal)")
	params.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + params.Encode()
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("ledger/sqlite: opening %s: %w", path, err)
	}
	s, err := New(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// New returns the ledger on db, an open handle of the
// github.com/ncruces/go-sqlite3 driver, after bringing the schema up to
// date. Writes need immediate transactions (the driver's default, or
// "_txlock=immediate"). Close closes db.
func New(ctx context.Context, db *sql.DB) (*Store, error) {
	s, err := sqlstore.New(ctx, db, sqlstore.Dialect{
		Name:       "ledger/sqlite",
		Migrations: migrations,
		IsUniqueViolation: func(err error) bool {
			return errors.Is(err, sqlite3.CONSTRAINT_UNIQUE)
		},
	})
	if err != nil {
		return nil, err
	}
	return &Store{Store: s, db: db}, nil
}

// DB returns the database handle, for an application that keeps its own
// tables in the same file (its orders, say): one file to back up, and
// writes serialised by the same SQLite lock. On a Store made by Open its
// transactions begin immediate (they take the write lock at BEGIN, so two
// read-then-write transactions wait for each other instead of failing).
// Close closes it.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
