package testserver

import (
	"bufio"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RedisServer is a redis-server of one test's own.
type RedisServer struct {
	port int
	mu   sync.Mutex
	proc *process
}

// Redis starts a redis-server for t on a free loopback port, with its data
// (an append-only file, so that a restarted server keeps its keys) in a
// temporary directory. It is killed and removed when t ends. A missing
// redis-server skips t, or fails it under CI=true.
func Redis(t testing.TB) *RedisServer {
	t.Helper()
	bin, ok := lookBinary("redis-server", "/usr/bin", "/usr/local/bin")
	if !ok {
		missing(t, "redis-server", "install it (Debian: apt-get install redis-server)")
	}
	dir, err := tempDir(t, "mfspay-redis-", nil)
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for range 3 { // another test may take the free port first
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		s := &RedisServer{port: port, proc: &process{
			name: "redis-server",
			argv: []string{bin,
				"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
				"--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
				"--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning"},
			dir:     dir,
			logPath: filepath.Join(dir, "redis.log"),
		}}
		if last = s.Start(); last == nil {
			t.Cleanup(func() { _ = s.Kill() })
			return s
		}
	}
	t.Fatalf("starting redis-server: %v", last)
	return nil
}

// Addr is the server's host:port.
func (s *RedisServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// URL is the server's address as a redis:// URL, database 0.
func (s *RedisServer) URL() string { return "redis://" + s.Addr() + "/0" }

// Start starts the server again after Kill, on the same port and with the
// same data, and waits until it answers PING (after loading its data).
func (s *RedisServer) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc.running() {
		return nil
	}
	if err := s.proc.start(); err != nil {
		return err
	}
	return s.proc.waitReady(s.ping)
}

// Kill kills the server with SIGKILL, as a crash would, and waits until it
// is gone.
func (s *RedisServer) Kill() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc.kill()
}

// Freeze stops the server with SIGSTOP: connections stay open but nothing is
// answered, as with a hung server. Kill or Thaw ends it.
func (s *RedisServer) Freeze() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc.signal(syscall.SIGSTOP)
}

// Thaw resumes a frozen server.
func (s *RedisServer) Thaw() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc.signal(syscall.SIGCONT)
}

// ping sends PING in the protocol's inline form and wants +PONG; a server
// still loading its data answers -LOADING.
func (s *RedisServer) ping() error {
	c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}
