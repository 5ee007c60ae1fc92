package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mfspay/mfspay/ledger"
	"github.com/mfspay/mfspay/ledger/postgres"
	"github.com/mfspay/mfspay/ledger/sqlite"
)

// database is where the shop keeps its orders and the payment ledger,
// side by side: one SQLite file (the default) or one PostgreSQL database.
// Keeping both in one place means one backup holds the orders and the
// record of every payment attempt made for them.
type database struct {
	ledger ledger.Store
	sql    *sql.DB
	// postgres selects PostgreSQL's row locks for the orders' statements.
	postgres bool
	// where says what the database is, for the start-up lines: the file,
	// or the URL without its password.
	where string
	// temporary is true when the file is removed at Close.
	temporary bool
	close     func()
}

// Close closes the database and removes a temporary file.
func (d *database) Close() { d.close() }

// isPostgresURL reports whether a -db value names PostgreSQL.
func isPostgresURL(spec string) bool {
	return strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://")
}

// openDatabase opens the database -db names: a postgres:// URL, an SQLite
// file path, or "" for the default file (defaultDBFile). Errors never quote
// a URL, which may hold a password.
func openDatabase(ctx context.Context, spec string, anyReal bool) (*database, error) {
	if isPostgresURL(spec) {
		store, err := postgres.Open(ctx, spec)
		if err != nil {
			return nil, fmt.Errorf("-db: %w", err)
		}
		return &database{ledger: store, sql: store.DB(), postgres: true, where: "PostgreSQL " + redactedStore(spec),
			close: func() { store.Close() }}, nil
	}
	path, temporary, err := spec, false, error(nil)
	if path == "" {
		if path, temporary, err = defaultDBFile(anyReal); err != nil {
			return nil, err
		}
	}
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		if temporary {
			os.RemoveAll(filepath.Dir(path))
		}
		return nil, fmt.Errorf("-db: %w", err)
	}
	d := &database{ledger: store, sql: store.DB(), where: "SQLite " + path, temporary: temporary}
	d.close = func() {
		store.Close()
		if temporary {
			os.RemoveAll(filepath.Dir(path))
		}
	}
	return d, nil
}

// defaultDBFile decides where the shop's SQLite file lives when -db does
// not say.
//
// With every provider simulated (the default), it is a new temporary
// directory, removed when the shop stops: the simulators forget their
// payments when they stop, so a ledger kept across runs would only hold
// payments that no provider can be asked about, and the reconciler would
// keep asking.
//
// With a real provider, it is checkout.db in the mfspay-checkout directory
// of the user's configuration directory (os.UserConfigDir:
// $XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application Support on
// macOS, %AppData% on Windows), kept across runs: the orders and the
// ledger of real payments must outlive the process.
func defaultDBFile(anyReal bool) (path string, temporary bool, err error) {
	if !anyReal {
		dir, err := os.MkdirTemp("", "mfspay-checkout-")
		if err != nil {
			return "", false, err
		}
		return filepath.Join(dir, "checkout.db"), true, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", false, errors.New("-db: no user configuration directory to keep the shop's database in; pass -db PATH")
	}
	dir := filepath.Join(base, "mfspay-checkout")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", false, fmt.Errorf("-db: %w", err)
	}
	return filepath.Join(dir, "checkout.db"), false, nil
}
