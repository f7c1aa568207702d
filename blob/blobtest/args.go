package blobtest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

var argTests = []test{
	{"ValidIDs", testValidIDs},
	{"InvalidIDs", testInvalidIDs},
	{"InvalidSHA256s", testInvalidSHAs},
	{"Lister", testLister},
}

// badIDs are upload IDs outside [A-Za-z0-9_-]{1,128}.
var badIDs = []string{
	"", ".", "..", "../x", "../../x", "a/b", `a\b`, "/abs", "x y", "a.b",
	"é", "a\x00b", "up\n", strings.Repeat("a", 129),
}

// badSHAs are not 64 lower-case hex digits.
func badSHAs() []string {
	good := sum([]byte("blobtest"))
	return []string{
		"", strings.ToUpper(good), good[:63], good + "0", "../" + good[3:],
		good[:62] + "/x", good[:63] + "g", " " + good[1:],
	}
}

// testValidIDs: the whole alphabet and the longest ID are accepted.
func testValidIDs(t *testing.T, s ferry.BlobStore) {
	for _, id := range []string{"a", "AZaz09_-", strings.Repeat("Z", 128), "-", "_"} {
		data := []byte(id)
		mustAppend(t, s, id, 0, data)
		wantUpload(t, s, id, data)
	}
}

// testInvalidIDs: every method refuses a bad upload ID with 8004, before
// reading anything, and the store is left as it was.
func testInvalidIDs(t *testing.T, s ferry.BlobStore) {
	ctx := t.Context()
	keep := content(13, 10)
	mustAppend(t, s, "x", 0, keep)
	for _, id := range badIDs {
		r := &chunkReader{data: []byte("evil"), chunk: 4}
		_, err := s.Append(ctx, id, 0, r)
		wantCode(t, "Append("+id+")", err, ferry.CodeBadRequest)
		if r.read != 0 {
			t.Errorf("Append(%q) read the body before refusing the ID", id)
		}
		_, err = s.UploadSize(ctx, id)
		wantCode(t, "UploadSize("+id+")", err, ferry.CodeBadRequest)
		_, err = s.OpenUpload(ctx, id)
		wantCode(t, "OpenUpload("+id+")", err, ferry.CodeBadRequest)
		wantCode(t, "Commit("+id+")", s.Commit(ctx, id, sum(keep)), ferry.CodeBadRequest)
		wantCode(t, "DeleteUpload("+id+")", s.DeleteUpload(ctx, id), ferry.CodeBadRequest)
	}
	wantUpload(t, s, "x", keep)
	if l, ok := s.(ferry.BlobLister); ok {
		wantSet(t, "Uploads", uploads(t, l), "x")
		wantSet(t, "Blobs", blobs(t, l))
	}
}

// testInvalidSHAs: every method refuses a bad SHA-256 with 8004, and the
// store is left as it was.
func testInvalidSHAs(t *testing.T, s ferry.BlobStore) {
	ctx := t.Context()
	keep := content(14, 10)
	mustAppend(t, s, "x", 0, keep)
	for _, sha := range badSHAs() {
		wantCode(t, "Commit(x, "+sha+")", s.Commit(ctx, "x", sha), ferry.CodeBadRequest)
		_, _, err := s.Open(ctx, sha)
		wantCode(t, "Open("+sha+")", err, ferry.CodeBadRequest)
		wantCode(t, "Delete("+sha+")", s.Delete(ctx, sha), ferry.CodeBadRequest)
	}
	wantUpload(t, s, "x", keep)
	if l, ok := s.(ferry.BlobLister); ok {
		wantSet(t, "Uploads", uploads(t, l), "x")
		wantSet(t, "Blobs", blobs(t, l))
	}
}

// testLister: a store that lists lists exactly what it holds, with
// modification times, and stops when fn fails.
func testLister(t *testing.T, s ferry.BlobStore) {
	l, ok := s.(ferry.BlobLister)
	if !ok {
		t.Skip("the store does not implement ferry.BlobLister")
	}
	wantSet(t, "Uploads of an empty store", uploads(t, l))
	wantSet(t, "Blobs of an empty store", blobs(t, l))

	mustAppend(t, s, "u1", 0, content(15, 3))
	mustAppend(t, s, "u2", 0, nil)
	x := commit(t, s, "u3", content(16, 1000))
	y := commit(t, s, "u4", content(17, MiB+3))
	wantSet(t, "Uploads", uploads(t, l), "u1", "u2")
	wantSet(t, "Blobs", blobs(t, l), x, y)

	stop := errors.New("blobtest: stop")
	calls := 0
	each := func(string, time.Time) error { calls++; return stop }
	if err := l.Uploads(t.Context(), each); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Uploads with a failing fn = %v after %d calls; want its error after 1", err, calls)
	}
	calls = 0
	if err := l.Blobs(t.Context(), each); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Blobs with a failing fn = %v after %d calls; want its error after 1", err, calls)
	}

	if err := s.Delete(t.Context(), x); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUpload(t.Context(), "u1"); err != nil {
		t.Fatal(err)
	}
	wantSet(t, "Uploads after DeleteUpload", uploads(t, l), "u2")
	wantSet(t, "Blobs after Delete", blobs(t, l), y)
}

// uploads lists l's uploads, failing on a duplicate or a zero time.
func uploads(t *testing.T, l ferry.BlobLister) map[string]bool {
	t.Helper()
	return collect(t, "Uploads", l.Uploads)
}

// blobs lists l's blobs, failing on a duplicate or a zero time.
func blobs(t *testing.T, l ferry.BlobLister) map[string]bool {
	t.Helper()
	return collect(t, "Blobs", l.Blobs)
}

func collect(t *testing.T, what string, list func(ctx context.Context, fn func(string, time.Time) error) error) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	err := list(t.Context(), func(name string, mod time.Time) error {
		if got[name] {
			t.Errorf("%s lists %q twice", what, name)
		}
		if mod.IsZero() {
			t.Errorf("%s gives %q no modification time", what, name)
		}
		got[name] = true
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return got
}

// wantSet fails the test unless got holds exactly want.
func wantSet(t *testing.T, what string, got map[string]bool, want ...string) {
	t.Helper()
	ok := len(got) == len(want)
	for _, w := range want {
		ok = ok && got[w]
	}
	if !ok {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
