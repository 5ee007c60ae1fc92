package plugins

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/mfspay/mfspay"
	pb "github.com/mfspay/mfspay/plugins/proto"
)

// Client is a plugin seen from the host. It is an mfspay.Gateway: the
// plugin's driver, reached over RPC, under the same portable layer as an
// in-process adapter (mfspay.NewGateway: validation, capability gating, the
// circuit breaker, answer checks), with error kinds, deadlines and
// cancellation carried across. A plugin that crashes fails the calls in
// flight with ErrUnavailable (ErrOutcomeUnknown for a create) and is
// relaunched and reconfigured by the next call. Close it when done.
type Client struct {
	// Gateway is the portable layer around the plugin's rpcDriver.
	mfspay.Gateway

	cfg    Config
	launch func(context.Context) (*instance, error)
	// name is the plugin's name from its first Describe.
	name  string
	state atomic.Pointer[gatewayState]

	mu        sync.Mutex
	inst      *instance
	launching *launchState
	closed    bool
	// settings are re-sent to every relaunched plugin once configured.
	settings   map[string]string
	configured bool
	// streak counts launches that failed, or plugins that exited, since a
	// plugin last answered a call; lastFail and lastErr describe the latest.
	streak   int
	lastFail time.Time
	lastErr  error
	// workers tracks background launches and reaping, for Close.
	workers sync.WaitGroup
}

var _ mfspay.Gateway = (*Client)(nil)

// gatewayState is what Configure learnt.
type gatewayState struct {
	provider string
	caps     mfspay.Capabilities
}

// launchState is one launch in progress; done closes when it has ended.
type launchState struct {
	done chan struct{}
	inst *instance
	err  error
}

// Errors of Open and OpenInMemory.
var (
	// ErrHandshake means the program did not complete the plugin handshake:
	// it is not an mfspay plugin, it crashed while starting, or it did not
	// answer within Config.StartTimeout.
	ErrHandshake = errors.New("plugin handshake failed")
	// ErrIncompatible means the program is an mfspay plugin speaking another
	// protocol version; rebuild it against a matching mfspay module.
	ErrIncompatible = errors.New("plugin protocol version is incompatible")
	// errExited is the cause of calls cut short by the plugin's death.
	errExited = errors.New("plugin process exited")
)

func newClient(cfg Config, launch func(context.Context) (*instance, error)) *Client {
	return &Client{cfg: cfg, launch: launch}
}

// open runs the first launch, whose errors are returned as they are.
func (c *Client) open(ctx context.Context) error {
	c.mu.Lock()
	c.settings, c.configured = c.cfg.Settings, c.cfg.Settings != nil
	l := c.startLaunch()
	c.mu.Unlock()
	select {
	case <-l.done:
	case <-ctx.Done():
		c.Close()
		return fmt.Errorf("plugins: open: %w", ctx.Err())
	}
	if l.err != nil {
		c.Close()
		return l.err
	}
	c.name = l.inst.name
	c.Gateway = mfspay.NewGateway(rpcDriver{c}, mfspay.Resilience{Breaker: c.cfg.Breaker, Logger: c.cfg.Logger})
	return nil
}

// startLaunch starts a launch in the background. c.mu must be held.
func (c *Client) startLaunch() *launchState {
	l := &launchState{done: make(chan struct{})}
	c.launching = l
	settings, configured := c.settings, c.configured
	c.workers.Add(1)
	go func() {
		defer c.workers.Done()
		inst, err := c.start(settings, configured)
		// The error is returned by Open and, as lastErr, by later calls;
		// a plugin may have put the settings it was given in it.
		err = c.cfg.logSecrets.redactError(err)
		c.mu.Lock()
		c.launching = nil
		closed := c.closed
		switch {
		case err == nil && !closed:
			c.inst = inst
		case err == nil:
			err = errClosed
		default:
			c.streak++
			c.lastFail, c.lastErr = time.Now(), err
		}
		l.inst, l.err = inst, err
		c.mu.Unlock()
		if err != nil && inst != nil {
			inst.stop()
		}
		close(l.done)
	}()
	return l
}

