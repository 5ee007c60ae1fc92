// Package testserver starts real Redis and PostgreSQL servers for tests: each
// its own instance on a free loopback port, with its data in a temporary
// directory, stopped and removed when the test ends. No containers and no
// system service are involved, so tests can kill (-9), freeze and restart
// their server at will.
//
// The binaries come from the machine: redis-server on PATH (or /usr/bin,
// /usr/local/bin), and initdb and postgres on PATH or in
// /usr/lib/postgresql/*/bin (Debian's layout; the newest version wins).
// When one is missing the test is skipped with instructions, except when
// CI=true, where it fails: CI must install them (.ci/run does).
//
// PostgreSQL refuses to run as root, so when the tests run as root its
// processes run as the "postgres" user, which Debian's postgresql package
// creates. initdb runs once per machine and version: the cluster it makes is
// kept under the user cache directory (mfspay-testserver) and copied for
// each server, which then starts in a fraction of a second. Delete that
// directory at any time.
//
// Servers are tuned for tests, not for durability against a machine crash:
// PostgreSQL runs with fsync=off and Redis with appendfsync everysec. Both
// still keep every acknowledged write across a kill -9 of the server
// process, which is what the tests exercise.
package testserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startTimeout bounds how long a server may take to answer after its start.
const startTimeout = 30 * time.Second

// control starts, kills, freezes and thaws a server's process, one of
// these at a time. Both servers embed it.
type control struct {
	mu    sync.Mutex
	proc  *process
	ready func() error // returns nil once the server answers
}

// Start starts the server again after Kill, on the same port and with the
// same data, and waits until it answers (after its crash recovery or the
// loading of its data).
func (c *control) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proc.running() {
		return nil
	}
	if err := c.proc.start(); err != nil {
		return err
	}
	return c.proc.waitReady(c.ready)
}

// Kill kills the server and its children with SIGKILL, as a crash would,
// and waits until they are gone.
func (c *control) Kill() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.proc.kill()
}

// Freeze stops the server and its children with SIGSTOP: connections stay
// open but nothing is answered, as with a hung server. Kill or Thaw ends
// it.
func (c *control) Freeze() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.proc.signal(syscall.SIGSTOP)
}

// Thaw resumes a frozen server.
func (c *control) Thaw() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.proc.signal(syscall.SIGCONT)
}

// process is one running server: a process group, so that killing it kills
// the server's own children too (PostgreSQL's backends).
type process struct {
	name    string // for messages: "redis-server", "postgres"
	argv    []string
	dir     string // working directory, holding the log file
	cred    *syscall.Credential
	logPath string

	cmd    *exec.Cmd
	exited chan struct{}
	err    error // the exit status, once exited is closed
}

// start launches the process.
func (p *process) start() error {
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Dir = p.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid: true,
		// If the test binary dies without its cleanups (a timeout panic, a
		// kill), the server goes with it.
		Pdeathsig:  syscall.SIGKILL,
		Credential: p.cred,
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", p.name, err)
	}
	p.cmd, p.exited = cmd, make(chan struct{})
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return nil
}

// running reports whether the process has not exited.
func (p *process) running() bool {
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// signal sends sig to the server's process group and to each of its
// children's: PostgreSQL's backends call setsid, so they leave the group.
func (p *process) signal(sig syscall.Signal) error {
	if !p.running() {
		return fmt.Errorf("%s is not running", p.name)
	}
	pid := p.cmd.Process.Pid
	children := childPIDs(pid)
	err := syscall.Kill(-pid, sig)
	for _, c := range children {
		_ = syscall.Kill(-c, sig)
		_ = syscall.Kill(c, sig)
	}
	return err
}

// kill kills the server and its children with SIGKILL and waits until they
// are gone, so that a restart finds nothing of them (PostgreSQL refuses to
// start while an old backend still holds its shared memory).
func (p *process) kill() error {
	if !p.running() {
		return nil
	}
	children := childPIDs(p.cmd.Process.Pid)
	_ = p.signal(syscall.SIGCONT) // a frozen server wakes, to die at once
	if err := p.signal(syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	deadline := time.After(startTimeout)
	select {
	case <-p.exited:
	case <-deadline:
		return fmt.Errorf("%s did not exit after SIGKILL", p.name)
	}
	for _, c := range children {
		for alive(c) {
			select {
			case <-deadline:
				return fmt.Errorf("%s's process %d did not exit after SIGKILL", p.name, c)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	return nil
}

// childPIDs lists the processes whose parent is pid, from /proc.
func childPIDs(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, _, ok := procStat(n); ok && ppid == pid {
			out = append(out, n)
		}
	}
	return out
}

// alive reports whether process pid exists and is not a zombie (a zombie
// holds no memory; its parent, init after the server died, reaps it).
func alive(pid int) bool {
	_, state, ok := procStat(pid)
	return ok && state != "Z" && state != "X"
}

// procStat reads the parent and state of process pid from /proc/pid/stat:
// "pid (comm) state ppid ...", where comm may hold spaces and parentheses.
func procStat(pid int) (ppid int, state string, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, "", false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, "", false
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 2 {
		return 0, "", false
	}
	ppid, err = strconv.Atoi(fields[1])
	return ppid, fields[0], err == nil
}

// logTail returns the end of the server's log, for failure messages.
func (p *process) logTail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// waitReady polls ready until it succeeds, the process exits or
// startTimeout passes.
func (p *process) waitReady(ready func() error) error {
	deadline := time.Now().Add(startTimeout)
	for {
		err := ready()
		if err == nil {
			return nil
		}
		if !p.running() {
			return fmt.Errorf("%s exited during start (%v); its log:\n%s", p.name, p.err, p.logTail())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s: %v; its log:\n%s", p.name, startTimeout, err, p.logTail())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// freePort returns a loopback TCP port nobody listens on right now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// missing skips t because a server binary is absent, with instructions, or
// fails it when CI=true says the binary must be there.
func missing(t testing.TB, what, install string) {
	t.Helper()
	msg := what + " not found; " + install
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true requires it: .ci/run installs it)")
	}
	t.Skip(msg + ", then run the tests again")
}

// lookBinary finds name on PATH or in the given directories.
func lookBinary(name string, dirs ...string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// tempDir makes a directory removed when t ends, owned by cred's user when
// given, and reachable by that user (os.MkdirTemp under the system temp
// directory, whose parent is world-traversable; t.TempDir's parent is not).
func tempDir(t testing.TB, pattern string, cred *syscall.Credential) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", err
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return "", err
		}
	}
	return dir, nil
}
