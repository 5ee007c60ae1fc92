package plugins

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/internal/secretforms"
	"github.com/mfspay/mfspay/plugins/internal/scriptpay"
)

// echoError is what a careless plugin answers: every form of every
// secret it was given, in every text field of its error.
func echoError(secrets []string) error {
	text := strings.Join(secretforms.All(secrets...), " | ")
	return &mfspay.Error{Kind: mfspay.ErrInvalidRequest, Field: "api_key " + text, Code: "bad_key " + text,
		Message: "is not of this merchant: " + text, Err: errors.New("checked " + text)}
}

// echoDriver is scriptpay, but its verify echoes the secrets as echoError.
type echoDriver struct {
	scriptpay.Driver
	secrets []string
}

func (d echoDriver) Verify(context.Context, mfspay.PaymentRef) (*mfspay.Payment, error) {
	return nil, echoError(d.secrets)
}

// assertErrorHoldsNoSecret fails if err, printed any way or any error in
// its chain, shows any form of any of secrets.
func assertErrorHoldsNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	require.Error(t, err)
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		assertNoSecretForm(t, fmt.Sprintf(format, err), secrets...)
	}
	chain := []error{err}
	for len(chain) > 0 {
		e := chain[0]
		chain = chain[1:]
		assertNoSecretForm(t, e.Error(), secrets...)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				chain = append(chain, next)
			}
		case interface{ Unwrap() []error }:
			chain = append(chain, u.Unwrap()...)
		}
	}
}

// TestPluginErrorsHoldNoCredentials: the host scrubs the credentials it
// gave a plugin (the values of settings whose names mark them) from the
// plugin's errors, as from its log lines: from Open's error, from a
// relaunch's and the later errors that report it, from Configure's and
// from a call's, in the message, code, field and cause.
func TestPluginErrorsHoldNoCredentials(t *testing.T) {
	ctx := context.Background()
	secrets := secretforms.Secrets
	settings := map[string]string{"api_key": secrets[0], "webhook_secrets": strings.Join(secrets[1:], ",")}
	var refuse atomic.Bool
	serve := ServeConfig{Name: scriptpay.Name, Factory: func(s map[string]string, r mfspay.Resilience) (mfspay.Driver, error) {
		var given []string
		for _, v := range s {
			given = append(given, v)
		}
		if refuse.Load() {
			return nil, echoError(given)
		}
		return echoDriver{secrets: given}, nil
	}}

	t.Run("Open", func(t *testing.T) {
		refuse.Store(true)
		_, err := OpenInMemory(ctx, serve, Config{Settings: settings})
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest)
		assert.ErrorContains(t, err, "is not of this merchant", "the rest of the plugin's text is kept")
		assertErrorHoldsNoSecret(t, err, secrets...)
	})
	t.Run("a call", func(t *testing.T) {
		refuse.Store(false)
		c, err := OpenInMemory(ctx, serve, Config{Settings: settings})
		require.NoError(t, err)
		defer c.Close()
		_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest)
		assertErrorHoldsNoSecret(t, err, secrets...)
	})
	t.Run("Configure", func(t *testing.T) {
		refuse.Store(false)
		c, err := OpenInMemory(ctx, serve, Config{Settings: map[string]string{}})
		require.NoError(t, err)
		defer c.Close()
		refuse.Store(true)
		err = c.Configure(ctx, settings)
		assert.ErrorIs(t, err, mfspay.ErrInvalidRequest)
		assertErrorHoldsNoSecret(t, err, secrets...)
	})
	t.Run("a relaunch, and the errors that report it later", func(t *testing.T) {
		refuse.Store(false)
		c, err := OpenInMemory(ctx, serve, Config{Settings: settings, RelaunchMinBackoff: time.Hour})
		require.NoError(t, err)
		defer c.Close()
		refuse.Store(true)
		crash(c)
		_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
		assert.ErrorContains(t, err, "could not be relaunched")
		assertErrorHoldsNoSecret(t, err, secrets...)
		_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "INV-1"})
		assert.ErrorContains(t, err, "relaunch postponed")
		assert.ErrorContains(t, err, "is not of this merchant")
		assertErrorHoldsNoSecret(t, err, secrets...)
	})
}