// start launches a plugin and brings it to the state the host expects:
// described and, once the host has settings, configured.
func (c *Client) start(settings map[string]string, configured bool) (*instance, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.StartTimeout)
	defer cancel()
	inst, err := c.launch(ctx)
	if err != nil {
		return nil, err
	}
	d, err := inst.gw.Describe(ctx, &pb.DescribeRequest{})
	if err != nil {
		inst.stop()
		return nil, fmt.Errorf("%w: the plugin did not describe itself: %v", ErrIncompatible, err)
	}
	inst.name, inst.hasSim = d.GetName(), d.GetSimulator()
	if configured {
		resp, err := inst.gw.Configure(ctx, &pb.ConfigureRequest{Settings: settings, Retry: toPBRetry(c.cfg.Retry)})
		if err != nil {
			inst.stop()
			return nil, c.callError(ctx, "configure", inst, err)
		}
		c.state.Store(&gatewayState{provider: resp.GetProvider(), caps: fromPBCapabilities(resp.GetCapabilities())})
	}
	c.cfg.Logger.Debug("plugin ready", "plugin", inst.name, "pid", inst.pid)
	return inst, nil
}

// acquire returns a live plugin, relaunching a dead one.
func (c *Client) acquire(ctx context.Context, op string) (*instance, error) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, c.unavailable(op, "the plugin client is closed", errClosed)
		}
		if inst := c.inst; inst != nil {
			if !inst.exited() {
				c.mu.Unlock()
				return inst, nil
			}
			c.inst = nil
			c.streak++
			c.lastFail, c.lastErr = time.Now(), errExited
			c.workers.Add(1)
			go func() { defer c.workers.Done(); inst.stop() }()
			c.cfg.Logger.Warn("plugin process exited; relaunching", "plugin", c.name, "pid", inst.pid)
		}
		l := c.launching
		if l == nil {
			if wait := c.cfg.relaunchDelay(c.streak) - time.Since(c.lastFail); wait > 0 {
				cause := c.lastErr
				c.mu.Unlock()
				e := c.unavailable(op, "the plugin keeps failing; relaunch postponed", cause)
				e.RetryAfter = wait
				return nil, e
			}
			l = c.startLaunch()
		}
		c.mu.Unlock()
		select {
		case <-l.done:
		case <-ctx.Done():
			return nil, c.contextError(op, ctx.Err(), false)
		}
		if l.err != nil {
			return nil, c.unavailable(op, "the plugin could not be relaunched", l.err)
		}
	}
}

// answered notes that a plugin answered a call: it is healthy again, and a
// later crash is relaunched at once.
func (c *Client) answered() {
	c.mu.Lock()
	c.streak = 0
	c.mu.Unlock()
}

// call runs one RPC on a live plugin. The call ends when ctx does or when
// the plugin exits, whichever comes first.
func call[T any](c *Client, ctx context.Context, op string, rpc func(context.Context, *instance) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, c.contextError(op, err, false)
	}
	inst, err := c.acquire(ctx, op)
	if err != nil {
		return zero, err
	}
	callCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(inst.exit, cancel)
	defer stop()
	out, err := rpc(callCtx, inst)
	if err == nil {
		c.answered()
		return out, nil
	}
	if _, answered := fromStatus(err); answered {
		c.answered()
	}
	return zero, c.callError(ctx, op, inst, err)
}

