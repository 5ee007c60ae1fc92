package testserver

import (
	"bufio"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RedisServer is a redis-server of one test's own.
type RedisServer struct {
	port int
	control
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
		s := &RedisServer{port: port}
		s.control = control{ready: s.ping, proc: &process{
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
