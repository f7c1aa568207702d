package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestSendUploads(t *testing.T) {
	c := newCLI(t)
	api := c.withAPI()
	data := testBytes(100000)
	file := writeFile(t, "季度 报告 final 🚀.txt", data)
	code, out, errOut := c.run("", "send", file, "--to", "bo,li", "--to", "bo")
	if code != 0 || out != "t1  季度 报告 final 🚀.txt  available\n" {
		t.Fatalf("send: %d %q %q", code, out, errOut)
	}
	if !bytes.Equal(api.staged["t1"], data) {
		t.Error("server holds other bytes")
	}
	if rs := api.transfers["t1"].Recipients; len(rs) != 2 || rs[0].Username != "bo" || rs[1].Username != "li" {
		t.Errorf("recipients %+v", rs)
	}
	if st := loadState(t, c); len(st.Uploads) != 0 {
		t.Errorf("uploads.json keeps %+v", st.Uploads)
	}
}

func TestSendResumesAfterInterruption(t *testing.T) {
	c := newCLI(t)
	api := c.withAPI()
	api.expireOne = true // the second chunk meets an expired session
	data := testBytes(300 << 10)
	file := writeFile(t, "a.bin", data)
	args := []string{"send", file, "--to", "bo", "--chunk-size", "128KiB"}
	code, _, errOut := c.run("", args...)
	if code != 1 || !strings.HasPrefix(errOut, "error 8001 UNAUTHENTICATED: ") || !strings.HasSuffix(errOut, "\nthe upload is kept: run the same command again to resume it\n") {
		t.Fatalf("first run: %d %q", code, errOut)
	}
	st := loadState(t, c)
	if len(st.Uploads) != 1 || st.Uploads[0].ID != "t1" || len(api.staged["t1"]) != 128<<10 {
		t.Fatalf("after the interruption: state %+v, server holds %d", st.Uploads, len(api.staged["t1"]))
	}
	code, out, errOut := c.run("", args...)
	if code != 0 || out != "t1  a.bin  available  resumed\n" {
		t.Fatalf("second run: %d %q %q", code, out, errOut)
	}
	if n := api.count("POST /api/v1/transfers"); n != 1 {
		t.Errorf("%d creates, want 1: the second run must resume", n)
	}
	if !bytes.Equal(api.staged["t1"], data) {
		t.Error("resumed upload differs")
	}
	if st := loadState(t, c); len(st.Uploads) != 0 {
		t.Errorf("uploads.json keeps %+v", st.Uploads)
	}
}

func TestSendForgetsUploadTheServerLost(t *testing.T) {
	c := newCLI(t)
	api := c.withAPI()
	file := writeFile(t, "a.txt", []byte("hello, ferry"))
	abs, _ := filepath.Abs(file)
	fi, _ := os.Stat(file)
	sum := sha256.Sum256([]byte("hello, ferry"))
	stale := uploadEntry{Server: api.srv.URL, Path: abs, Size: fi.Size(), ModTime: fi.ModTime(), To: []string{"bo"},
		SHA256: hexString(sum[:]), ID: "gone", UploadURL: "/api/v1/uploads/gone"}
	if err := writeJSONFile(c.configPath("uploads.json"), uploadState{Uploads: []uploadEntry{stale}}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := c.run("", "send", file, "--to", "bo")
	if code != 0 || out != "t1  a.txt  available\n" {
		t.Fatalf("send: %d %q %q", code, out, errOut)
	}
	if api.count("HEAD /api/v1/uploads/gone") != 1 || api.count("POST /api/v1/transfers") != 1 {
		t.Errorf("requests %q", api.requests)
	}
}

func TestSendInstant(t *testing.T) {
	c := newCLI(t)
	api := c.withAPI()
	data := testBytes(5000)
	api.addTransfer("t0", "old.bin", data)
	file := writeFile(t, "copy.bin", data)
	code, out, errOut := c.run("", "send", file, "--to", "bo", "--json")
	var res []sendResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
		t.Fatalf("send: %d %q %q", code, out, errOut)
	}
	if len(res) != 1 || !res[0].Instant || res[0].State != "available" || res[0].ID != "t2" {
		t.Errorf("result %+v", res)
	}
	if api.count("PATCH /api/v1/uploads/t2") != 0 || api.count("POST /api/v1/transfers/t2/proof") != 1 {
		t.Errorf("requests %q", api.requests)
	}
}

