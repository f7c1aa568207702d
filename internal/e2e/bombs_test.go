package e2e

import (
	"archive/zip"
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/httpapi/wire"
	"github.com/ferryhq/ferry/inspect/archive/archivetest"
)

// serveBinary runs `ferry serve` as a process on a fresh data folder and
// returns an env over it (with an administrator signed in) and the process.
func serveBinary(t *testing.T) (*env, *os.Process) {
	t.Helper()
	cmd := exec.Command(ferryBin, "serve", "--listen", "127.0.0.1:0", "--data", t.TempDir())
	cmd.Env = append(os.Environ(), "FERRY_ADMIN_PASSWORD="+adminPassword)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var url string
	for sc := bufio.NewScanner(stdout); url == "" && sc.Scan(); {
		if rest, ok := strings.CutPrefix(sc.Text(), "ferry listening on "); ok {
			url = strings.Fields(rest)[0]
		}
	}
	if url == "" {
		t.Fatal("serve printed no address")
	}
	e := &env{t: t, url: url}
	e.admin = e.login("admin", adminPassword)
	return e, cmd.Process
}

// peakRSS is the process's peak resident memory (VmHWM), in bytes.
func peakRSS(t *testing.T, p *os.Process) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// uploadVerdict sends data as name in one PATCH and returns the verdict's
// error: from the PATCH when it came in time, else from the transfer once
// its inspection ended.
func (e *env) uploadVerdict(token, name string, data []byte) *wire.Error {
	e.t.Helper()
	c := e.create(token, []string{"bob"}, name, int64(len(data)), "")
	r := e.patch(token, c.UploadURL, 0, data, nil)
	if r.StatusCode != 204 {
		b := r.errBody()
		return &b
	}
	var tr wire.Transfer
	e.decode(e.do(request{method: "GET", path: "/api/v1/transfers/" + c.ID + "?wait=60s", token: token}), 200, &tr)
	return tr.Error
}

// The bomb corpus through the real server, as a process: each archive is
// refused with its code and the limit or rule that stopped it, and the
// server's peak memory stays under 256 MiB. How long each verdict took is
// logged (the bench measures it; tests assert no timings).
func TestBombCorpus(t *testing.T) {
	e, proc := serveBinary(t)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	lnk := []byte("L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46")
	for _, tc := range []struct {
		name, file string
		data       []byte
		code       ferry.Code
		detail     string // limit_name, or the path of the entry refused
	}{
		{"nested (42.zip)", "42.zip", archivetest.Nested42(t, 3, 16<<20), ferry.CodeArchiveLimit, "max_ratio"},
		{"overlapping entries", "overlap.zip", archivetest.OverlapBomb(t, 100, 1<<20), ferry.CodeArchiveLimit, "format"},
		{"100 000 entries", "many.zip", archivetest.ManyEntries(t, 100000), ferry.CodeArchiveLimit, "max_entries"},
		{"deep nesting", "deep.zip", archivetest.NestedZips(t, 10, zip.Deflate), ferry.CodeArchiveLimit, "max_depth"},
		{"gzip quine", "quine.gz", archivetest.GzipQuine, ferry.CodeArchiveLimit, "max_depth"},
		{"sparse tar", "sparse.tar", archivetest.SparseTar(t, "disk.img", 1<<40), ferry.CodeArchiveLimit, "max_expanded_size"},
		{"traversal names", "evil.zip", archivetest.ZipOf(t, archivetest.Ent("../../etc/passwd", "root::0:0")),
			ferry.CodeFileNameInvalid, "evil.zip/../../etc/passwd"},
		{"a shortcut inside a zip", "links.zip", archivetest.ZipOf(t, archivetest.Ent("a.txt", "a"),
			archivetest.File{Name: "invoice.pdf.lnk", Body: lnk}), ferry.CodeFileTypeBlocked, "links.zip/invoice.pdf.lnk"},
		{"a shortcut inside a tar.xz", "links.tar.xz", archivetest.Xz(t, archivetest.TarOf(t, archivetest.Ent("a.txt", "a"),
			archivetest.File{Name: "docs/invoice.pdf.lnk", Body: lnk}), 1<<20, 0), ferry.CodeFileTypeBlocked, "links.tar.xz/docs/invoice.pdf.lnk"},
		{"an xz declaring a 4 GiB dictionary", "dict.tar.xz", archivetest.XzHugeDict(t, archivetest.TarOf(t, archivetest.Ent("a.txt", "a"))),
			ferry.CodeArchiveLimit, "max_dictionary_size"},
		{"an executable named pdf inside a zip", "papers.zip", archivetest.ZipOf(t,
			archivetest.File{Name: "docs/invoice.pdf", Body: exeBytes(t, 5000)}), ferry.CodeFileTypeMismatch, "papers.zip/docs/invoice.pdf"},
	} {
		start := time.Now()
		got := e.uploadVerdict(alice, tc.file, tc.data)
		took := time.Since(start)
		if got == nil || got.Code != tc.code {
			t.Errorf("%s: verdict %+v, want %d", tc.name, got, tc.code)
			continue
		}
		if got.Details["limit_name"] != tc.detail && got.Details["path"] != tc.detail {
			t.Errorf("%s: details %v, want %q", tc.name, got.Details, tc.detail)
		}
		t.Logf("%-38s %d %-24v in %v (%d bytes)", tc.name, got.Code, got.Details["limit_name"], took.Round(time.Millisecond), len(tc.data))
	}
	// A plain archive of documents passes.
	ok := archivetest.ZipOf(t, archivetest.Ent("a.txt", "季度报告"), archivetest.File{Name: "docs/b.pdf", Body: pdfBytes(t, 3000)})
	if got := e.uploadVerdict(alice, "papers.zip", ok); got != nil {
		t.Errorf("a plain zip: %+v", got)
	}
	// And so does a tar.xz of them, in several blocks.
	okXz := archivetest.Xz(t, archivetest.TarOf(t, archivetest.Ent("a.txt", strings.Repeat("季度报告\n", 4000)),
		archivetest.File{Name: "docs/b.pdf", Body: pdfBytes(t, 3000)}), 1<<20, 8192)
	if got := e.uploadVerdict(alice, "papers.tar.xz", okXz); got != nil {
		t.Errorf("a plain tar.xz: %+v", got)
	}
	peak := peakRSS(t, proc)
	t.Logf("ferry's peak RSS over the corpus: %d MiB", peak>>20)
	if peak >= 256<<20 {
		t.Errorf("ferry's peak RSS %d MiB, want under 256 MiB", peak>>20)
	}
}
