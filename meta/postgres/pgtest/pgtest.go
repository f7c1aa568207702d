package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ferryhq/ferry/internal/testsrv"
)

// Superuser is the role initdb makes, which every DSN of a Server names.
const Superuser = "postgres"

// Server is a running PostgreSQL cluster.
type Server struct {
	// Host and Port are where it listens: loopback, a free port.
	Host string
	Port int
	// Dir holds the cluster (Dir/data), its unix socket and its log.
	Dir string
	// Startup is how long initdb and the server's start took.
	Startup time.Duration

	cmd     *exec.Cmd
	exited  chan struct{} // closed when postgres has exited; then waitErr is set
	waitErr error
	stop    sync.Once
	dbs     atomic.Int64 // databases made by NewDatabase, for their names
}

const (
	startTimeout = 60 * time.Second
	stopTimeout  = 10 * time.Second
	startTries   = 3 // the server is given a free port, which another process may take first
)

// Start starts a cluster of its own for tb and stops it, removing its
// folder, when tb ends. Prefer Shared where tests can share one.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := lookup(tb)
	s, err := start(bin)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("pgtest: the server's log (%s):\n%s", s.Dir, s.Log())
		}
		s.Stop()
	})
	return s
}

// shared is the cluster of Shared, started by its first caller and stopped
// by Main once every test of the binary ran.
var shared struct {
	main atomic.Bool // Main is running the tests
	once sync.Once
	srv  *Server
	err  error
	bin  binaries
	miss error // lookup's failure: PostgreSQL is not installed
}

// Main runs the tests of m and then stops the cluster Shared started, if
// any, and removes its folder; it exits with m's code. Call it from the
// TestMain of every package that calls Shared.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main for a TestMain that has more to do after the tests: it runs
// them, stops the shared cluster and returns m's code.
func Run(m *testing.M) int {
	shared.main.Store(true)
	code := m.Run()
	if shared.srv != nil {
		shared.srv.Stop()
	}
	return code
}

// Shared returns the cluster shared by every test of the binary, starting
// it on first use. It fails tb when TestMain does not call Main (or Run), which
// stops it; skips and failures are those of Start.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	if !shared.main.Load() {
		tb.Fatal("pgtest: Shared needs `func TestMain(m *testing.M) { pgtest.Main(m) }` to stop the cluster")
	}
	shared.once.Do(func() {
		shared.bin, shared.miss = findBinaries()
		if shared.miss == nil {
			shared.srv, shared.err = start(shared.bin)
		}
	})
	if shared.miss != nil {
		missing(tb, shared.miss)
	}
	if shared.err != nil {
		tb.Fatalf("pgtest: %v", shared.err)
	}
	return shared.srv
}

// DSN returns the address of database db as the superuser:
// postgres://postgres@127.0.0.1:PORT/db?sslmode=disable.
func (s *Server) DSN(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User(Superuser), Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port)),
		Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// NewDatabase creates a fresh, empty database and returns its DSN; it is
// dropped, with any connection still open to it, when tb ends.
func (s *Server) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("ferry_%d", s.dbs.Add(1))
	if err := s.admin(context.Background(), `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if err := s.admin(context.Background(), `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return s.DSN(name)
}

// admin runs one statement in the database "postgres", on a connection of
// its own (CREATE and DROP DATABASE cannot run in a transaction, and tests
// may call it from many goroutines).
func (s *Server) admin(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	c, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	_, err = c.Exec(ctx, sql)
	return err
}

// Stop shuts the server down (fast shutdown, then SIGKILL after 10 s),
// waits for it to exit and removes its folder. It is safe to call more than
// once.
func (s *Server) Stop() {
	s.stop.Do(func() {
		s.cmd.Process.Signal(syscall.SIGINT) // fast shutdown: close connections, no waiting for clients
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			s.kill()
		}
		os.RemoveAll(s.Dir)
	})
}

func (s *Server) kill() {
	s.cmd.Process.Kill()
	<-s.exited
}

// Log returns what initdb and the server logged so far.
func (s *Server) Log() string {
	initdb, _ := os.ReadFile(filepath.Join(s.Dir, "initdb.log"))
	server, _ := os.ReadFile(s.logPath())
	return string(initdb) + string(server)
}

func (s *Server) logPath() string { return filepath.Join(s.Dir, "postgres.log") }

// binaries are the programs a cluster needs.
type binaries struct{ initdb, postgres string }

// lookup finds the binaries, skipping or failing tb when they are missing.
func lookup(tb testing.TB) binaries {
	tb.Helper()
	bin, err := findBinaries()
	if err != nil {
		missing(tb, err)
	}
	return bin
}

// missing skips tb, or fails it where PostgreSQL is required (see Required).
func missing(tb testing.TB, err error) {
	tb.Helper()
	testsrv.Missing(tb, requireEnv, fmt.Sprintf("pgtest: %v: install postgresql (`make test-deps`)", err))
}

