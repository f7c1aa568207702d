package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// contentServer serves data as a transfer's content, as the server does:
// ETag "<sha256>", Range and If-Range, RFC 6266 Content-Disposition.
type contentServer struct {
	data     []byte
	name     string
	cutAt    int // > 0: the first full response dies after this many bytes
	requests []http.Header
}

func (s *contentServer) serve(w http.ResponseWriter, r *http.Request) {
	s.requests = append(s.requests, r.Header.Clone())
	sum := sha256.Sum256(s.data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	w.Header().Set("Content-Disposition", disposition(s.name))
	if s.cutAt > 0 && r.Header.Get("Range") == "" {
		cut := s.cutAt
		s.cutAt = 0
		w.Header().Set("Content-Length", fmt.Sprint(len(s.data)))
		_, _ = w.Write(s.data[:cut])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(s.data))
}

func (s *contentServer) etag() string {
	sum := sha256.Sum256(s.data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// disposition renders name as RFC 6266 with an RFC 5987 filename*.
func disposition(name string) string {
	var ascii, ext strings.Builder
	for _, b := range []byte(name) {
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', strings.IndexByte("!#$&+-.^_`|~", b) >= 0:
			ascii.WriteByte(b)
			ext.WriteByte(b)
		default:
			if b < 0x80 && b != '"' && b != '\\' {
				ascii.WriteByte(b)
			} else if b&0xC0 != 0x80 {
				ascii.WriteByte('_')
			}
			fmt.Fprintf(&ext, "%%%02X", b)
		}
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii.String(), ext.String())
}

func newContent(t *testing.T, data []byte, name string) (*contentServer, *Client) {
	s := &contentServer{data: data, name: name}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	return s, newTestClient(srv)
}

func tempFile(t *testing.T, content []byte) *os.File {
	f, err := os.Create(filepath.Join(t.TempDir(), "x.part"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.Write(content); err != nil {
		t.Fatal(err)
	}
	return f
}

func fileBytes(t *testing.T, f *os.File) []byte {
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDownloadResumesWithIfRange(t *testing.T) {
	data := testData(1 << 20)
	s, c := newContent(t, data, "a.bin")
	f := tempFile(t, data[:300000])
	res, err := c.Download(context.Background(), "t1", f, DownloadOptions{Offset: 300000, ETag: s.etag()})
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	if res.Status != 206 || res.Restarted || res.Start != 300000 || res.Written != int64(len(data)-300000) || res.Size != int64(len(data)) {
		t.Errorf("result %+v", res)
	}
	if h := s.requests[0]; h.Get("Range") != "bytes=300000-" || h.Get("If-Range") != s.etag() {
		t.Errorf("Range %q If-Range %q", h.Get("Range"), h.Get("If-Range"))
	}
	if !bytes.Equal(fileBytes(t, f), data) {
		t.Fatal("resumed file differs")
	}
}

func TestDownloadRestartsWhenContentChanged(t *testing.T) {
	data := testData(200000)
	_, c := newContent(t, data, "a.bin")
	stale := bytes.Repeat([]byte{'z'}, 250000) // longer than the new content
	f := tempFile(t, stale)
	res, err := c.Download(context.Background(), "t1", f, DownloadOptions{Offset: int64(len(stale)), ETag: `"old"`})
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	if res.Status != 200 || !res.Restarted || res.Start != 0 || res.Written != int64(len(data)) {
		t.Errorf("result %+v", res)
	}
	if !bytes.Equal(fileBytes(t, f), data) {
		t.Fatal("restarted file differs (not truncated?)")
	}
}

func TestDownloadInterruptedThenResumed(t *testing.T) {
	data := testData(500000)
	s, c := newContent(t, data, "a.bin")
	const cut = 123456
	s.cutAt = cut
	f := tempFile(t, nil)
	res, err := c.Download(context.Background(), "t1", f, DownloadOptions{})
	if err == nil {
		t.Fatal("want an error from a cut download")
	}
	held := res.Start + res.Written
	if held <= 0 || held > cut {
		t.Fatalf("held %d after a cut at %d", held, cut)
	}
	if _, err := c.Download(context.Background(), "t1", f, DownloadOptions{Offset: held, ETag: res.ETag}); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if !bytes.Equal(fileBytes(t, f), data) {
		t.Fatal("file differs after an interrupted download was resumed")
	}
}

func TestDispositionUnicodeName(t *testing.T) {
	name := "季度 报告 final 🚀.txt"
	_, c := newContent(t, []byte("hello"), name)
	res, err := c.Download(context.Background(), "t1", tempFile(t, nil), DownloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Filename != name {
		t.Errorf("Filename %q, want %q (header %q)", res.Filename, name, disposition(name))
	}
	if got := FilenameFromDisposition(`attachment; filename="plain name.txt"`); got != "plain name.txt" {
		t.Errorf("plain filename: %q", got)
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"季度 报告 final 🚀.txt": "季度 报告 final 🚀.txt",
		"../../etc/passwd":  "passwd",
		`..\..\boot.ini`:    "boot.ini",
		"/abs/x.pdf":        "x.pdf",
		"..":                "",
		"a/..":              "",
		"bad\x00\nname.txt": "badname.txt",
	} {
		if got := SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
	h := `attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd`
	if got := SafeName(FilenameFromDisposition(h)); got != "passwd" {
		t.Errorf("encoded traversal gave %q", got)
	}
}
