package conformance

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mfspay/mfspay"
)

// makeTimeout bounds making one gateway (a plugin launch included).
const makeTimeout = 30 * time.Second

// pool holds the gateways the rules of one group share, so that a group
// launches each kind of gateway once (a plugin process costs a handshake
// with fresh TLS keys). Rules share only gateways whose breaker they cannot
// trip: a rule that provokes failures uses a breaker-less gateway, and the
// Breaker group has its own.
type pool struct {
	h   Harness
	mu  sync.Mutex
	gws map[string]mfspay.Gateway
}

func newPool(h Harness) *pool { return &pool{h: h, gws: map[string]mfspay.Gateway{}} }

// get returns the gateway called name, making it from settings and r on
// first use.
func (p *pool) get(name string, settings map[string]string, r mfspay.Resilience) (mfspay.Gateway, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gw, ok := p.gws[name]; ok {
		return gw, nil
	}
	// Not the rule's context: the gateway outlives the rule that made it.
	ctx, cancel := context.WithTimeout(context.Background(), makeTimeout)
	defer cancel()
	gw, err := p.h.MakeGateway(ctx, settings, r)
	if err != nil {
		return nil, fmt.Errorf("making the %s gateway: %w", name, err)
	}
	p.gws[name] = gw
	return gw, nil
}

// close closes every gateway of the pool.
func (p *pool) close(r Reporter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for name, gw := range p.gws {
		if err := closeGateway(gw); err != nil {
			r.Errorf("closing the %s gateway: %v", name, err)
		}
	}
	p.gws = nil
}