// Required reports whether a test that needs PostgreSQL must fail, rather
// than skip, where it is not installed: in CI or with
// FERRY_REQUIRE_POSTGRES=1.
func Required() bool { return testsrv.Required(requireEnv) }

const requireEnv = "FERRY_REQUIRE_POSTGRES"

// findBinaries looks for initdb and postgres in PATH, then in Debian's
// /usr/lib/postgresql/VERSION/bin, the newest version first: Debian puts
// neither in PATH.
func findBinaries() (binaries, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	initdb, err1 := testsrv.LookPath("initdb", dirs...)
	postgres, err2 := testsrv.LookPath("postgres", dirs...)
	if err := errors.Join(err1, err2); err != nil {
		return binaries{}, err
	}
	return binaries{initdb: initdb, postgres: postgres}, nil
}

// version is the major version in a path /usr/lib/postgresql/VERSION/bin.
func version(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

// start makes a cluster in a new temporary folder and starts it. The folder
// is not under a test's TempDir, whose parents only root may enter when
// the server runs as another user; it is removed by Stop, or here when
// anything fails.
func start(bin binaries) (s *Server, err error) {
	began := time.Now()
	owner, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tempRoot(), "ferry-pgtest-")
	if err != nil {
		return nil, err
	}
	s = &Server{Host: "127.0.0.1", Dir: dir}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\nlog:\n%s", err, s.Log())
			os.RemoveAll(dir)
		}
	}()
	if owner != nil {
		if err := os.Chown(dir, int(owner.Uid), int(owner.Gid)); err != nil {
			return nil, err
		}
	}
	if err := s.initdb(bin.initdb, owner); err != nil {
		return nil, err
	}
	for try := 1; ; try++ {
		err := s.run(bin.postgres, owner)
		if err == nil {
			break
		}
		if try < startTries && strings.Contains(s.Log(), "Address already in use") {
			continue
		}
		return nil, err
	}
	s.Startup = time.Since(began)
	return s, nil
}

// tempRoot is where clusters are made: in memory (/dev/shm) where Linux
// offers it, which makes creating a database several times faster than on
// a disk even with fsync off, or else the temporary folder.
func tempRoot() string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if f, err := os.CreateTemp("/dev/shm", "ferry-pgtest-probe-"); err == nil {
			f.Close()
			os.Remove(f.Name())
			return "/dev/shm"
		}
	}
	return os.TempDir()
}

// serverUser returns the user to run the server as: nil for the current
// one, "postgres" or else "nobody" when that is root, which PostgreSQL
// refuses.
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var errs []error
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("user %s: %w", name, err)
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
	}
	return nil, fmt.Errorf("running as root, and PostgreSQL refuses to: no user to run it as: %w", errors.Join(errs...))
}

// command returns a command of the server's, run as owner in s.Dir with
// an environment without PG* variables, which would redirect it.
func (s *Server) command(owner *syscall.Credential, path string, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.Dir = s.Dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") && !strings.HasPrefix(kv, "LC_") && !strings.HasPrefix(kv, "LANG=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LC_ALL=C")
	cmd.SysProcAttr = sysProcAttr(owner)
	return cmd
}

// initdb makes the cluster in s.Dir/data: trust for every local
// connection, UTF-8, the C locale (byte order, as ferry's SQLite store
// sorts), no fsync of what it writes.
func (s *Server) initdb(path string, owner *syscall.Credential) error {
	log, err := os.Create(filepath.Join(s.Dir, "initdb.log"))
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := s.command(owner, path, "-D", filepath.Join(s.Dir, "data"), "-U", Superuser, "-A", "trust",
		"-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("initdb: %w", err)
	}
	return nil
}

// run starts the server on a free port and waits until it accepts a
// connection.
func (s *Server) run(path string, owner *syscall.Credential) error {
	port, err := testsrv.FreePort()
	if err != nil {
		return err
	}
	s.Port = port
	log, err := os.Create(s.logPath()) // a failed try's log would fool the next
	if err != nil {
		return err
	}
	defer log.Close() // the server holds its own copy
	if owner != nil {
		if err := log.Chown(int(owner.Uid), int(owner.Gid)); err != nil {
			return err
		}
	}
	s.cmd = s.command(owner, path, "-D", filepath.Join(s.Dir, "data"),
		"-p", strconv.Itoa(port), "-k", s.Dir, "-c", "listen_addresses="+s.Host,
		// Nothing in a test cluster needs to survive a crash.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB")
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", path, err)
	}
	s.exited = make(chan struct{})
	go func() { s.waitErr = s.cmd.Wait(); close(s.exited) }()
	return s.ready()
}

// ready waits until the server accepts a connection, has exited, or
// startTimeout passed. The server has no readiness signal but its socket:
// it is polled, briefly.
func (s *Server) ready() error {
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.ping() == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("postgres exited while starting: %v", s.waitErr)
		case <-deadline.C:
			s.kill()
			return fmt.Errorf("postgres did not accept a connection within %v", startTimeout)
		case <-tick.C:
		}
	}
}

func (s *Server) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	return c.Ping(ctx)
}
