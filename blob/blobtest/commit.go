package blobtest

import (
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/ferryhq/ferry"
)

var commitTests = []test{
	{"CommitOpenSeek", testCommitOpenSeek},
	{"CommitDuplicate", testCommitDuplicate},
	{"CommitUnknownUpload", testCommitUnknown},
	{"OpenUnknownBlob", testOpenUnknown},
	{"Delete", testDelete},
	{"DeleteSharedFanOut", testDeleteShared},
	{"DeleteUpload", testDeleteUpload},
	{"Concurrent", testConcurrent},
}

// testCommitOpenSeek: a committed upload opens with its size, reads back
// whole and in ranges, and is gone as an upload.
func testCommitOpenSeek(t *testing.T, s ferry.BlobStore) {
	data := content(7, 2*MiB+5)
	sha := commit(t, s, "up", data)
	wantBlob(t, s, sha, data)
	if n, err := s.UploadSize(t.Context(), "up"); n != 0 || err != nil {
		t.Errorf("UploadSize after Commit = %d, %v; want 0, nil", n, err)
	}
	_, err := s.OpenUpload(t.Context(), "up")
	wantCode(t, "OpenUpload after Commit", err, ferry.CodeNotFound)
	wantCode(t, "Commit twice", s.Commit(t.Context(), "up", sha), ferry.CodeNotFound)

	r, _, err := s.Open(t.Context(), sha)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	size := int64(len(data))
	ranges := []struct {
		off    int64
		whence int
		at     int64 // the absolute offset the seek lands on
		n      int
	}{
		{MiB - 1, io.SeekStart, MiB - 1, 3},
		{0, io.SeekStart, 0, 1},
		{-10, io.SeekEnd, size - 10, 10},
		{-(MiB + 4), io.SeekCurrent, size - MiB - 4, 2*MiB/3 + 1},
		{size - 1, io.SeekStart, size - 1, 1},
	}
	for _, rg := range ranges {
		at, err := r.Seek(rg.off, rg.whence)
		if err != nil || at != rg.at {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", rg.off, rg.whence, at, err, rg.at)
		}
		got := make([]byte, rg.n)
		if _, err := io.ReadFull(r, got); err != nil {
			t.Fatalf("reading %d bytes at %d: %v", rg.n, at, err)
		}
		equal(t, fmt.Sprintf("range %d+%d", at, rg.n), got, data[at:at+int64(rg.n)])
	}
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("Read at the end = %d, %v; want 0, io.EOF", n, err)
	}
}

// testCommitDuplicate: committing content that is already stored removes
// the upload and keeps one blob, which readers holding it can still read.
func testCommitDuplicate(t *testing.T, s ferry.BlobStore) {
	data := content(8, MiB+1)
	sha := commit(t, s, "first", data)
	held, _, err := s.Open(t.Context(), sha)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer held.Close()
	if got := commit(t, s, "second", data); got != sha {
		t.Fatalf("same content, different SHA-256 %s", got)
	}
	for _, id := range []string{"first", "second"} {
		if n, err := s.UploadSize(t.Context(), id); n != 0 || err != nil {
			t.Errorf("UploadSize(%s) after Commit = %d, %v; want 0, nil", id, n, err)
		}
	}
	got, err := io.ReadAll(held)
	if err != nil {
		t.Fatalf("reading the blob opened before the second Commit: %v", err)
	}
	equal(t, "blob opened before the second Commit", got, data)
	wantBlob(t, s, sha, data)
	if l, ok := s.(ferry.BlobLister); ok {
		wantSet(t, "Blobs", blobs(t, l), sha)
		wantSet(t, "Uploads", uploads(t, l))
	}
}

// testCommitUnknown: Commit of an upload that does not exist is 8003, even
// when the blob does.
func testCommitUnknown(t *testing.T, s ferry.BlobStore) {
	data := content(9, 10)
	wantCode(t, "Commit(unknown)", s.Commit(t.Context(), "nope", sum(data)), ferry.CodeNotFound)
	sha := commit(t, s, "up", data)
	wantCode(t, "Commit(unknown) of a stored blob", s.Commit(t.Context(), "nope", sha), ferry.CodeNotFound)
	wantBlob(t, s, sha, data)
}

