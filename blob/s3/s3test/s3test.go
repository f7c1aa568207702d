package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/ferryhq/ferry/blob/s3"
	"github.com/ferryhq/ferry/internal/testsrv"
)

// Server is a running versitygw on loopback.
type Server struct {
	// Endpoint is the gateway's URL: "http://127.0.0.1:PORT".
	Endpoint string
	// AccessKey and SecretKey are the root account's, random for each
	// server.
	AccessKey, SecretKey string
	// Region is the region the gateway signs for.
	Region string
	// Dir holds the posix backend's buckets and the gateway's log.
	Dir string
	// Startup is how long the gateway took, from its start to answering a
	// signed request.
	Startup time.Duration

	tb      testing.TB
	client  *minio.Client
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the gateway has exited; then waitErr is set
	waitErr error
	stop    sync.Once
	buckets atomic.Int64
}

const (
	startTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
	startTries   = 3 // the gateway is given a free port, which another process may take first
	region       = "us-east-1"
)

// Start starts versitygw with a posix backend in a temporary folder and
// stops it when tb ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := lookup(tb)
	dir := tb.TempDir()
	s := &Server{Dir: dir, tb: tb, Region: region, AccessKey: random(10), SecretKey: random(20)}
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o700); err != nil {
		tb.Fatalf("s3test: %v", err)
	}
	// The posix backend keeps metadata (ETags, content types) in user
	// extended attributes; where the file system has none (tmpfs on some
	// kernels, overlayfs), a sidecar folder holds them instead.
	var backend []string
	if !xattrsWork(dir) {
		sidecar := filepath.Join(dir, "meta")
		if err := os.Mkdir(sidecar, 0o700); err != nil {
			tb.Fatalf("s3test: %v", err)
		}
		backend = append(backend, "--sidecar", sidecar)
	}
	for try := 1; ; try++ {
		err := s.start(bin, root, backend)
		if err == nil {
			break
		}
		if try < startTries && strings.Contains(s.Log(), "address already in use") {
			continue
		}
		tb.Fatalf("s3test: %v\nversitygw's log:\n%s", err, s.Log())
	}
	tb.Cleanup(func() {
		s.Stop()
		if tb.Failed() {
			tb.Logf("versitygw's log (%s):\n%s", s.Dir, s.Log())
		}
	})
	return s
}

// lookup finds versitygw, skipping or failing tb when it is missing (see
// the package documentation).
func lookup(tb testing.TB) string {
	tb.Helper()
	var dirs []string
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, d := range filepath.SplitList(strings.TrimSpace(string(out))) {
			dirs = append(dirs, filepath.Join(d, "bin"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	p, err := testsrv.LookPath("versitygw", dirs...)
	if err != nil {
		testsrv.Missing(tb, requireEnv, fmt.Sprintf("s3test: %v: install it with `go install github.com/versity/versitygw/cmd/versitygw@v1.8.0`", err))
	}
	return p
}

// Required reports whether a test that needs the S3 server must fail,
// rather than skip, where versitygw is not installed: in CI or with
// FERRY_REQUIRE_S3=1.
func Required() bool { return testsrv.Required(requireEnv) }

const requireEnv = "FERRY_REQUIRE_S3"

// start runs the gateway on a free loopback port and waits until it
// answers a signed ListBuckets.
func (s *Server) start(bin, root string, backend []string) error {
	port, err := testsrv.FreePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	s.Endpoint = "http://" + addr
	log, err := os.Create(s.logPath())
	if err != nil {
		return err
	}
	defer log.Close() // the gateway holds its own copy
	args := []string{"--access", s.AccessKey, "--secret", s.SecretKey, "--region", s.Region,
		"--port", addr, "--quiet", "posix"}
	args = append(append(args, backend...), root)
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	s.cmd.Dir = s.Dir
	// The keys must not leak to the gateway from the test's environment.
	s.cmd.Env = filterEnv(os.Environ(), "ROOT_ACCESS_KEY", "ROOT_SECRET_KEY", "ROOT_ACCESS_KEY_ID", "ROOT_SECRET_ACCESS_KEY")
	dieWithParent(s.cmd)
	began := time.Now()
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	s.exited = make(chan struct{})
	go func() { s.waitErr = s.cmd.Wait(); close(s.exited) }()

	s.client, err = minio.New(addr, &minio.Options{
		Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""), Region: s.Region,
		BucketLookup: minio.BucketLookupPath, MaxRetries: 1,
	})
	if err != nil {
		s.kill()
		return err
	}
	// No readiness signal but the socket: poll a real request, briefly.
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := s.client.ListBuckets(ctx)
		cancel()
		if err == nil {
			s.Startup = time.Since(began)
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("versitygw exited while starting: %v", s.waitErr)
		case <-deadline.C:
			s.kill()
			return fmt.Errorf("versitygw did not answer within %v: %v", startTimeout, err)
		case <-tick.C:
		}
	}
}

// NewBucket creates an empty bucket and returns the store configuration
// for it (path style, a temporary folder of tb for parts); the bucket is
// left behind with the server's folder.
func (s *Server) NewBucket(tb testing.TB) s3.Config {
	tb.Helper()
	name := fmt.Sprintf("ferry-%d-%s", s.buckets.Add(1), strings.ToLower(random(4)))
	if err := s.client.MakeBucket(tb.Context(), name, minio.MakeBucketOptions{Region: s.Region}); err != nil {
		tb.Fatalf("s3test: make bucket %s: %v", name, err)
	}
	return s.Config(tb, name)
}

// Config returns the store configuration for an existing bucket.
func (s *Server) Config(tb testing.TB, bucket string) s3.Config {
	return s3.Config{
		Endpoint:  s.Endpoint,
		Region:    s.Region,
		Bucket:    bucket,
		AccessKey: s.AccessKey,
		SecretKey: s.SecretKey,
		PathStyle: true,
		TempDir:   tb.TempDir(),
	}
}

// Client returns a client of the gateway with the root account, for tests
// that look at the bucket behind the store's back.
func (s *Server) Client() *minio.Client { return s.client }

// Stop stops the gateway (SIGTERM, then SIGKILL after 10 s) and waits for
// it to exit. It is safe to call more than once; Start's cleanup calls it.
func (s *Server) Stop() {
	s.stop.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			s.tb.Logf("s3test: versitygw ignored SIGTERM for %v; killing it", stopTimeout)
			s.kill()
		}
	})
}

func (s *Server) kill() {
	s.cmd.Process.Kill()
	<-s.exited
}

// Log returns what the gateway wrote so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.logPath())
	return string(b)
}

func (s *Server) logPath() string { return filepath.Join(s.Dir, "versitygw.log") }

// random returns n random bytes in hex.
func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func filterEnv(env []string, drop ...string) []string {
	out := env[:0:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, d := range drop {
			keep = keep && k != d
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}
