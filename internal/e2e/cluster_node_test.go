package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/blob/s3/s3test"
	"github.com/ferryhq/ferry/meta/postgres/pgtest"
)

// cluster is what the nodes of one multi-node test share: a fresh database
// of the run's PostgreSQL and a fresh bucket of a versitygw of the test's.
type cluster struct {
	t      *testing.T
	s3     *s3test.Server
	bucket string
	dsn    string
	yaml   string // the nodes' ferry.yaml, but their temp_dir
}

// newCluster sets up the shared stores; extra is YAML appended to every
// node's configuration (its policy section, say), identical on all. Parts
// are the smallest S3 allows (clusterPartSize), so that a few MiB make
// several, and the sweepers run every 100ms and take what no record knows
// after a second.
func newCluster(t *testing.T, extra string) *cluster {
	t.Helper()
	dsn := pgtest.Shared(t).NewDatabase(t)
	srv := s3test.Start(t)
	b := srv.NewBucket(t)
	yaml := fmt.Sprintf(`listen: 127.0.0.1:0
metadata: {driver: postgres, dsn: %q}
blobs: {driver: s3, endpoint: %q, region: %q, bucket: %q, access_key: %q, secret_key: %q, path_style: true, part_size: 5MiB, temp_dir: %%q}
uploads: {verdict_wait: 1m}
sweeper: {interval: 100ms, orphan_interval: 100ms, orphan_grace: 1s}
log: {level: info}
`, dsn, b.Endpoint, b.Region, b.Bucket, b.AccessKey, b.SecretKey)
	return &cluster{t: t, s3: srv, bucket: b.Bucket, dsn: dsn, yaml: yaml + extra}
}

// node is one `ferry serve` process of a cluster, with its own data and
// temporary folders and its ferry.yaml; it can be killed and started again
// on the same configuration.
type node struct {
	*env
	addr    string // the URL it listens on, once run
	name    string
	config  string
	data    string
	tempDir string
	log     *os.File // the process's stderr, shown when the test fails
	cmd     *exec.Cmd
	drained chan struct{} // closed when the process's stdout ended
}

// node writes the configuration of a new node; start runs it.
func (c *cluster) node(name string) *node {
	t := c.t
	t.Helper()
	dir := t.TempDir()
	n := &node{name: name, config: filepath.Join(dir, "ferry.yaml"), data: filepath.Join(dir, "data"),
		tempDir: filepath.Join(dir, "tmp")}
	if err := os.Mkdir(n.tempDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(n.config, fmt.Appendf(nil, c.yaml, n.tempDir), 0o600); err != nil {
		t.Fatal(err)
	}
	log, err := os.Create(filepath.Join(dir, "node.log"))
	if err != nil {
		t.Fatal(err)
	}
	n.log = log
	t.Cleanup(func() {
		n.kill()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("node %s's log:\n%s", name, b)
		}
		log.Close()
	})
	return n
}

// start runs the node's process and signs its administrator in.
func (n *node) start(t *testing.T) {
	t.Helper()
	if err := n.run(); err != nil {
		t.Fatalf("node %s: %v", n.name, err)
	}
	n.signIn(t)
}

// run starts the process and waits until it listens. It touches no
// testing.T, so that nodes can start at once from goroutines of a test.
func (n *node) run() error {
	cmd := exec.Command(ferryBin, "serve", "--config", n.config, "--data", n.data)
	cmd.Env = append(os.Environ(), "FERRY_ADMIN_PASSWORD="+adminPassword)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	fmt.Fprintf(n.log, "--- node %s starts\n", n.name)
	cmd.Stderr = n.log
	if err := cmd.Start(); err != nil {
		return err
	}
	n.cmd, n.drained = cmd, make(chan struct{})
	n.addr = ""
	sc := bufio.NewScanner(stdout)
	for n.addr == "" && sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "ferry listening on "); ok {
			n.addr = strings.Fields(rest)[0]
		}
	}
	go func() { io.Copy(n.log, stdout); close(n.drained) }()
	if n.addr == "" {
		n.kill()
		return errors.New("exited without printing its address (see its log)")
	}
	return nil
}

// signIn makes the node's env, with its administrator signed in; the
// administrator is created by whichever node of the cluster started first.
func (n *node) signIn(t *testing.T) {
	t.Helper()
	n.env = &env{t: t, url: n.addr}
	n.admin = n.login("admin", adminPassword)
}

// kill ends the process with SIGKILL, as a crash or an OOM killer would,
// and waits for it; a node that is not running is left alone.
func (n *node) kill() {
	if n.cmd == nil {
		return
	}
	n.cmd.Process.Kill()
	<-n.drained
	n.cmd.Wait()
	n.cmd = nil
}
