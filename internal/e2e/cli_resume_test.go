package e2e

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ferryhq/ferry"
)

// cutProxy forwards TCP to a node. Until tripped, it counts what clients
// send and, once more than limit bytes went through, reports it on cut and
// forwards no more, like a network that died. Later connections pass.
type cutProxy struct {
	ln      net.Listener
	target  string
	limit   int64
	sent    atomic.Int64
	after   atomic.Int64 // bytes clients sent after the cut
	cut     chan struct{}
	once    sync.Once
	tripped atomic.Bool
}

func newCutProxy(t *testing.T, target string, limit int64) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, limit: limit, cut: make(chan struct{})}
	go p.serve()
	t.Cleanup(func() { ln.Close() })
	return p
}

func (p *cutProxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.relay(c)
	}
}

func (p *cutProxy) relay(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	go io.Copy(c, s)
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 && !p.tripped.Load() && p.sent.Add(int64(n)) > p.limit {
			p.tripped.Store(true)
			p.once.Do(func() { close(p.cut) })
			select {} // the network is dead: forward nothing, ever
		}
		if n > 0 {
			if p.tripped.Load() {
				p.after.Add(int64(n))
			}
			if _, werr := s.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// `ferry send` killed mid-upload, run again, resumes where the server's
// bytes end instead of starting over, and the file arrives bit-identical.
func TestCLISendResumesWhenRunAgain(t *testing.T) {
	e := start(t, nil)
	e.user("alice", ferry.TierFree)
	bob := e.user("bob", ferry.TierFree)
	data := zipBytes(t, 8<<20)
	file := filepath.Join(t.TempDir(), "site-photos.zip")
	os.WriteFile(file, data, 0o600)

	proxy := newCutProxy(t, strings.TrimPrefix(e.url, "http://"), 3<<20)
	alice := newCLI(t)
	alice.ok("alice-password\n", "login", "--server", proxy.url(), "--user", "alice", "--password-stdin")

	cmd := exec.Command(ferryBin, "send", file, "--to", "bob", "--quiet")
	cmd.Env = append(os.Environ(), "FERRY_CONFIG_DIR="+alice.dir, "LANG=en_US.UTF-8")
	var firstOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &firstOut, &firstOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-proxy.cut: // 3 MiB of the request went through, then the network died
		cmd.Process.Kill()
		<-exited
	case err := <-exited: // a refusal, or a bug: it must not wait forever for a cut
		t.Fatalf("the first run ended before the network was cut (%v):\n%s", err, firstOut.String())
	}

	out := alice.ok("", "send", file, "--to", "bob", "--quiet")
	if !strings.Contains(out, "resumed") || !strings.Contains(out, "available") {
		t.Fatalf("second run did not resume:\n%s\n(first run: %s)", out, firstOut.String())
	}
	sent := proxy.after.Load()
	t.Logf("the second run sent %d bytes of %d", sent, len(data))
	if sent > int64(len(data))-2<<20 {
		t.Fatalf("the second run sent %d bytes of %d: it did not resume from the bytes the server kept", sent, len(data))
	}
	outbox := e.list(e.login("alice", "alice-password"), "outbox")
	if len(outbox.Transfers) != 1 {
		t.Fatalf("the second run made a new transfer: %d in the outbox", len(outbox.Transfers))
	}
	id := outbox.Transfers[0].ID
	if r := e.do(request{method: "GET", path: "/api/v1/transfers/" + id + "/content", token: bob}); !bytes.Equal(r.body, data) {
		t.Fatal("resumed send is not bit-identical")
	}
}