// testOpenUnknown: Open of a blob that was never stored is 8003.
func testOpenUnknown(t *testing.T, s ferry.BlobStore) {
	_, _, err := s.Open(t.Context(), sum([]byte("never stored")))
	wantCode(t, "Open(unknown)", err, ferry.CodeNotFound)
}

// testDelete: Delete removes a blob, is idempotent, and the same content
// can be committed again afterwards.
func testDelete(t *testing.T, s ferry.BlobStore) {
	ctx := t.Context()
	data := content(10, 3*MiB/2)
	sha := commit(t, s, "up", data)
	for i := range 2 {
		if err := s.Delete(ctx, sha); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
		_, _, err := s.Open(ctx, sha)
		wantCode(t, "Open after Delete", err, ferry.CodeNotFound)
	}
	if err := s.Delete(ctx, sum([]byte("never stored"))); err != nil {
		t.Errorf("Delete(unknown): %v", err)
	}
	commit(t, s, "again", data)
	wantBlob(t, s, sha, data)
}

// testDeleteShared: deleting one of two blobs whose SHA-256 share their
// first four digits leaves the other one readable.
func testDeleteShared(t *testing.T, s ferry.BlobStore) {
	a, b := samePrefix()
	shaA, shaB := commit(t, s, "a", a), commit(t, s, "b", b)
	if err := s.Delete(t.Context(), shaA); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantBlob(t, s, shaB, b)
	if err := s.Delete(t.Context(), shaB); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	commit(t, s, "a2", a)
	wantBlob(t, s, shaA, a)
}

// samePrefix returns two contents whose SHA-256 start with the same four
// hex digits (found in a few hundred tries).
func samePrefix() (a, b []byte) {
	seen := map[string][]byte{}
	for i := 0; ; i++ {
		c := fmt.Appendf(nil, "blobtest fan-out %d", i)
		p := sum(c)[:4]
		if prev, ok := seen[p]; ok {
			return prev, c
		}
		seen[p] = c
	}
}

// testDeleteUpload: DeleteUpload removes an upload, is idempotent, and the
// ID starts afresh afterwards.
func testDeleteUpload(t *testing.T, s ferry.BlobStore) {
	ctx := t.Context()
	mustAppend(t, s, "up", 0, content(11, 1000))
	for i := range 2 {
		if err := s.DeleteUpload(ctx, "up"); err != nil {
			t.Fatalf("DeleteUpload #%d: %v", i+1, err)
		}
		if n, err := s.UploadSize(ctx, "up"); n != 0 || err != nil {
			t.Fatalf("UploadSize after DeleteUpload = %d, %v; want 0, nil", n, err)
		}
		_, err := s.OpenUpload(ctx, "up")
		wantCode(t, "OpenUpload after DeleteUpload", err, ferry.CodeNotFound)
	}
	if err := s.DeleteUpload(ctx, "never"); err != nil {
		t.Errorf("DeleteUpload(unknown): %v", err)
	}
	_, err := s.Append(ctx, "up", 1000, &chunkReader{data: []byte("x"), chunk: 1})
	wantCode(t, "Append at the old size after DeleteUpload", err, ferry.CodeUploadOffsetConflict)
	data := content(12, 5)
	mustAppend(t, s, "up", 0, data)
	wantUpload(t, s, "up", data)
}

// testConcurrent: uploads to different IDs run at once, some of them
// committing the same content.
func testConcurrent(t *testing.T, s ferry.BlobStore) {
	const workers = 8
	datas := make([][]byte, workers)
	for i := range datas {
		datas[i] = content(uint64(100+i%6), 300<<10) // workers 6 and 7 repeat 0 and 1
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Go(func() {
			id, data := fmt.Sprintf("w%d", i), datas[i]
			for off := 0; off < len(data); off += 100 << 10 {
				if _, err := s.Append(t.Context(), id, int64(off), &chunkReader{data: data[off : off+100<<10], chunk: 32 << 10}); err != nil {
					errs <- fmt.Errorf("Append(%s, %d): %w", id, off, err)
					return
				}
			}
			if err := s.Commit(t.Context(), id, sum(data)); err != nil {
				errs <- fmt.Errorf("Commit(%s): %w", id, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, data := range datas {
		wantBlob(t, s, sum(data), data)
	}
}
