package plugins

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
)

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := Open(ctx, binary(t, "fakeplugin"), Config{Logger: logger})
	require.NoError(t, err)
	defer c.Close()
	sim, err := c.Simulator(ctx)
	require.NoError(t, err)
	s, err := sim.Settings(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Configure(ctx, s.Values))
	co, err := c.CreatePayment(ctx, mfspay.CreatePaymentRequest{InvoiceID: "INV-1", Amount: mfspay.Taka(250), SuccessURL: "https://x.test/s", CancelURL: "https://x.test/c"})
	require.NoError(t, err)
	t.Logf("%+v pid %d", co, c.PID())
	_, err = c.VerifyPayment(ctx, mfspay.PaymentRef{InvoiceID: "nope"})
	t.Log(err)
	require.ErrorIs(t, err, mfspay.ErrNotFound)
}
