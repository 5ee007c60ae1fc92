package kit

import "github.com/mfspay/mfspay"

// NewGateway returns the driver newDriver makes of cfg in the portable
// layer under r, or the error that refused cfg: what an adapter's New
// returns.
func NewGateway[C any](newDriver func(C) (mfspay.Driver, error), cfg C, r mfspay.Resilience) (mfspay.Gateway, error) {
	d, err := newDriver(cfg)
	if err != nil {
		return nil, err
	}
	return mfspay.NewGateway(d, r), nil
}
