package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/policy"
	"github.com/ferryhq/ferry/server"
)

// cli runs the real ferry binary as one user, with its own config folder.
type cli struct {
	t   *testing.T
	dir string
}

func newCLI(t *testing.T) *cli { return &cli{t: t, dir: t.TempDir()} }

func (c *cli) run(stdin string, args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	cmd := exec.Command(ferryBin, args...)
	cmd.Env = append(os.Environ(), "FERRY_CONFIG_DIR="+c.dir, "LANG=en_US.UTF-8", "LC_ALL=")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	}
	if err != nil {
		c.t.Fatalf("ferry %v: %v", args, err)
	}
	return 0, out.String(), errb.String()
}

func (c *cli) ok(stdin string, args ...string) string {
	c.t.Helper()
	code, out, errOut := c.run(stdin, args...)
	if code != 0 {
		c.t.Fatalf("ferry %v: exit %d\n%s%s", args, code, out, errOut)
	}
	return out
}

// The README's tour, with the real binary against a real node: the admin
// adds alice and bob, alice sends a file with a Chinese name, bob lists his
// inbox and fetches it — and a refusal prints its code, rule and remedy.
func TestCLITour(t *testing.T) {
	e := start(t, func(c *server.Config) {
		c.Policy = policy.Default()
		c.Policy.Tiers[ferry.TierFree].MaxFileSize = 1 << 20
	})
	admin, alice, bob := newCLI(t), newCLI(t), newCLI(t)
	admin.ok(adminPassword+"\n", "login", "--server", e.url, "--user", "admin", "--password-stdin")
	admin.ok("alice-password\n", "user", "add", "alice", "--tier", "free", "--password-stdin")
	admin.ok("bob-password\n", "user", "add", "bob", "--tier", "free", "--password-stdin")
	if out := admin.ok("", "user", "list"); !strings.Contains(out, "alice") || !strings.Contains(out, "bob") {
		t.Fatalf("user list:\n%s", out)
	}

	alice.ok("alice-password\n", "login", "--server", e.url, "--user", "alice", "--password-stdin")
	folder := t.TempDir()
	name := "季度 报告 final 🚀.pdf"
	data := pdfBytes(t, 300_000)
	os.WriteFile(filepath.Join(folder, name), data, 0o600)
	out := alice.ok("", "send", filepath.Join(folder, name), "--to", "bob", "--quiet")
	if !strings.Contains(out, name) || !strings.Contains(out, "available") {
		t.Fatalf("send printed:\n%s", out)
	}

	// Too large for alice's tier: code, message, remedy, rule; exit 1.
	big := filepath.Join(folder, "big.iso")
	os.WriteFile(big, make([]byte, 2<<20), 0o600)
	code, _, errOut := alice.run("", "send", big, "--to", "bob", "--quiet")
	if code != 1 || !strings.Contains(errOut, "error 6002 FILE_TOO_LARGE: Your tier allows files of at most 1 MiB") ||
		!strings.Contains(errOut, "remedy: ") || !strings.Contains(errOut, "rule: tiers.free.max_file_size") {
		t.Fatalf("refusal: exit %d\n%s", code, errOut)
	}

	bob.ok("bob-password\n", "login", "--server", e.url, "--user", "bob", "--password-stdin")
	var inbox []wire.Transfer
	raw := bob.ok("", "inbox", "--json")
	if err := json.Unmarshal([]byte(raw), &inbox); err != nil {
		var list wire.TransferList
		if err2 := json.Unmarshal([]byte(raw), &list); err2 != nil {
			t.Fatalf("inbox --json: %v\n%s", err, raw)
		}
		inbox = list.Transfers
	}
	if len(inbox) != 1 || inbox[0].Name != name || inbox[0].Sender != "alice" {
		t.Fatalf("inbox: %+v", inbox)
	}
	dest := t.TempDir()
	bob.ok("", "get", inbox[0].ID, "-o", dest, "--quiet")
	got, err := os.ReadFile(filepath.Join(dest, name))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("fetched file differs (%v)", err)
	}
	if tr := e.transfer(e.login("alice", "alice-password"), inbox[0].ID); tr.State != ferry.StateDownloaded {
		t.Fatalf("after get: %s", tr.State)
	}
}

// An interrupted download resumes from the .part file it left.
func TestCLIGetResumes(t *testing.T) {
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	data := randomBytes(t, 2<<20)
	id := e.send(alice, []string{"bob"}, "movie.img", data)

	bob := newCLI(t)
	bob.ok("bob-password\n", "login", "--server", e.url, "--user", "bob", "--password-stdin")
	dest := filepath.Join(t.TempDir(), "movie.mkv")
	os.WriteFile(dest+".part", data[:700_000], 0o600) // what a killed `ferry get` left
	bob.ok("", "get", id, "-o", dest, "--quiet")
	got, _ := os.ReadFile(dest)
	if !bytes.Equal(got, data) {
		t.Fatal("resumed download differs")
	}
	if _, err := os.Stat(dest + ".part"); !os.IsNotExist(err) {
		t.Error(".part left behind")
	}
	// A second get refuses to overwrite without --force.
	if code, _, _ := bob.run("", "get", id, "-o", dest, "--quiet"); code == 0 {
		t.Error("overwrote an existing file without --force")
	}
}

// `ferry serve` as a user runs it: it prints where it listens, creates the
// admin with a password printed once, serves, and stops cleanly on SIGTERM.
func TestServeBinary(t *testing.T) {
	data := t.TempDir()
	cmd := exec.Command(ferryBin, "serve", "--listen", "127.0.0.1:0", "--data", data)
	cmd.Env = append(os.Environ(), "FERRY_ADMIN_PASSWORD=")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var password, url string
	sc := bufio.NewScanner(stdout)
	for url == "" && sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "created account admin with password: "); ok {
			password = p
		}
		if rest, ok := strings.CutPrefix(line, "ferry listening on "); ok {
			url = strings.Fields(rest)[0]
		}
	}
	if url == "" || len(password) < 16 {
		t.Fatalf("serve printed no address or password (url %q, password %q)", url, password)
	}
	e := &env{t: t, url: url}
	e.login("admin", password)
	if _, err := os.Stat(filepath.Join(data, "ferry.db")); err != nil {
		t.Errorf("no database in the --data folder: %v", err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve did not stop cleanly: %v", err)
	}
}
