package kit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/kit"
)

// unsupportedDriver supports nothing, so the layer answers without it.
type unsupportedDriver struct{ mfspay.Driver }

func (unsupportedDriver) Provider() string                  { return "nopay" }
func (unsupportedDriver) Capabilities() mfspay.Capabilities { return mfspay.Capabilities{} }

func TestNewGatewayLayersTheDriver(t *testing.T) {
	refused := errors.New("refused")
	newDriver := func(ok bool) (mfspay.Driver, error) {
		if !ok {
			return nil, refused
		}
		return unsupportedDriver{}, nil
	}
	gw, err := kit.NewGateway(newDriver, false, mfspay.Resilience{})
	assert.Nil(t, gw)
	assert.Same(t, refused, err)

	gw, err = kit.NewGateway(newDriver, true, mfspay.Resilience{Breaker: mfspay.BreakerSettings{Disabled: true}})
	require.NoError(t, err)
	assert.Equal(t, "nopay", gw.Provider())
	_, err = gw.VerifyPayment(context.Background(), mfspay.PaymentRef{InvoiceID: "INV-1"})
	assert.ErrorIs(t, err, mfspay.ErrUnsupported, "the layer answers for the driver")
	_, hasBreaker := mfspay.BreakerStateOf(gw)
	assert.False(t, hasBreaker, "r reaches the layer")
}
