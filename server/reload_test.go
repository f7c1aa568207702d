package server

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

// syncBuffer is a log sink that tests read while the node writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func policyFile(maxFile string) string {
	return fmt.Sprintf("policy:\n  tiers:\n    free:\n      max_file_size: %s\n", maxFile)
}

// openAt opens a node over the configuration file at path.
func openAt(t *testing.T, path string, log *syncBuffer) *Node {
	t.Helper()
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Data = t.TempDir()
	n, err := Open(cfg, Options{Log: slog.New(slog.NewTextHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func maxFile(n *Node) ferry.Bytes { return n.Policy().Tier(ferry.TierFree).MaxFileSize }

// A changed file is put in force; a bad one keeps the policy in force and
// the log says where it is wrong.
func TestReloadKeepsThePolicyWhenTheFileIsBad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.yaml")
	os.WriteFile(path, []byte(policyFile("1GB")), 0o600)
	var log syncBuffer
	n := openAt(t, path, &log)
	if maxFile(n) != 1e9 {
		t.Fatalf("max_file_size %v", maxFile(n))
	}
	os.WriteFile(path, []byte(policyFile("2GiB")), 0o600)
	if err := n.Reload(); err != nil || maxFile(n) != 2<<30 {
		t.Fatalf("reload: %v, max_file_size %v", err, maxFile(n))
	}
	bad := policyFile("2GiB") + "  regions:\n    - {name: lab, cidrs: [10.0.0.0/33], action: deny}\n"
	os.WriteFile(path, []byte(bad), 0o600)
	err := n.Reload()
	if err == nil || !strings.Contains(err.Error(), "ferry.yaml:6:") || !strings.Contains(err.Error(), "policy.regions[0].cidrs[0]") {
		t.Fatalf("bad reload: %v, want the file, line 6 and the key", err)
	}
	if maxFile(n) != 2<<30 {
		t.Errorf("a bad reload changed the policy: %v", maxFile(n))
	}
	if l := log.String(); !strings.Contains(l, "policy not reloaded") || !strings.Contains(l, "ferry.yaml:6:") {
		t.Errorf("log does not say why:\n%s", l)
	}
}

// The watcher reloads when the file's content changes and on SIGHUP, not
// on a tick that finds the file as it was.
func TestWatchReloadsOnChangeAndOnHangUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.yaml")
	os.WriteFile(path, []byte(policyFile("1GB")), 0o600)
	var log syncBuffer
	n := openAt(t, path, &log)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tick, hup, done := make(chan time.Time), make(chan os.Signal), make(chan watched)
	go n.watchPolicy(ctx, tick, hup, done)

	tick <- time.Time{}
	if w := <-done; w.reloaded {
		t.Fatalf("an unchanged file was reloaded: %+v", w)
	}
	os.WriteFile(path, []byte(policyFile("3GB")), 0o600)
	tick <- time.Time{}
	if w := <-done; !w.reloaded || w.err != nil || maxFile(n) != 3e9 {
		t.Fatalf("reload on change: %+v, max_file_size %v", w, maxFile(n))
	}
	tick <- time.Time{}
	if w := <-done; w.reloaded {
		t.Fatalf("reloaded twice for one change: %+v", w)
	}
	hup <- syscall.SIGHUP
	if w := <-done; !w.reloaded || w.err != nil || maxFile(n) != 3e9 {
		t.Fatalf("reload on SIGHUP: %+v", w)
	}
	os.WriteFile(path, []byte("policy: [not, a, map]\n"), 0o600)
	tick <- time.Time{}
	if w := <-done; !w.reloaded || w.err == nil || maxFile(n) != 3e9 {
		t.Fatalf("bad file: %+v, max_file_size %v", w, maxFile(n))
	}
	if strings.Count(log.String(), "policy reloaded") != 2 || !strings.Contains(log.String(), "policy not reloaded") {
		t.Errorf("log:\n%s", log.String())
	}
}

// Policy errors point at their line and name their key.
func TestPolicyErrorsNameLineAndKey(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"policy:\n  maintenance_windows:\n    - {start: \"25:00\", end: \"02:00\"}\n", ":3: policy.maintenance_windows[0].start"},
		{"policy:\n  maintenance_windows:\n    - {start: \"23:00\", end: \"02:00\", timezone: Mars/Olympus}\n", ":3: policy.maintenance_windows[0].timezone"},
		{"policy:\n  tiers:\n    free:\n      type_groups: [document, spells]\n", ":4: policy.tiers.free.type_groups[1]"},
		{"policy:\n  admission:\n    shed_first: [gold]\n", ":3: policy.admission.shed_first[0]"},
		{"policy:\n  risk:\n    rate_anomaly: shrug\n", ":3: policy.risk.rate_anomaly"},
		{"policy:\n  trusted_proxies: [10.0.0.1/40]\n", ":2: policy.trusted_proxies[0]"},
		{"policy:\n  min_client_version: latest\n", ":2: policy.min_client_version"},
	} {
		path := filepath.Join(t.TempDir(), "ferry.yaml")
		os.WriteFile(path, []byte(tc.yaml), 0o600)
		_, err := LoadConfig(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

// The keyword dictionaries that ferry.yaml lists (relative to it) are put
// in force again when one changes, with a new inspection version, so that
// content inspected under the old words is inspected again; a bad
// dictionary keeps those in force, and the log names its file and line.
func TestWatchReloadsChangedDictionaries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ferry.yaml")
	os.WriteFile(path, []byte("inspect:\n  keywords:\n    files: [words.txt]\n"), 0o600)
	words := filepath.Join(dir, "words.txt")
	os.WriteFile(words, []byte("机密\tsecret\n"), 0o600)
	var log syncBuffer
	n := openAt(t, path, &log)
	hit := func(s string) bool { return n.inspection.kw.Matcher().MatchName(s) != nil }
	if !hit("机密.txt") || hit("绝密.txt") {
		t.Fatal("the dictionary in force is not words.txt")
	}
	v1 := n.policy.version()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tick, done := make(chan time.Time), make(chan watched)
	go n.watchPolicy(ctx, tick, nil, done)

	tick <- time.Time{}
	if w := <-done; w.reloaded || n.policy.version() != v1 {
		t.Fatalf("unchanged dictionaries reloaded: %+v", w)
	}
	os.WriteFile(words, []byte("机密\tsecret\n绝密\tsecret\n"), 0o600)
	tick <- time.Time{}
	if w := <-done; !w.reloaded || w.err != nil || !hit("绝密.txt") {
		t.Fatalf("changed dictionary: %+v, 绝密 matches: %v", w, hit("绝密.txt"))
	}
	v2 := n.policy.version()
	if v2 == v1 {
		t.Error("the inspection version did not change with the dictionary")
	}
	os.WriteFile(words, []byte("机密\tsecret\n!\n"), 0o600)
	tick <- time.Time{}
	if w := <-done; w.reloaded || w.err == nil || !hit("绝密.txt") || n.policy.version() != v2 {
		t.Fatalf("bad dictionary: %+v; the words in force must stay", w)
	}
	if !strings.Contains(log.String(), "words.txt:2") {
		t.Errorf("log does not name the file and line:\n%s", log.String())
	}
}
