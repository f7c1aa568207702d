// Package clamdtest starts a real clamd for tests, offline: Debian's
// clamav-daemon with a configuration in a temporary folder and a local
// signature database that detects the EICAR test file, written at test time
// (no freshclam, no network, nothing committed that a virus scanner flags).
//
//	srv := clamdtest.Start(t)        // stopped when t ends
//	cfg := clamd.Config{Address: srv.Address}
//	srv.Stop()                       // clamd goes down mid-test
//
// Where clamd or sigtool is not installed the test is skipped, except in CI
// (CI set to anything but "", "0" or "false") or with FERRY_REQUIRE_CLAMD=1:
// there it fails. `make test-deps` (scripts/test-deps.sh) installs both. A
// clamd that is installed but does not start always fails the test.
//
// clamd runs as the user running the tests (root in CI): the configuration
// has no User line, so clamd does not try to drop privileges. Debian's
// AppArmor profile for /usr/sbin/clamd lets it read and write /tmp/** only;
// where that profile is enforced, keep TMPDIR under /tmp.
package clamdtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/internal/testsrv"
)

// Signature is what clamd reports for EICAR (anywhere in a stream) with the
// database that Start writes.
const Signature = "Eicar-Test-Signature.UNOFFICIAL"

// sigName is the name of both signatures in the database; clamd appends
// ".UNOFFICIAL" to signatures that ClamAV did not sign.
const sigName = "Eicar-Test-Signature"

// eicarReversed is the EICAR anti-virus test file backwards, so that neither
// this source nor a test binary holds the file itself (scanners on
// developers' machines would flag them); EICAR reverses it at run time.
const eicarReversed = `*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE$}7)CC7)^P(45XZP\4[PA@%P!O5X`

// EICAR returns the standard 68-byte EICAR test file: harmless, and detected
// as malware by every scanner (here by the database Start writes).
func EICAR() []byte {
	b := []byte(eicarReversed)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// Options are clamd's limits for one server; zero values take the defaults.
type Options struct {
	// StreamMaxLength is the longest INSTREAM clamd accepts. Default 100 MiB.
	StreamMaxLength int64
	// MaxFileSize and MaxScanSize are clamd's scan limits (with
	// AlertExceedsMax set, going over one is reported as
	// Heuristics.Limits.Exceeded.*). Default 100 MiB each: equal, as ferry
	// advises, because ClamAV 1.4 skips an archive member over MaxFileSize
	// without an alert while MaxScanSize is larger.
	MaxFileSize, MaxScanSize int64
}

// Server is a running clamd.
type Server struct {
	// Address is clamd's TCP socket on loopback: "tcp://127.0.0.1:PORT".
	Address string
	// UnixAddress is its unix socket: "unix:///…/clamd.sock".
	UnixAddress string
	// Dir holds clamd.conf, the database, the log and clamd's temporary files.
	Dir string
	// Startup is how long clamd took, from its start to answering PING.
	Startup time.Duration

	tb      testing.TB
	cmd     *exec.Cmd
	exited  chan struct{} // closed when clamd has exited; then waitErr is set
	waitErr error
	stop    sync.Once
}

const (
	startTimeout = 60 * time.Second // loading even one signature takes a while on a slow machine
	stopTimeout  = 10 * time.Second
	startTries   = 3 // clamd is given a free port, which another process may take first
)

// Start starts clamd with the default limits and stops it when tb ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return StartWith(tb, Options{})
}

// StartWith starts clamd with the limits of o and stops it when tb ends.
func StartWith(tb testing.TB, o Options) *Server {
	tb.Helper()
	clamd, sigtool := lookup(tb)
	dir := tb.TempDir()
	sockDir := dir
	if len(filepath.Join(dir, "clamd.sock")) > 100 { // a unix socket path has at most 107 bytes
		var err error
		if sockDir, err = os.MkdirTemp("", "clamd"); err != nil {
			tb.Fatalf("clamdtest: %v", err)
		}
		tb.Cleanup(func() { os.RemoveAll(sockDir) })
	}
	if err := writeDatabase(sigtool, filepath.Join(dir, "db")); err != nil {
		tb.Fatalf("clamdtest: %v", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "tmp"), 0o700); err != nil {
		tb.Fatalf("clamdtest: %v", err)
	}
	s := &Server{Dir: dir, tb: tb, UnixAddress: "unix://" + filepath.Join(sockDir, "clamd.sock")}
	for try := 1; ; try++ {
		err := s.start(clamd, sockDir, o)
		if err == nil {
			break
		}
		if try < startTries && strings.Contains(s.Log(), "Cannot bind") { // "TCP: Cannot bind to [127.0.0.1]:PORT: Address already in use"
			continue
		}
		tb.Fatalf("clamdtest: %v\nclamd's log:\n%s", err, s.Log())
	}
	tb.Cleanup(func() {
		s.Stop()
		if tb.Failed() {
			tb.Logf("clamd's log (%s):\n%s", s.Dir, s.Log())
		}
	})
	return s
}

// lookup finds clamd and sigtool, skipping or failing tb when they are
// missing (see the package documentation).
func lookup(tb testing.TB) (clamd, sigtool string) {
	tb.Helper()
	clamd, err1 := testsrv.LookPath("clamd", "/usr/sbin", "/usr/local/sbin")
	sigtool, err2 := testsrv.LookPath("sigtool", "/usr/bin", "/usr/local/bin")
	if err := errors.Join(err1, err2); err != nil {
		testsrv.Missing(tb, requireEnv, fmt.Sprintf("clamdtest: %v: install clamav-daemon and clamav (`make test-deps`)", err))
	}
	return clamd, sigtool
}