// callError maps a failed RPC to the error the caller sees: the plugin's own
// error when it answered, else a context or an availability error.
func (c *Client) callError(ctx context.Context, op string, inst *instance, err error) error {
	if e, ok := fromStatus(err); ok {
		c.cfg.logSecrets.scrub(e)
		if e.Kind == nil && op == opSimulator {
			return errors.New(e.Message) // simulators may return plain errors
		}
		if e.Kind == nil {
			// No kind this host knows: a driver error that was no *Error of
			// a known kind, or a newer plugin's kind. The layer in process
			// falls back so (gateway.stamp), whatever the gRPC code says: a
			// create may have happened.
			e.Kind = mfspay.ErrUnavailable
			if op == mfspay.OpCreate {
				e.Kind = mfspay.ErrOutcomeUnknown
			}
		}
		if e.Provider == "" {
			e.Provider = c.provider()
		}
		if e.Op == "" {
			e.Op = op
		}
		return e
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return c.contextError(op, ctxErr, true)
	}
	if _, ok := ctx.Deadline(); ok && statusCode(err) == codes.DeadlineExceeded {
		// The plugin's copy of the deadline can fire a moment before the
		// caller's own timer does: it is the same deadline.
		return c.contextError(op, context.DeadlineExceeded, true)
	}
	e := c.unavailable(op, "the plugin connection failed", c.cfg.logSecrets.redactError(err))
	if inst.waitExit(250 * time.Millisecond) {
		e.Message, e.Err = "the plugin process exited during the call", errExited
	}
	if op == mfspay.OpCreate {
		e.Kind = mfspay.ErrOutcomeUnknown // the plugin may have sent it on
	}
	return e
}

// contextError reports a call ended by its caller. A create that was sent
// may have happened.
func (c *Client) contextError(op string, ctxErr error, sent bool) *mfspay.Error {
	kind := mfspay.ErrUnavailable
	if sent && op == mfspay.OpCreate {
		kind = mfspay.ErrOutcomeUnknown
	}
	return &mfspay.Error{Kind: kind, Provider: c.provider(), Op: op, Message: "call ended by the caller's context", Err: ctxErr}
}

func (c *Client) unavailable(op, message string, cause error) *mfspay.Error {
	return &mfspay.Error{Kind: mfspay.ErrUnavailable, Provider: c.provider(), Op: op, Message: message, Err: cause}
}

// provider is the name errors carry: the configured provider's, or the
// plugin's before Configure.
func (c *Client) provider() string { return rpcDriver{c}.Provider() }

// BreakerState reports the host's breaker around the plugin, for
// mfspay.BreakerStateOf; false when it is disabled.
func (c *Client) BreakerState() (mfspay.BreakerState, bool) { return mfspay.BreakerStateOf(c.Gateway) }

// Configure sends new settings to the plugin, which rebuilds its gateway;
// they are also what a relaunched plugin is configured with. Use it when
// the settings are known only after Open, e.g. from the plugin's simulator.
func (c *Client) Configure(ctx context.Context, settings map[string]string) error {
	settings = copyMap(settings)
	if settings == nil {
		settings = map[string]string{}
	}
	c.cfg.logSecrets.add(settings) // before the plugin has them to log
	resp, err := call(c, ctx, "configure", func(ctx context.Context, inst *instance) (*pb.ConfigureResponse, error) {
		return inst.gw.Configure(ctx, &pb.ConfigureRequest{Settings: settings, Retry: toPBRetry(c.cfg.Retry)})
	})
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.settings, c.configured = settings, true
	c.mu.Unlock()
	c.state.Store(&gatewayState{provider: resp.GetProvider(), caps: fromPBCapabilities(resp.GetCapabilities())})
	return nil
}

// Close stops the plugin and waits until its process, goroutines and
// descriptors are gone. Calls after Close fail with ErrUnavailable and,
// sending nothing, do not count toward opening the breaker. It is safe to
// call more than once.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		c.workers.Wait()
		return nil
	}
	c.closed = true
	inst := c.inst
	c.inst = nil
	c.mu.Unlock()
	if inst != nil {
		inst.stop()
	}
	c.workers.Wait() // a launch in flight stops its own plugin on seeing closed
	return nil
}

// PID returns the process id of the running plugin, or 0 when none runs (or
// it runs in memory).
func (c *Client) PID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inst == nil || c.inst.exited() {
		return 0
	}
	return c.inst.pid
}