func TestSendSeveralFilesReportsEach(t *testing.T) {
	c := newCLI(t)
	c.withAPI()
	good := writeFile(t, "good.txt", []byte("fine"))
	code, out, errOut := c.run("", "send", filepath.Join(t.TempDir(), "missing.txt"), good, "--to", "bo")
	if code != 1 || out != "t1  good.txt  available\n" || !strings.Contains(errOut, "missing.txt:\nerror: ") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

func TestUploadStateRoundTrip(t *testing.T) {
	c := newCLI(t)
	a := &app{getenv: func(k string) string { return c.env[k] }}
	mtime := time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.FixedZone("CST", 8*3600))
	key := uploadEntry{Server: "http://s", Path: "/tmp/a b/季度.txt", Size: 42, ModTime: mtime, To: normalizeRecipients([]string{"li", " bo", "li"}), SHA256: "ab"}
	e := key
	e.ID, e.UploadURL = "t9", "/api/v1/uploads/t9"
	other := key
	other.To = []string{"bo"}
	other.ID = "t8"
	for _, x := range []uploadEntry{other, e, e} {
		if err := a.rememberUpload(x); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(c.configPath("uploads.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("uploads.json: %v %v", err, fi)
	}
	probe := key
	probe.ModTime = mtime.UTC() // the same instant, as re-read from disk
	got, err := a.findUpload(&probe)
	if err != nil || got == nil || got.ID != "t9" || got.UploadURL != e.UploadURL {
		t.Fatalf("find: %+v %v", got, err)
	}
	if st := loadState(t, c); len(st.Uploads) != 2 {
		t.Errorf("%d entries, want 2 (same key replaced)", len(st.Uploads))
	}
	probe.Size = 43
	if got, _ := a.findUpload(&probe); got != nil {
		t.Error("a different size must not match")
	}
	if err := a.forgetUpload(&key); err != nil {
		t.Fatal(err)
	}
	if st := loadState(t, c); len(st.Uploads) != 1 || st.Uploads[0].ID != "t8" {
		t.Errorf("after forget: %+v", st.Uploads)
	}
}

func loadState(t *testing.T, c *cli) uploadState {
	var st uploadState
	if _, err := readJSONFile(c.configPath("uploads.json"), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	var s strings.Builder
	for _, x := range b {
		s.WriteByte(digits[x>>4])
		s.WriteByte(digits[x&15])
	}
	return s.String()
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1048576": 1 << 20, "64MiB": 64 << 20, "64M": 64 << 20, "100MB": 1e8, "1.5GiB": 3 << 29, "8 kb": 8000} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots", "-1MiB", "5 parsecs"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}

// A file that the server would refuse is refused before it is hashed: the
// pre-check answers at once, and no transfer is created.
func TestSendPrechecksBeforeHashing(t *testing.T) {
	c := newCLI(t)
	api := c.withCheckAPI(nil)
	file := filepath.Join(t.TempDir(), "huge.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(file, 6e9); err != nil { // sparse: nothing is written
		t.Fatal(err)
	}
	code, _, errOut := c.run("", "send", file, "--to", "bo", "--quiet")
	if code != 1 || !strings.HasPrefix(errOut, "error 6002 FILE_TOO_LARGE: ") || !strings.Contains(errOut, "\nrule: tiers.free.max_file_size") {
		t.Fatalf("send: %d %q", code, errOut)
	}
	if len(api.checks) != 1 || api.checks[0].Name != "huge.pdf" || api.checks[0].Size != 6e9 || len(api.transfers) != 0 {
		t.Errorf("pre-checks %+v, transfers %d", api.checks, len(api.transfers))
	}
}
