package testserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresServer is a PostgreSQL server of one test's own.
type PostgresServer struct {
	port int
	control
	dbs atomic.Int64
}

// postgresFlags tune the server for tests. fsync=off keeps acknowledged
// commits across a kill -9 of the server (the WAL is written to the kernel
// at each commit) but not across a crash of the machine. synchronous_commit
// stays on: turning it off would lose acknowledged commits to a kill -9.
var postgresFlags = []string{
	"-c", "listen_addresses=127.0.0.1",
	"-c", "unix_socket_directories=",
	"-c", "fsync=off",
	"-c", "full_page_writes=off",
	"-c", "shared_buffers=32MB",
	"-c", "max_connections=100",
	"-c", "log_min_messages=warning",
}

// initdbFlags make the template cluster. A 1 MB WAL segment keeps the
// directory small, hence quick to copy.
var initdbFlags = []string{"--username=postgres", "--auth=trust", "--no-sync", "--encoding=UTF8",
	"--locale=C", "--wal-segsize=1"}

// Postgres starts a PostgreSQL server for t on a free loopback port, with
// its cluster in a temporary directory (a copy of a template made once per
// machine with initdb). It is killed and removed when t ends. A missing
// PostgreSQL skips t, or fails it under CI=true.
func Postgres(t testing.TB) *PostgresServer {
	t.Helper()
	binDir, ok := postgresBinDir()
	if !ok {
		missing(t, "PostgreSQL's initdb and postgres",
			"install them (Debian: apt-get install postgresql; they land in /usr/lib/postgresql/VERSION/bin)")
	}
	cred, err := postgresCredential()
	if err != nil {
		t.Fatal(err)
	}
	template, err := postgresTemplate(binDir, cred)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := tempDir(t, "mfspay-postgres-", cred)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := copyCluster(template, data, cred); err != nil {
		t.Fatal(err)
	}
	var last error
	for range 3 { // another test may take the free port first
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		argv := append([]string{filepath.Join(binDir, "postgres"), "-D", data, "-p", strconv.Itoa(port)}, postgresFlags...)
		s := &PostgresServer{port: port}
		s.control = control{ready: s.ping, proc: &process{
			name: "postgres", argv: argv, dir: dir, cred: cred, logPath: filepath.Join(dir, "postgres.log"),
		}}
		if last = s.Start(); last == nil {
			t.Cleanup(func() { _ = s.Kill() })
			return s
		}
		_ = s.Kill()
	}
	t.Fatalf("starting postgres: %v", last)
	return nil
}

// DSN returns the URL of database db on the server, as the superuser.
func (s *PostgresServer) DSN(db string) string {
	return "postgres://postgres@127.0.0.1:" + strconv.Itoa(s.port) + "/" + db + "?sslmode=disable"
}

// NewDatabase creates an empty database on the server and returns its DSN.
func (s *PostgresServer) NewDatabase(t testing.TB) string {
	t.Helper()
	name := "test_" + strconv.FormatInt(s.dbs.Add(1), 10)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		t.Fatalf("connecting to postgres: %v", err)
	}
	defer conn.Close(ctx)
	// template0 copies fastest and holds nothing a test could have added.
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		t.Fatalf("creating database %s: %v", name, err)
	}
	return s.DSN(name)
}

func (s *PostgresServer) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// postgresBinDir finds the directory holding initdb and postgres: PATH
// first, else the newest /usr/lib/postgresql/*/bin.
func postgresBinDir() (string, bool) {
	if initdb, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(initdb)
		if _, ok := lookBinary("postgres", dir); ok {
			return dir, true
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { // newest version first
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		_, okInit := lookBinary("initdb", d)
		_, okServer := lookBinary("postgres", d)
		if okInit && okServer {
			return d, true
		}
	}
	return "", false
}

// postgresCredential is nil when not root; as root, the postgres user's.
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root and there is no postgres user to run it as "+
			"(Debian's postgresql package creates it; or run the tests as another user): %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// The template cluster, made once per process (and kept across processes).
var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// postgresTemplate returns the directory of a cluster made by initdb for
// this version of PostgreSQL and these flags, making it on first use. It
// lives under the user cache directory; concurrent test binaries each make
// one in a directory of their own and the first to rename it into place
// wins.
func postgresTemplate(binDir string, cred *syscall.Credential) (string, error) {
	templateOnce.Do(func() { templateDir, templateErr = makeTemplate(binDir, cred) })
	return templateDir, templateErr
}

func makeTemplate(binDir string, cred *syscall.Credential) (string, error) {
	version, err := exec.Command(filepath.Join(binDir, "postgres"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("postgres --version: %w", err)
	}
	sum := sha256.Sum256([]byte(string(version) + strings.Join(initdbFlags, " ") + fmt.Sprint(cred)))
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	parent := filepath.Join(cache, "mfspay-testserver")
	final := filepath.Join(parent, "postgres-"+hex.EncodeToString(sum[:8]))
	if _, err := os.Stat(filepath.Join(final, "data", "PG_VERSION")); err == nil {
		return filepath.Join(final, "data"), nil
	}
	// initdb runs in a directory of its own under the system temp
	// directory, which the postgres user can reach (the cache directory of
	// root cannot be), and its cluster is then copied into the cache.
	work, err := os.MkdirTemp("", "mfspay-initdb-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	if cred != nil {
		if err := os.Chown(work, int(cred.Uid), int(cred.Gid)); err != nil {
			return "", err
		}
	}
	args := append([]string{"-D", filepath.Join(work, "data")}, initdbFlags...)
	cmd := exec.Command(filepath.Join(binDir, "initdb"), args...)
	cmd.Dir = work
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("initdb: %w\n%s", err, out)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	staged, err := os.MkdirTemp(parent, "staged-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(staged) // gone after the rename, else a loser's copy
	if err := os.CopyFS(filepath.Join(staged, "data"), os.DirFS(filepath.Join(work, "data"))); err != nil {
		return "", err
	}
	if err := os.Rename(staged, final); err != nil {
		if _, statErr := os.Stat(filepath.Join(final, "data", "PG_VERSION")); statErr != nil {
			return "", err
		}
	}
	return filepath.Join(final, "data"), nil
}

// copyCluster copies the template cluster to dst, owned by cred's user, with
// the 0700 data directory PostgreSQL insists on.
func copyCluster(template, dst string, cred *syscall.Credential) error {
	if err := os.CopyFS(dst, os.DirFS(template)); err != nil {
		return fmt.Errorf("copying the template cluster: %w", err)
	}
	if err := os.Chmod(dst, 0o700); err != nil {
		return err
	}
	if cred == nil {
		return nil
	}
	return filepath.WalkDir(dst, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(cred.Uid), int(cred.Gid))
	})
}
