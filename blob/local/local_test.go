package local_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/blob/blobtest"
	"github.com/ferryhq/ferry/blob/local"
)

const mib = 1 << 20

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) ferry.BlobStore { return open(t, t.TempDir()) })
}

func open(t testing.TB, root string) *local.Store {
	t.Helper()
	s, err := local.Open(root)
	if err != nil {
		t.Fatalf("Open(%s): %v", root, err)
	}
	return s
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// stage appends data as upload id and commits it.
func stage(t *testing.T, s *local.Store, id string, data []byte) string {
	t.Helper()
	if _, err := s.Append(t.Context(), id, 0, bytes.NewReader(data)); err != nil {
		t.Fatalf("Append(%s): %v", id, err)
	}
	sha := sum(data)
	if err := s.Commit(t.Context(), id, sha); err != nil {
		t.Fatalf("Commit(%s): %v", id, err)
	}
	return sha
}

// tree lists every path under root with its mode.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, rel+" "+fi.Mode().String())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	root := filepath.Join(t.TempDir(), "store")
	s := open(t, root)
	sha := stage(t, s, "blob", []byte("content"))
	if _, err := s.Append(t.Context(), "up", 0, bytes.NewReader([]byte("x"))); err != nil {
		t.Fatal(err)
	}
	want := []string{
		". drwx------",
		"blobs drwx------",
		"blobs/" + sha[:2] + " drwx------",
		"blobs/" + sha[:2] + "/" + sha[2:4] + " drwx------",
		"blobs/" + sha[:2] + "/" + sha[2:4] + "/" + sha + " -rw-------",
		"tmp drwx------",
		"uploads drwx------",
		"uploads/up -rw-------",
	}
	if got := tree(t, root); !slices.Equal(got, want) {
		t.Errorf("tree:\n%q\nwant\n%q", got, want)
	}
}

func TestNothingLeftBehind(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	a := stage(t, s, "a", []byte("same"))
	stage(t, s, "b", []byte("same"))
	stage(t, s, "c", []byte("other"))
	for _, dir := range []string{"tmp", "uploads"} {
		if entries, err := os.ReadDir(filepath.Join(root, dir)); err != nil || len(entries) != 0 {
			t.Errorf("%s/ holds %v (%v) after commits, want nothing", dir, entries, err)
		}
	}
	// Delete tidies the fan-out folders it empties.
	if err := s.Delete(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "blobs", a[:2])); !os.IsNotExist(err) {
		t.Errorf("fan-out folder of a deleted blob: %v, want it gone", err)
	}
}

func TestInvalidArgsTouchNothing(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "store")
	s := open(t, root)
	for _, p := range []string{filepath.Join(parent, "x"), filepath.Join(root, "x")} {
		if err := os.WriteFile(p, []byte("keep"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := tree(t, parent)
	ctx := t.Context()
	for _, id := range []string{"../x", "../../x", "..", "", "a/../../x"} {
		_, _ = s.Append(ctx, id, 0, bytes.NewReader([]byte("evil")))
		_ = s.DeleteUpload(ctx, id)
		_ = s.Commit(ctx, id, sum(nil))
	}
	for _, sha := range []string{"../../../x", "../../../../x", sum(nil)[:63] + "A"} {
		_ = s.Delete(ctx, sha)
		_ = s.Commit(ctx, "x", sha)
	}
	if after := tree(t, parent); !slices.Equal(before, after) {
		t.Errorf("invalid arguments changed the disk:\n%q\nnow\n%q", before, after)
	}
}

func TestOpenGivesFile(t *testing.T) {
	s := open(t, t.TempDir())
	sha := stage(t, s, "up", []byte("sendfile"))
	r, _, err := s.Open(t.Context(), sha)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, ok := r.(*os.File); !ok {
		t.Errorf("Open returned %T, want *os.File so that net/http can use sendfile", r)
	}
}

func TestReopen(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	sha := stage(t, s, "up", []byte("kept"))
	if _, err := s.Append(t.Context(), "half", 0, bytes.NewReader([]byte("half"))); err != nil {
		t.Fatal(err)
	}
	s = open(t, root)
	if n, err := s.UploadSize(t.Context(), "half"); n != 4 || err != nil {
		t.Errorf("UploadSize after reopening = %d, %v; want 4", n, err)
	}
	if _, n, err := s.Open(t.Context(), sha); n != 4 || err != nil {
		t.Errorf("Open after reopening: size %d, %v; want 4", n, err)
	}
}

func TestListSkipsMalformed(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	sha := stage(t, s, "up", []byte("listed"))
	other := sum([]byte("elsewhere"))
	junk := map[string]bool{ // path → is a folder
		"uploads/bad name": false, "uploads/dir": true, "uploads/.hidden": false,
		"blobs/zz": true, "blobs/readme": false, "blobs/ab/cd/notasha": false,
		"blobs/ab/cd/" + other: false, // a SHA-256 in the wrong fan-out folder
		"blobs/" + sha[:2] + "/" + sha[2:4] + "/" + sha + ".part": false,
	}
	for p, dir := range junk {
		p = filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		var err error
		if dir {
			err = os.Mkdir(p, 0o700)
		} else {
			err = os.WriteFile(p, nil, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var blobs, uploads []string
	if err := s.Blobs(t.Context(), func(sha string, _ time.Time) error { blobs = append(blobs, sha); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Uploads(t.Context(), func(id string, _ time.Time) error { uploads = append(uploads, id); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(blobs, []string{sha}) || len(uploads) != 0 {
		t.Errorf("Blobs = %v, Uploads = %v; want [%s] and none", blobs, uploads, sha)
	}
}

// pattern is an endless reader that produces bytes without holding them.
type pattern struct{ left int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), p.left))
	for i := range n {
		b[i] = byte(p.left - int64(i))
	}
	p.left -= int64(n)
	return n, nil
}

func TestAppendMemoryFlat(t *testing.T) {
	s := open(t, t.TempDir())
	const size = 64 * mib
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n, err := s.Append(t.Context(), "big", 0, &pattern{left: size})
	runtime.ReadMemStats(&after)
	if err != nil || n != size {
		t.Fatalf("Append = %d, %v; want %d", n, err, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8*mib {
		t.Errorf("appending %d MiB allocated %d bytes, want it flat (one buffer)", size/mib, alloc)
	}
}

// BenchmarkAppend writes 256 MiB uploads in 8 MiB Appends, fsync included.
func BenchmarkAppend(b *testing.B) {
	const total, chunk = 256 * mib, 8 * mib
	s := open(b, b.TempDir())
	data := make([]byte, chunk)
	for i := range data {
		data[i] = byte(i * 7)
	}
	b.SetBytes(total)
	for b.Loop() {
		for off := int64(0); off < total; off += chunk {
			if _, err := s.Append(b.Context(), "bench", off, bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if err := s.DeleteUpload(b.Context(), "bench"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
