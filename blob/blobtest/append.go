package blobtest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ferryhq/ferry"
)

var appendTests = []test{
	{"AppendWrongOffset", testWrongOffset},
	{"AppendReaderFails", testReaderFails},
	{"AppendDiscard", testDiscard},
	{"AppendCanceled", testCanceled},
}

// errBroken is a plain reader failure: a connection that dropped.
var errBroken = errors.New("blobtest: connection dropped")

// testReadBack appends n bytes in several calls and reads them back from
// the upload and, once committed, from the blob.
func testReadBack(t *testing.T, s ferry.BlobStore, n int) {
	data := content(uint64(n), n)
	appendAll(t, s, "up", data)
	wantUpload(t, s, "up", data)
	sha := sum(data)
	if err := s.Commit(t.Context(), "up", sha); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	wantBlob(t, s, sha, data)
}

// testWrongOffset: an Append at any offset but the held size is 2004 with
// the held size as "expected", and writes nothing.
func testWrongOffset(t *testing.T, s ferry.BlobStore) {
	ctx := t.Context()
	n, err := s.Append(ctx, "fresh", 5, &chunkReader{data: []byte("hello"), chunk: 5})
	wantCode(t, "Append(fresh, 5)", err, ferry.CodeUploadOffsetConflict)
	if n != 0 {
		t.Errorf("Append(fresh, 5) = %d, want the held size 0", n)
	}
	if e, a := detail(err, "expected"), detail(err, "actual"); e != "0" || a != "5" {
		t.Errorf("Append(fresh, 5): expected=%s actual=%s, want 0 and 5", e, a)
	}
	if n, err := s.UploadSize(ctx, "fresh"); n != 0 || err != nil {
		t.Errorf("UploadSize(fresh) after a refused Append = %d, %v; want 0, nil", n, err)
	}
	if l, ok := s.(ferry.BlobLister); ok {
		if got := uploads(t, l); len(got) != 0 {
			t.Errorf("a refused Append left uploads %v", got)
		}
	}

	data := content(1, 10)
	mustAppend(t, s, "up", 0, data)
	for _, off := range []int64{0, 5, 9, 11, 1 << 40, -1} {
		n, err := s.Append(ctx, "up", off, &chunkReader{data: content(2, 100), chunk: 100})
		what := fmt.Sprintf("Append(up, %d)", off)
		wantCode(t, what, err, ferry.CodeUploadOffsetConflict)
		if e, a := detail(err, "expected"), detail(err, "actual"); e != "10" || a != fmt.Sprint(off) {
			t.Errorf("%s: expected=%s actual=%s, want 10 and %d", what, e, a, off)
		}
		if n != 10 {
			t.Errorf("%s = %d, want the held size 10", what, n)
		}
		wantUpload(t, s, "up", data)
	}
}

// testReaderFails: a reader that fails half way leaves exactly the bytes it
// delivered, and the next Append continues from there.
func testReaderFails(t *testing.T, s ferry.BlobStore) {
	for _, withData := range []bool{false, true} {
		t.Run(fmt.Sprintf("errorWithData=%v", withData), func(t *testing.T) {
			id := fmt.Sprintf("up-%v", withData)
			data := content(3, 5*MiB/2)
			const head = 1000
			delivered := 3*MiB/2 + 3
			mustAppend(t, s, id, 0, data[:head])
			r := &chunkReader{data: data[head : head+delivered], chunk: 64<<10 + 1, err: errBroken, withData: withData}
			n, err := s.Append(t.Context(), id, head, r)
			if !errors.Is(err, errBroken) {
				t.Fatalf("Append with a failing reader: %v, want errBroken in the chain", err)
			}
			if want := int64(head + delivered); n != want {
				t.Fatalf("Append with a failing reader = %d, want %d", n, want)
			}
			wantUpload(t, s, id, data[:n])
			mustAppend(t, s, id, n, data[n:])
			wantUpload(t, s, id, data)
			sha := sum(data)
			if err := s.Commit(t.Context(), id, sha); err != nil {
				t.Fatalf("Commit: %v", err)
			}
			wantBlob(t, s, sha, data)
		})
	}
}

// testDiscard: a reader failing with an error that wraps ferry.ErrDiscard
// leaves the upload at its old size, and the error reaches the caller.
func testDiscard(t *testing.T, s ferry.BlobStore) {
	checksum := ferry.E(ferry.CodeChunkChecksumMismatch).WithErr(ferry.ErrDiscard)
	cases := []struct {
		name string
		head int
		err  error
	}{
		{"wrapped", 100, fmt.Errorf("chunk checksum: %w", ferry.ErrDiscard)},
		{"ferryError", 100, checksum},
		{"fresh", 0, ferry.ErrDiscard},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := content(4, c.head+3*MiB/2)
			mustAppend(t, s, c.name, 0, data[:c.head])
			r := &chunkReader{data: content(5, 3*MiB/2), chunk: 256 << 10, err: c.err, withData: true}
			n, err := s.Append(t.Context(), c.name, int64(c.head), r)
			if !errors.Is(err, ferry.ErrDiscard) {
				t.Fatalf("Append with a discarding reader: %v, want ErrDiscard in the chain", err)
			}
			var fe *ferry.Error
			if errors.As(c.err, &fe) && ferry.ErrorCode(err) != fe.Code {
				t.Errorf("Append with a discarding reader: code %d, want the reader's %d", ferry.ErrorCode(err), fe.Code)
			}
			if n != int64(c.head) {
				t.Errorf("Append with a discarding reader = %d, want %d", n, c.head)
			}
			wantUpload(t, s, c.name, data[:c.head])
			mustAppend(t, s, c.name, int64(c.head), data[c.head:])
			wantUpload(t, s, c.name, data)
		})
	}
}

// testCanceled: a context cancelled during an Append stops it; what it
// returns is what the upload holds, a prefix of what was read, and the
// upload goes on from there.
func testCanceled(t *testing.T, s ferry.BlobStore) {
	data := content(6, 4*MiB)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	r := &cancelReader{data: data, after: 5 * MiB / 4, cancel: cancel}
	n, err := s.Append(ctx, "up", 0, r)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Append with a cancelled context = %d, %v; want context.Canceled in the chain", n, err)
	}
	if n < 0 || n > int64(r.read) {
		t.Fatalf("Append with a cancelled context = %d, but only %d bytes were read", n, r.read)
	}
	wantUpload(t, s, "up", data[:n])
	mustAppend(t, s, "up", n, data[n:])
	wantUpload(t, s, "up", data)

	// Cancelled before it starts: nothing changes.
	n, err = s.Append(ctx, "up", int64(len(data)), &chunkReader{data: data, chunk: MiB})
	if err == nil || n != int64(len(data)) {
		t.Errorf("Append with a done context = %d, %v; want %d and an error", n, err, len(data))
	}
	wantUpload(t, s, "up", data)
}
