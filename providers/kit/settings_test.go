package kit_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

func TestParseBaseURL(t *testing.T) {
	base, u, err := kit.ParseBaseURL("p", "", "https://api.example/v1/")
	require.NoError(t, err)
	assert.Equal(t, "https://api.example/v1", base)
	assert.Equal(t, "api.example", u.Host)

	base, _, err = kit.ParseBaseURL("p", "http://127.0.0.1:8080/api", "https://api.example/v1")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080/api", base)

	for _, bad := range []string{"api.example/v1", "ftp://api.example", "https://", "https://u:p@api.example",
		"https://api.example?x=1", "https://api.example#f", "://x"} {
		_, _, err := kit.ParseBaseURL("p", bad, "")
		var e *mfspay.Error
		require.True(t, errors.As(err, &e), bad)
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest, bad)
		assert.Equal(t, "base_url", e.Field, bad)
		assert.NotContains(t, err.Error(), "u:p", "user information is not echoed")
	}
}

func TestSettingList(t *testing.T) {
	assert.Nil(t, kit.SettingList(""))
	assert.Nil(t, kit.SettingList(" , ,"))
	assert.Equal(t, []string{"a", "b c"}, kit.SettingList(" a ,, b c ,"))
}
