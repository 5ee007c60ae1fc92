package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With every provider simulated the database is a temporary file, removed
// at Close; with a real one it is kept under the user's configuration
// directory; -db names any file.
func TestDatabaseLocation(t *testing.T) {
	ctx := context.Background()

	db, err := openDatabase(ctx, "", false)
	require.NoError(t, err)
	path := db.where[len("SQLite "):]
	assert.True(t, db.temporary)
	assert.FileExists(t, path)
	db.Close()
	_, err = os.Stat(filepath.Dir(path))
	assert.True(t, os.IsNotExist(err), "the temporary directory is removed")

	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("HOME", config)
	db, err = openDatabase(ctx, "", true)
	require.NoError(t, err)
	want, err := os.UserConfigDir()
	require.NoError(t, err)
	want = filepath.Join(want, "mfspay-checkout", "checkout.db")
	assert.Equal(t, "SQLite "+want, db.where)
	assert.False(t, db.temporary)
	db.Close()
	assert.FileExists(t, want, "kept: real payments outlive the process")

	chosen := filepath.Join(t.TempDir(), "mine.db")
	db, err = openDatabase(ctx, chosen, false)
	require.NoError(t, err)
	db.Close()
	assert.FileExists(t, chosen, "a file -db names is kept")
}

// Orders and the ledger survive a restart on the same file.
func TestOrdersSurviveARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shop.db")
	a := startTestApp(t, appConfig{DB: path})
	o := placeOrder(t, a, catalog[0].ID, "wezopay", "Karim")
	a.Close()

	b := startTestApp(t, appConfig{DB: path})
	got := b.shop.orders.mustGet(t, o.ID)
	assert.Equal(t, o.InvoiceID, got.InvoiceID)
	e, err := b.db.ledger.ByInvoice(context.Background(), "wezopay", o.InvoiceID)
	require.NoError(t, err)
	assert.Equal(t, o.PaymentID, e.PaymentID, "the ledger kept the create's answer")
}
