package client

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/ferryhq/ferry"
)

var fastRetry = UploadOptions{Backoff: time.Microsecond}

func TestUploadResumesAfterDroppedConnection(t *testing.T) {
	data := testData(3<<20 + 12345)
	s, srv := newTusServer(t, int64(len(data)))
	s.dropAfter = 1<<20 + 777 // the first PATCH dies after ~1 MiB
	var last int64
	opts := fastRetry
	opts.Progress = func(off int64) { last = off }

	err := newTestClient(srv).Upload(context.Background(), uploadURL(srv), bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	if s.drops != 1 || s.patches != 2 {
		t.Errorf("drops=%d patches=%d, want 1 and 2", s.drops, s.patches)
	}
	if s.heads != 2 {
		t.Errorf("heads=%d, want 2 (start, after the drop)", s.heads)
	}
	if got := s.snapshot(); !bytes.Equal(got, data) {
		t.Fatalf("server holds %d bytes, not identical to the %d sent", len(got), len(data))
	}
	if last != int64(len(data)) {
		t.Errorf("last progress %d, want %d", last, len(data))
	}
}

func TestUploadResumesChunkedAfterDrop(t *testing.T) {
	data := testData(700 << 10)
	s, srv := newTusServer(t, int64(len(data)))
	s.dropAfter = 100 << 10 // inside the first 256 KiB chunk
	opts := fastRetry
	opts.ChunkSize = 256 << 10
	if err := newTestClient(srv).Upload(context.Background(), uploadURL(srv), bytes.NewReader(data), int64(len(data)), opts); err != nil {
		t.Fatalf("Upload: %v", err)
	}
	if got := s.snapshot(); !bytes.Equal(got, data) {
		t.Fatal("content differs after a resumed chunked upload")
	}
	// 100 KiB dropped; then chunks at 100K, 356K, 612K.
	if s.patches != 4 || len(s.checksums) != 3 {
		t.Errorf("patches=%d checksums=%d, want 4 and 3", s.patches, len(s.checksums))
	}
}

func TestUploadConflictAsksHeadAgain(t *testing.T) {
	data := testData(300 << 10)
	s, srv := newTusServer(t, int64(len(data)))
	s.data = append(s.data, data[:100<<10]...) // the server already holds 100 KiB
	s.headLie = 0                              // but the first HEAD is stale
	if err := newTestClient(srv).Upload(context.Background(), uploadURL(srv), bytes.NewReader(data), int64(len(data)), fastRetry); err != nil {
		t.Fatalf("Upload: %v", err)
	}
	if s.conflicts != 1 || s.heads != 2 {
		t.Errorf("conflicts=%d heads=%d, want 1 and 2", s.conflicts, s.heads)
	}
	if !bytes.Equal(s.snapshot(), data) {
		t.Fatal("content differs after a 409")
	}
}

func TestUploadResendsDamagedChunk(t *testing.T) {
	data := testData(200 << 10)
	s, srv := newTusServer(t, int64(len(data)))
	s.damageAt[64<<10] = true
	opts := fastRetry
	opts.ChunkSize = 64 << 10
	if err := newTestClient(srv).Upload(context.Background(), uploadURL(srv), bytes.NewReader(data), int64(len(data)), opts); err != nil {
		t.Fatalf("Upload: %v", err)
	}
	if s.damaged != 1 || s.patches != 5 {
		t.Errorf("damaged=%d patches=%d, want 1 and 5 (4 chunks + 1 resend)", s.damaged, s.patches)
	}
	if !hasPrefixAll(s.checksums, "sha256 ") || len(s.checksums) != 5 {
		t.Errorf("checksums %q: want one sha256 per PATCH", s.checksums)
	}
	if !bytes.Equal(s.snapshot(), data) {
		t.Fatal("content differs after a 460")
	}
}

func TestUploadGivesUpWithoutProgress(t *testing.T) {
	data := testData(1000)
	s, srv := newTusServer(t, int64(len(data)))
	s.alwaysClash = true
	err := newTestClient(srv).Upload(context.Background(), uploadURL(srv), bytes.NewReader(data), int64(len(data)), fastRetry)
	if errCode(err) != ferry.CodeUploadOffsetConflict {
		t.Fatalf("err = %v, want the last 2004 error", err)
	}
	if s.patches != 5 {
		t.Errorf("patches=%d, want 5 (bounded retries)", s.patches)
	}
}

func TestUploadFinalRejectionIsReturned(t *testing.T) {
	data := testData(5000)
	s, srv := newTusServer(t, int64(len(data)))
	s.rejectFinal = true
	err := newTestClient(srv).Upload(context.Background(), uploadURL(srv), bytes.NewReader(data), int64(len(data)), fastRetry)
	we := AsError(err)
	if we == nil || we.Code != ferry.CodeChecksumMismatch || we.Status != 422 || we.Name != "CHECKSUM_MISMATCH" {
		t.Fatalf("err = %#v, want 422 1007 CHECKSUM_MISMATCH", err)
	}
	if s.patches != 1 {
		t.Errorf("patches=%d, want 1: a rejection is not retried", s.patches)
	}
}

func TestUploadEmptyFile(t *testing.T) {
	s, srv := newTusServer(t, 0)
	if err := newTestClient(srv).Upload(context.Background(), uploadURL(srv), bytes.NewReader(nil), 0, fastRetry); err != nil {
		t.Fatalf("Upload: %v", err)
	}
	if s.patches != 0 || s.heads != 1 {
		t.Errorf("patches=%d heads=%d: an empty upload is complete from its creation, as in tus", s.patches, s.heads)
	}
}

func TestUploadLengthMismatchIsNotRetried(t *testing.T) {
	s, srv := newTusServer(t, 10)
	err := newTestClient(srv).Upload(context.Background(), uploadURL(srv), bytes.NewReader(testData(20)), 20, fastRetry)
	if err == nil || s.heads != 1 || s.patches != 0 {
		t.Fatalf("err=%v heads=%d patches=%d, want an error after one HEAD", err, s.heads, s.patches)
	}
}

func TestUploadStatusOfMissingUpload(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Ferry-Error-Code", "8003")
		w.WriteHeader(http.StatusNotFound)
	})
	_, err := newTestClient(srv).UploadStatus(context.Background(), "/api/v1/uploads/gone")
	if we := AsError(err); we == nil || we.Code != ferry.CodeNotFound || we.Status != 404 || we.Name != "NOT_FOUND" {
		t.Fatalf("err = %#v, want a synthesised 404 NOT_FOUND", err)
	}
}
