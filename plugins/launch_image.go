package plugins

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strconv"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin/runner"
)

// imageRunner is go-plugin's runner for a pinned launch: it starts the
// plugin from its image but names it by the configured path, so that the
// host's logs (go-plugin's messages and the plugin's own log lines, whose
// logger go-plugin names after the runner) show the plugin that was
// configured rather than /proc/self/fd/N or a temporary copy.
type imageRunner struct {
	logger hclog.Logger
	cmd    *exec.Cmd
	name   string // the configured path
	img    *image

	stdout, stderr io.ReadCloser
	pid            int
}

var _ runner.Runner = (*imageRunner)(nil)

func newImageRunner(logger hclog.Logger, cmd *exec.Cmd, name string, img *image) (*imageRunner, error) {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	return &imageRunner{logger: logger, cmd: cmd, name: name, img: img, stdout: stdout, stderr: stderr}, nil
}

// Start starts the process. Once it runs, the process holds the image
// itself; the host lets go of it at once where the system allows deleting
// a running program, and when the process ends elsewhere (Windows).
func (r *imageRunner) Start(context.Context) error {
	r.logger.Debug("starting plugin", "path", r.name, "args", r.cmd.Args)
	err := r.cmd.Start()
	if err != nil || runtime.GOOS != "windows" {
		r.img.release()
	}
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			pathErr.Path = r.name
		}
		return err
	}
	r.pid = r.cmd.Process.Pid
	r.logger.Debug("plugin started", "path", r.name, "pid", r.pid)
	return nil
}

func (r *imageRunner) Wait(context.Context) error {
	err := r.cmd.Wait()
	r.img.release()
	return err
}

func (r *imageRunner) Kill(context.Context) error {
	if r.cmd.Process == nil {
		return nil
	}
	if err := r.cmd.Process.Kill(); !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}

func (r *imageRunner) Stdout() io.ReadCloser { return r.stdout }
func (r *imageRunner) Stderr() io.ReadCloser { return r.stderr }
func (r *imageRunner) Name() string          { return r.name }
func (r *imageRunner) ID() string            { return strconv.Itoa(r.pid) }

// Diagnose adds nothing: startError explains a failed start from the
// handshake error and the plugin's stderr.
func (r *imageRunner) Diagnose(context.Context) string { return "" }

// PluginToHost and HostToPlugin translate nothing: the plugin runs on this
// host, in its file system and network.
func (r *imageRunner) PluginToHost(network, address string) (string, string, error) {
	return network, address, nil
}

func (r *imageRunner) HostToPlugin(network, address string) (string, string, error) {
	return network, address, nil
}
