package plugins

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"), mode))
		return path
	}
	wezo := write("mfspay-plugin-wezopay", 0o755)
	acme := write("mfspay-plugin-acme", 0o700)
	write("mfspay-plugin-notexec", 0o644)
	write("mfspay-plugin-", 0o755)
	write("mfspay-plugin-.hidden", 0o755)
	write("other-plugin-x", 0o755)
	write("mfspay-plugin", 0o755)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "mfspay-plugin-adir"), 0o755))
	require.NoError(t, os.Symlink(wezo, filepath.Join(dir, "mfspay-plugin-linked")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "missing"), filepath.Join(dir, "mfspay-plugin-dangling")))

	got, err := Discover(dir)
	require.NoError(t, err)
	assert.Equal(t, []Info{
		{Name: "acme", Path: acme},
		{Name: "linked", Path: filepath.Join(dir, "mfspay-plugin-linked")},
		{Name: "wezopay", Path: wezo},
	}, got)

	_, err = Discover(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, os.ErrNotExist)

	empty, err := Discover(t.TempDir())
	require.NoError(t, err)
	assert.Empty(t, empty)
}