// Required reports whether a test that needs clamd must fail, rather than
// skip, where clamd is not installed: in CI or with FERRY_REQUIRE_CLAMD=1.
func Required() bool { return testsrv.Required(requireEnv) }

const requireEnv = "FERRY_REQUIRE_CLAMD"

// writeDatabase writes the signatures into dir: an MD5 signature of the
// whole EICAR file made by sigtool --md5 (eicar.hdb), and a body signature
// that finds EICAR anywhere in a stream (eicar.ndb: any file type, any
// offset, the bytes in hex). clamd exits when its database folder holds no
// signature file.
func writeDatabase(sigtool, dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	src := filepath.Join(dir, sigName) // sigtool names the signature after the file
	if err := os.WriteFile(src, EICAR(), 0o600); err != nil {
		return err
	}
	hdb, err := exec.Command(sigtool, "--md5", src).Output()
	os.Remove(src) // not a database file, and no EICAR file stays on disk
	if err != nil {
		return fmt.Errorf("sigtool --md5: %w", err)
	}
	if !bytes.HasSuffix(bytes.TrimSpace(hdb), []byte(":"+sigName)) {
		return fmt.Errorf("sigtool --md5 wrote %q, want HASH:SIZE:%s", hdb, sigName)
	}
	if err := os.WriteFile(filepath.Join(dir, "eicar.hdb"), hdb, 0o600); err != nil {
		return err
	}
	ndb := fmt.Sprintf("%s:0:*:%x\n", sigName, EICAR())
	return os.WriteFile(filepath.Join(dir, "eicar.ndb"), []byte(ndb), 0o600)
}

// start writes clamd.conf for a free loopback port, starts clamd and waits
// until both of its sockets answer PING.
func (s *Server) start(clamd, sockDir string, o Options) error {
	port, err := testsrv.FreePort()
	if err != nil {
		return err
	}
	s.Address = fmt.Sprintf("tcp://127.0.0.1:%d", port)
	conf := filepath.Join(s.Dir, "clamd.conf")
	if err := os.WriteFile(conf, []byte(s.config(sockDir, port, o)), 0o600); err != nil {
		return err
	}
	// A failed try's log would fool the next; stderr has the errors from
	// before clamd opens its log.
	os.Remove(s.logPath())
	stderr, err := os.Create(s.stderrPath())
	if err != nil {
		return err
	}
	defer stderr.Close() // clamd holds its own copy
	s.cmd = exec.Command(clamd, "--config-file="+conf)
	s.cmd.Stderr = stderr // its output repeats the log in the foreground
	s.cmd.Dir = s.Dir
	dieWithParent(s.cmd)
	began := time.Now()
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", clamd, err)
	}
	s.exited = make(chan struct{})
	go func() { s.waitErr = s.cmd.Wait(); close(s.exited) }()

	// clamd has no readiness signal but its sockets: poll, briefly, with a deadline.
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if ping(s.UnixAddress) == nil && ping(s.Address) == nil {
			s.Startup = time.Since(began)
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("clamd exited while starting: %v", s.waitErr)
		case <-deadline.C:
			s.kill()
			return fmt.Errorf("clamd did not answer PING within %v", startTimeout)
		case <-tick.C:
		}
	}
}

func (s *Server) config(sockDir string, port int, o Options) string {
	def := func(v, d int64) int64 {
		if v > 0 {
			return v
		}
		return d
	}
	return fmt.Sprintf(`# Written by clamdtest for one test; see ferry's inspect/clamd for production settings.
Foreground yes
LocalSocket %s
FixStaleSocket yes
TCPSocket %d
TCPAddr 127.0.0.1
DatabaseDirectory %s
TemporaryDirectory %s
LogFile %s
LogTime yes
SelfCheck 0
AlertExceedsMax yes
AlertEncrypted yes
StreamMaxLength %d
MaxFileSize %d
MaxScanSize %d
`, filepath.Join(sockDir, "clamd.sock"), port, filepath.Join(s.Dir, "db"), filepath.Join(s.Dir, "tmp"), s.logPath(),
		def(o.StreamMaxLength, 100<<20), def(o.MaxFileSize, 100<<20), def(o.MaxScanSize, 100<<20))
}

// Stop stops clamd (SIGTERM, then SIGKILL after 10 s) and waits for it to
// exit: afterwards both addresses refuse connections. It is safe to call
// more than once; Start's cleanup calls it.
func (s *Server) Stop() {
	s.stop.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			s.tb.Logf("clamdtest: clamd ignored SIGTERM for %v; killing it", stopTimeout)
			s.kill()
		}
	})
}

func (s *Server) kill() {
	s.cmd.Process.Kill()
	<-s.exited
}

// Log returns what clamd logged so far: its log file, then its errors.
func (s *Server) Log() string {
	lf, _ := os.ReadFile(s.logPath())
	stderr, _ := os.ReadFile(s.stderrPath())
	return string(lf) + string(stderr)
}

func (s *Server) logPath() string    { return filepath.Join(s.Dir, "clamd.log") }
func (s *Server) stderrPath() string { return filepath.Join(s.Dir, "clamd.err") }

// ping sends clamd's PING to addr ("tcp://…" or "unix://…") and wants PONG.
func ping(addr string) error {
	network, address, _ := strings.Cut(addr, "://")
	c, err := net.DialTimeout(network, address, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(c, "zPING\x00"); err != nil {
		return err
	}
	reply := make([]byte, 0, 8)
	buf := make([]byte, 8)
	for len(reply) < 8 {
		n, err := c.Read(buf)
		reply = append(reply, buf[:n]...)
		if i := bytes.IndexByte(reply, 0); i >= 0 {
			if string(reply[:i]) != "PONG" {
				return fmt.Errorf("PING answered %q", reply[:i])
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
	return fmt.Errorf("PING answered %q", reply)
}
