package plugins

import (
	"context"
	"sync"
	"time"

	pb "github.com/mfspay/mfspay/plugins/proto"
)

// instance is one running plugin: a process (or an in-memory server) and the
// connection to it. A crashed instance is replaced, never revived.
type instance struct {
	gw  pb.GatewayClient
	sim pb.SimulatorClient
	// exit is done once the plugin has exited.
	exit context.Context
	// name and hasSim are what Describe said.
	name   string
	hasSim bool
	// pid is the plugin's process id, 0 in memory.
	pid int

	stopOnce sync.Once
	stopFn   func()
}

func (i *instance) exited() bool { return i.exit.Err() != nil }

// waitExit reports whether the plugin exits within d. A call that failed
// without an answer uses it to tell a dead plugin from a passing fault: the
// process's death and the broken connection are seen a moment apart.
func (i *instance) waitExit(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-i.exit.Done():
		return true
	case <-t.C:
		return false
	}
}

// stop ends the plugin and waits until it is gone. It is idempotent.
func (i *instance) stop() { i.stopOnce.Do(i.stopFn) }
