package plugins

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"

	pb "github.com/mfspay/mfspay/plugins/proto"
)

// processLauncher starts a plugin binary with go-plugin.
type processLauncher struct {
	path string
	sum  []byte // expected SHA-256, nil when not checked
	cfg  Config
	// newImage makes the private copy a pinned launch runs.
	newImage newImageFunc
}

func (p *processLauncher) launch(context.Context) (*instance, error) {
	// A pinned launch runs an image of the bytes it hashed (see pinBinary);
	// an unpinned one runs the configured path.
	execPath := p.path
	var img *image
	if p.sum != nil {
		var err error
		if img, err = pinBinary(p.path, p.sum, p.newImage); err != nil {
			return nil, err
		}
		execPath = img.path
	}
	// The plugin watches hostR for end of file: only this process holds
	// hostW, so the kernel closes it when the host dies, however it dies.
	// (Windows passes no extra descriptors; there the plugin watches its
	// parent process instead.)
	var hostR, hostW *os.File
	if runtime.GOOS != "windows" {
		var err error
		if hostR, hostW, err = os.Pipe(); err != nil {
			releaseImage(img)
			return nil, fmt.Errorf("plugins: start %s: %w", p.path, err)
		}
	}
	cmd := exec.Command(execPath)
	cmd.Args[0] = p.path // the process shows the configured path, pinned or not
	cmd.Env = pluginEnv(p.cfg, hostR != nil)
	if hostR != nil {
		cmd.ExtraFiles = []*os.File{hostR}
	}
	stderr := &tailWriter{max: 2048}
	cc := &plugin.ClientConfig{
		HandshakeConfig:  handshake,
		Plugins:          plugin.PluginSet{dispenseName: &grpcPlugin{}},
		Cmd:              cmd,
		SkipHostEnv:      true,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     p.cfg.StartTimeout,
		Logger:           newSlogHCLog(p.cfg.Logger),
		Stderr:           stderr,
		// What plugin code prints once serving is relayed, not lost.
		SyncStdout: &lineWriter{log: func(line string) { p.cfg.Logger.Info(line, "plugin", p.path, "stream", "stdout") }},
		SyncStderr: &lineWriter{log: func(line string) { p.cfg.Logger.Info(line, "plugin", p.path, "stream", "stderr") }},
	}
	if img != nil {
		// go-plugin takes a runner instead of the command: it passes a
		// blank command carrying only its own environment and stdin. With
		// a runner it also puts the plugin's Unix socket in a new private
		// directory, removed when the plugin is stopped.
		cc.Cmd = nil
		cc.RunnerFunc = func(l hclog.Logger, spec *exec.Cmd, _ string) (runner.Runner, error) {
			cmd.Env = append(cmd.Env, spec.Env...)
			cmd.Stdin = spec.Stdin
			return newImageRunner(l, cmd, p.path, img)
		}
	}
	pc := plugin.NewClient(cc)
	rpc, err := pc.Client()
	closeFile(hostR) // the plugin has its copy, or failed to start
	var d *dispensed
	if err == nil {
		var raw any
		if raw, err = rpc.Dispense(dispenseName); err == nil {
			d, _ = raw.(*dispensed)
		}
	}
	if d == nil {
		pc.Kill()
		closeFile(hostW)
		releaseImage(img) // if go-plugin failed before starting it
		return nil, p.startError(err, stderr.String())
	}
	pid, _ := strconv.Atoi(pc.ID())
	return &instance{
		gw:   pb.NewGatewayClient(d.conn),
		sim:  pb.NewSimulatorClient(d.conn),
		exit: d.exited,
		pid:  pid,
		stopFn: func() {
			pc.Kill() // asks the plugin to shut down, kills it after 2s
			closeFile(hostW)
		},
	}, nil
}

func releaseImage(img *image) {
	if img != nil {
		img.release()
	}
}

func closeFile(f *os.File) {
	if f != nil {
		_ = f.Close()
	}
}

// startError explains why a program did not become a working plugin.
func (p *processLauncher) startError(err error, stderr string) error {
	if err == nil {
		err = errNotStarted
	}
	msg := err.Error()
	if strings.Contains(msg, "incompatible API version") || strings.Contains(msg, "incompatible core API version") {
		return fmt.Errorf("%w: %s speaks another protocol version than this host (version %d): %s",
			ErrIncompatible, p.path, ProtocolVersion, firstLine(msg))
	}
	out := fmt.Errorf("%w: %s is not an mfspay plugin or failed to start: %s", ErrHandshake, p.path, handshakeFailure(msg))
	if stderr = strings.TrimSpace(stderr); stderr != "" {
		out = fmt.Errorf("%w; its stderr ends with: %q", out, stderr)
	}
	return out
}

// handshakeFailure rewords go-plugin's reason for a failed handshake.
func handshakeFailure(msg string) string {
	const unrecognized = "Unrecognized remote plugin message:"
	switch {
	case strings.Contains(msg, "Failed to read any lines from plugin's stdout"):
		return "it ended its output without a plugin handshake"
	case strings.HasPrefix(msg, unrecognized):
		return fmt.Sprintf("its first output line is not a plugin handshake: %q",
			strings.TrimSpace(strings.TrimPrefix(firstLine(msg), unrecognized)))
	case strings.Contains(msg, "plugin exited before we could connect"):
		return "it exited before the plugin handshake"
	case strings.Contains(msg, "timeout while waiting for plugin to start"):
		return "no plugin handshake within the start timeout"
	}
	return firstLine(msg)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

// tailWriter keeps the last max bytes written to it: the end of a plugin's
// stderr, to explain a failed start.
type tailWriter struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if over := len(w.buf) - w.max; over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
	}
	return len(p), nil
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}
