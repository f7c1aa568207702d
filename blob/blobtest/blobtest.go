package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/ferryhq/ferry"
)

// MiB is a mebibyte.
const MiB = 1 << 20

// test is one subtest of the suite, run on a fresh store.
type test struct {
	name string
	fn   func(t *testing.T, s ferry.BlobStore)
}

// Run runs the conformance suite. open returns a fresh, empty store for
// the subtest t; it may register cleanups on t.
func Run(t *testing.T, open func(t *testing.T) ferry.BlobStore) {
	t.Helper()
	var tests []test
	for _, n := range []int{0, 1, MiB, 3*MiB + 17} {
		tests = append(tests, test{fmt.Sprintf("AppendReadBack/%dB", n),
			func(t *testing.T, s ferry.BlobStore) { testReadBack(t, s, n) }})
	}
	tests = append(tests, appendTests...)
	tests = append(tests, commitTests...)
	tests = append(tests, argTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// content returns n pseudo-random bytes, the same for the same seed.
func content(seed uint64, n int) []byte {
	b := make([]byte, n)
	var key [32]byte
	key[0] = byte(seed)
	key[1] = byte(seed >> 8)
	_, _ = rand.NewChaCha8(key).Read(b)
	return b
}

// sum returns the SHA-256 of b in lower-case hex.
func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// cuts splits n bytes into five uneven pieces, some of them empty.
func cuts(n int) []int {
	c := []int{0, n / 3, n / 3, n/3 + 1, 2 * n / 3, n}
	for i := 1; i < len(c); i++ {
		c[i] = min(max(c[i], c[i-1]), n)
	}
	return c
}

// appendAll appends data to upload id (which must be empty) in several
// calls, checking what each returns.
func appendAll(t *testing.T, s ferry.BlobStore, id string, data []byte) {
	t.Helper()
	c := cuts(len(data))
	for i := 1; i < len(c); i++ {
		mustAppend(t, s, id, int64(c[i-1]), data[c[i-1]:c[i]])
	}
}

// mustAppend appends data at offset and fails the test unless all of it
// was written.
func mustAppend(t *testing.T, s ferry.BlobStore, id string, offset int64, data []byte) {
	t.Helper()
	n, err := s.Append(t.Context(), id, offset, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Append(%q, %d, %d bytes): %v", id, offset, len(data), err)
	}
	if want := offset + int64(len(data)); n != want {
		t.Fatalf("Append(%q, %d, %d bytes) = %d, want %d", id, offset, len(data), n, want)
	}
}

// commit stages data as upload id and commits it; it returns the SHA-256.
func commit(t *testing.T, s ferry.BlobStore, id string, data []byte) string {
	t.Helper()
	appendAll(t, s, id, data)
	sha := sum(data)
	if err := s.Commit(t.Context(), id, sha); err != nil {
		t.Fatalf("Commit(%q): %v", id, err)
	}
	return sha
}

// wantUpload checks that upload id holds exactly want.
func wantUpload(t *testing.T, s ferry.BlobStore, id string, want []byte) {
	t.Helper()
	n, err := s.UploadSize(t.Context(), id)
	if err != nil || n != int64(len(want)) {
		t.Fatalf("UploadSize(%q) = %d, %v; want %d", id, n, err, len(want))
	}
	r, err := s.OpenUpload(t.Context(), id)
	if err != nil {
		t.Fatalf("OpenUpload(%q): %v", id, err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading upload %q: %v", id, err)
	}
	equal(t, "upload "+id, got, want)
}

// wantBlob checks that blob sha opens with the size and content of want.
func wantBlob(t *testing.T, s ferry.BlobStore, sha string, want []byte) {
	t.Helper()
	r, n, err := s.Open(t.Context(), sha)
	if err != nil {
		t.Fatalf("Open(%s): %v", sha, err)
	}
	defer r.Close()
	if n != int64(len(want)) {
		t.Errorf("Open(%s) size = %d, want %d", sha, n, len(want))
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading blob %s: %v", sha, err)
	}
	equal(t, "blob "+sha, got, want)
}

// equal fails the test unless got and want are the same bytes, saying
// where they first differ rather than printing megabytes.
func equal(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Fatalf("%s: got %d bytes, want %d; first difference at byte %d", what, len(got), len(want), i)
}

// wantCode fails the test unless err carries the code.
func wantCode(t *testing.T, what string, err error, code ferry.Code) {
	t.Helper()
	if got := ferry.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v has code %d, want %d", what, err, got, code)
	}
}

// detail returns detail key of err's *ferry.Error, formatted.
func detail(err error, key string) string {
	var fe *ferry.Error
	if !errors.As(err, &fe) {
		return "<no *ferry.Error>"
	}
	v, ok := fe.Details[key]
	if !ok {
		return "<missing>"
	}
	return fmt.Sprint(v)
}

// chunkReader hands out data in chunks of chunk bytes, then fails with err
// (io.EOF when err is nil). With withData the error comes together with the
// last chunk, as io.Reader allows.
type chunkReader struct {
	data     []byte
	chunk    int
	err      error
	withData bool
	read     int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	n := copy(p, r.data[:min(len(r.data), r.chunk)])
	r.data = r.data[n:]
	r.read += n
	if len(r.data) > 0 || (n > 0 && !r.withData) {
		return n, nil
	}
	if r.err == nil {
		return n, io.EOF
	}
	return n, r.err
}

// cancelReader hands out data and cancels its context once it has handed
// out at least after bytes.
type cancelReader struct {
	data   []byte
	after  int
	cancel context.CancelFunc
	read   int
}

func (r *cancelReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.data[:min(len(r.data), 64<<10)])
	r.data = r.data[n:]
	r.read += n
	if r.read >= r.after {
		r.cancel()
	}
	return n, nil
}
