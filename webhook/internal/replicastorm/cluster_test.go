package replicastorm

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// processHandle is a replica process.
type processHandle struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	exited chan struct{}
}

// startReplica starts the test binary in replica mode and waits until it
// listens.
func startReplica(t *testing.T, name, store, collector string, lease time.Duration) *replica {
	t.Helper()
	logf, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), replicaEnv+"="+name, storeEnv+"="+store, collectorEnv+"="+collector,
		leaseEnv+"="+lease.String())
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	h := &processHandle{cmd: cmd, stdin: stdin, exited: make(chan struct{})}
	go func() {
		cmd.Wait()
		logf.Close()
		close(h.exited)
	}()
	t.Cleanup(h.kill)
	addr, err := readListening(stdout)
	if err != nil {
		h.kill()
		log, _ := os.ReadFile(logf.Name())
		t.Fatalf("replica %s did not start: %v\n%s", name, err, log)
	}
	return &replica{name: name, addr: addr, cmd: h}
}

// kill kills the replica with SIGKILL and waits until it is gone.
func (h *processHandle) kill() {
	select {
	case <-h.exited:
		return
	default:
	}
	_ = h.cmd.Process.Signal(syscall.SIGKILL)
	<-h.exited
}

// fetchStats reads the replica's outcome counts.
func (r *replica) fetchStats() error {
	resp, err := http.Get("http://" + r.addr + "/stats")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(&r.stats)
}

// newRoundRobinProxy is the load balancer: each request goes to the next
// replica in turn, whether or not it is alive (a dead one answers 502 and
// the sender retries, as behind a real balancer between health checks).
func newRoundRobinProxy(t *testing.T, replicas []*replica) *httptest.Server {
	var next atomic.Uint64
	targets := make([]*url.URL, len(replicas))
	for i, r := range replicas {
		targets[i] = &url.URL{Scheme: "http", Host: r.addr}
	}
	p := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(targets[(next.Add(1)-1)%uint64(len(targets))])
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, ResponseHeaderTimeout: 30 * time.Second},
		ErrorLog:  nil,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, "replica unreachable: "+err.Error(), http.StatusBadGateway)
		},
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv
}

// success is one callback the collector let succeed.
type success struct {
	replica  string
	at       time.Time
	deadline time.Time // the end of the delivering replica's lease
}

// collector stands for the merchant's database: replicas' callbacks report
// to it, it fails about one call in ten (a seeded hash of the event and of
// how many calls it has had, so the outcome does not depend on which
// replica calls), and it records every success.
type collector struct {
	mu        sync.Mutex
	calls     map[string]int
	successes map[string][]success
	failures  int
	// onSuccess, if set, runs after a success is recorded and before it is
	// answered: the fault injections hook in here.
	onSuccess func(replica string, n int)
	total     int
}

func newCollector(t *testing.T) (*collector, *httptest.Server) {
	c := &collector{calls: map[string]int{}, successes: map[string][]success{}}
	srv := httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(srv.Close)
	return c, srv
}

func (c *collector) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	event, replica := q.Get("event"), q.Get("replica")
	ns, _ := strconv.ParseInt(q.Get("deadline"), 10, 64)
	c.mu.Lock()
	c.calls[event]++
	call := c.calls[event]
	if callFails(event, call) {
		c.failures++
		c.mu.Unlock()
		http.Error(w, fmt.Sprintf("merchant database busy (call %d for %s)", call, event), http.StatusInternalServerError)
		return
	}
	c.successes[event] = append(c.successes[event], success{replica: replica, at: time.Now(), deadline: time.Unix(0, ns)})
	c.total++
	n, hook := c.total, c.onSuccess
	c.mu.Unlock()
	if hook != nil {
		hook(replica, n)
	}
	w.WriteHeader(http.StatusOK)
}

// callFails decides whether the call-th callback for id fails: one in ten.
func callFails(id string, call int) bool {
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], stormSeed)
	binary.LittleEndian.PutUint64(b[8:], uint64(call))
	h.Write(b[:])
	h.Write([]byte(id))
	return h.Sum64()%10 == 0
}
