package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/blob/s3"
	"github.com/ferryhq/ferry/blob/s3/s3test"
)

// content returns n pseudo-random bytes, the same for the same seed.
func content(seed uint64, n int) []byte {
	b := make([]byte, n)
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	_, _ = rand.NewChaCha8(key).Read(b)
	return b
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// smallParts returns a fresh bucket's configuration with 5 MiB parts.
func smallParts(t *testing.T, srv *s3test.Server) s3.Config {
	cfg := srv.NewBucket(t)
	cfg.PartSize = s3.MinPartSize
	return cfg
}

func mustAppend(t *testing.T, s *s3.Store, id string, off int64, data []byte) {
	t.Helper()
	n, err := s.Append(t.Context(), id, off, bytes.NewReader(data))
	if err != nil || n != off+int64(len(data)) {
		t.Fatalf("Append(%s, %d, %d bytes) = %d, %v; want %d", id, off, len(data), n, err, off+int64(len(data)))
	}
}

func wantSize(t *testing.T, s *s3.Store, id string, want int64) {
	t.Helper()
	if n, err := s.UploadSize(t.Context(), id); n != want || err != nil {
		t.Fatalf("UploadSize(%s) = %d, %v; want %d", id, n, err, want)
	}
}

func wantUpload(t *testing.T, s *s3.Store, id string, want []byte) {
	t.Helper()
	wantSize(t, s, id, int64(len(want)))
	rc, err := s.OpenUpload(t.Context(), id)
	if err != nil {
		t.Fatalf("OpenUpload(%s): %v", id, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading upload %s: %v", id, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("upload %s: %d bytes differ from the %d appended", id, len(got), len(want))
	}
}

func wantBlob(t *testing.T, s *s3.Store, sha string, want []byte) {
	t.Helper()
	r, n, err := s.Open(t.Context(), sha)
	if err != nil {
		t.Fatalf("Open(%s): %v", sha, err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil || n != int64(len(want)) || !bytes.Equal(got, want) {
		t.Fatalf("blob %s: size %d, %d bytes read (%v); want the %d committed", sha, n, len(got), err, len(want))
	}
}

// keys lists the bucket's keys under prefix, behind the store's back.
func keys(t *testing.T, srv *s3test.Server, bucket, prefix string) []string {
	t.Helper()
	var out []string
	for oi := range srv.Client().ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			t.Fatal(oi.Err)
		}
		out = append(out, oi.Key)
	}
	return out
}

// TestSmallChunksAcrossNodes appends 12 MiB in 300 KiB chunks, each through
// a store of its own, as nodes behind a load balancer would: every chunk
// sees the size the last one left, tails included, and the result reads
// back bit for bit.
func TestSmallChunksAcrossNodes(t *testing.T) {
	srv := s3test.Start(t)
	cfg := smallParts(t, srv)
	data := content(1, 12*mib)
	const chunk = 300 << 10
	for off := 0; off < len(data); off += chunk {
		node := open(t, cfg) // a fresh node every time
		wantSize(t, node, "up", int64(off))
		mustAppend(t, node, "up", int64(off), data[off:min(off+chunk, len(data))])
	}
	node := open(t, cfg)
	wantUpload(t, node, "up", data)
	sha := sum(data)
	if err := open(t, cfg).Commit(t.Context(), "up", sha); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	wantBlob(t, open(t, cfg), sha, data)
	if got := keys(t, srv, cfg.Bucket, "uploads/"); len(got) != 0 {
		t.Errorf("after Commit the bucket still holds %v", got)
	}
	if got := keys(t, srv, cfg.Bucket, "data/"); len(got) != 1 {
		t.Errorf("data/ holds %v, want the one object of the blob", got)
	}
}

// failAfter delivers data, then fails with err.
type failAfter struct {
	r   io.Reader
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

var errDropped = errors.New("connection dropped")

// TestReaderFailsMidPart: a reader that fails in the middle of the second
// part leaves every byte it delivered, durable: another node sees them and
// goes on.
func TestReaderFailsMidPart(t *testing.T) {
	srv := s3test.Start(t)
	cfg := smallParts(t, srv)
	data := content(2, 14*mib)
	head := 2*mib + 5 // a tail first, merged into the first part
	delivered := 7*mib + 3
	mustAppend(t, open(t, cfg), "up", 0, data[:head])
	r := &failAfter{r: bytes.NewReader(data[head : head+delivered]), err: errDropped}
	n, err := open(t, cfg).Append(t.Context(), "up", int64(head), r)
	if !errors.Is(err, errDropped) || n != int64(head+delivered) {
		t.Fatalf("Append with a failing reader = %d, %v; want %d and the reader's error", n, err, head+delivered)
	}
	other := open(t, cfg)
	wantSize(t, other, "up", n)
	mustAppend(t, other, "up", n, data[n:])
	wantUpload(t, open(t, cfg), "up", data)
}

// TestDiscardAcrossParts: a chunk discarded after it filled parts and
// stored states leaves the upload as it was, parts and tail, for any node.
func TestDiscardAcrossParts(t *testing.T) {
	srv := s3test.Start(t)
	for _, head := range []int{0, 3 * mib, 6*mib + 7} { // nothing; a tail; a part and a tail
		t.Run(fmt.Sprint(head), func(t *testing.T) {
			cfg := smallParts(t, srv)
			data := content(3, head+12*mib)
			s := open(t, cfg)
			if head > 0 {
				mustAppend(t, s, "up", 0, data[:head])
			}
			bad := &failAfter{r: bytes.NewReader(content(4, 12*mib)), err: fmt.Errorf("checksum: %w", ferry.ErrDiscard)}
			n, err := s.Append(t.Context(), "up", int64(head), bad)
			if !errors.Is(err, ferry.ErrDiscard) || n != int64(head) {
				t.Fatalf("discarded Append = %d, %v; want %d and ErrDiscard", n, err, head)
			}
			if head == 0 { // never created: nothing to open
				wantSize(t, open(t, cfg), "up", 0)
			} else {
				wantUpload(t, open(t, cfg), "up", data[:head])
			}
			mustAppend(t, open(t, cfg), "up", int64(head), data[head:])
			wantUpload(t, open(t, cfg), "up", data)
			sha := sum(data)
			if err := s.Commit(t.Context(), "up", sha); err != nil {
				t.Fatal(err)
			}
			wantBlob(t, s, sha, data)
		})
	}
}

// TestAppendAfterOpenUpload: reading an upload back seals it (S3 cannot
// read parts); appending afterwards still works.
func TestAppendAfterOpenUpload(t *testing.T) {
	srv := s3test.Start(t)
	cfg := smallParts(t, srv)
	s := open(t, cfg)
	data := content(5, 13*mib)
	mustAppend(t, s, "up", 0, data[:7*mib])
	wantUpload(t, s, "up", data[:7*mib])
	wantUpload(t, s, "up", data[:7*mib]) // sealed: read again as is
	mustAppend(t, s, "up", 7*mib, data[7*mib:])
	wantUpload(t, s, "up", data)
	sha := sum(data)
	if err := s.Commit(t.Context(), "up", sha); err != nil {
		t.Fatal(err)
	}
	wantBlob(t, s, sha, data)
	if got := keys(t, srv, cfg.Bucket, "data/"); len(got) != 1 {
		t.Errorf("data/ holds %v, want the one object of the blob", got)
	}
}

// TestCommitDedup: content committed twice is stored once, and both
// uploads are gone.
func TestCommitDedup(t *testing.T) {
	srv := s3test.Start(t)
	cfg := smallParts(t, srv)
	s := open(t, cfg)
	data := content(6, 6*mib)
	sha := sum(data)
	for _, id := range []string{"a", "b"} {
		mustAppend(t, s, id, 0, data)
		if err := s.Commit(t.Context(), id, sha); err != nil {
			t.Fatal(err)
		}
	}
	wantBlob(t, s, sha, data)
	if got := keys(t, srv, cfg.Bucket, ""); len(got) != 2 {
		t.Errorf("the bucket holds %v, want one pointer and one object", got)
	}
	var blobs []string
	if err := s.Blobs(t.Context(), func(sha string, _ time.Time) error { blobs = append(blobs, sha); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(blobs) != 1 || blobs[0] != sha {
		t.Errorf("Blobs = %v, want [%s]", blobs, sha)
	}
}

// TestListerStaged: an upload with parts and a tail is listed once; one
// that a stop left as a stray tail is listed, and DeleteUpload clears it.
func TestListerStaged(t *testing.T) {
	srv := s3test.Start(t)
	cfg := smallParts(t, srv)
	s := open(t, cfg)
	mustAppend(t, s, "big", 0, content(7, 6*mib))
	mustAppend(t, s, "big-2", 0, content(8, 10))
	stray := "uploads/gone.tail.0123"
	if _, err := srv.Client().PutObject(t.Context(), cfg.Bucket, stray, strings.NewReader("x"), 1, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := s.Uploads(t.Context(), func(id string, mod time.Time) error { ids = append(ids, id); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"big-2", "big", "gone"}; !slices.Equal(ids, want) {
		t.Errorf("Uploads = %v, want %v", ids, want)
	}
	if err := s.DeleteUpload(t.Context(), "gone"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUpload(t.Context(), "big"); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, srv, cfg.Bucket, ""); len(got) != 2 {
		t.Errorf("after DeleteUpload the bucket holds %v, want big-2's state and tail", got)
	}
}

// countingTransport counts the response bytes the store reads.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		resp.Body = &countingBody{resp.Body, &c.n}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// TestOpenSeekRanged: reading a blob's last bytes after a Seek downloads
// those bytes, not what was skipped.
func TestOpenSeekRanged(t *testing.T) {
	srv := s3test.Start(t)
	cfg := smallParts(t, srv)
	ct := &countingTransport{}
	cfg.Transport = ct
	s := open(t, cfg)
	data := content(9, 16*mib+3)
	mustAppend(t, s, "up", 0, data)
	sha := sum(data)
	if err := s.Commit(t.Context(), "up", sha); err != nil {
		t.Fatal(err)
	}
	r, size, err := s.Open(t.Context(), sha)
	if err != nil || size != int64(len(data)) {
		t.Fatalf("Open = %d, %v", size, err)
	}
	defer r.Close()
	before := ct.n.Load()
	for _, at := range []int64{size - 100, 3, 11 * mib, 5*mib - 1} {
		if _, err := r.Seek(at, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 100)
		if _, err := io.ReadFull(r, got); err != nil || !bytes.Equal(got, data[at:at+100]) {
			t.Fatalf("100 bytes at %d: %v, or wrong bytes", at, err)
		}
	}
	if got := ct.n.Load() - before; got > 4*mib {
		t.Errorf("four reads of 100 bytes after seeks downloaded %d bytes", got)
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

// TestAppendMemoryFlat: a 256 MiB Append goes through part files, not the
// heap: what it allocates stays far below the size of the upload.
func TestAppendMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 256 MiB")
	}
	srv := s3test.Start(t)
	s := open(t, srv.NewBucket(t))
	const size = 256 * mib
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n, err := s.Append(t.Context(), "big", 0, &pattern{left: size})
	runtime.ReadMemStats(&after)
	if err != nil || n != size {
		t.Fatalf("Append = %d, %v; want %d", n, err, size)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("appending %d MiB allocated %d KiB in all; heap in use grew by %d KiB", size/mib, alloc>>10, (int64(after.HeapInuse)-int64(before.HeapInuse))>>10)
	if alloc > 32*mib {
		t.Errorf("appending %d MiB allocated %d bytes, want far less than one part per MiB", size/mib, alloc)
	}
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 16*mib {
		t.Errorf("appending %d MiB grew the heap by %d bytes", size/mib, grew)
	}
}

// TestPresignGet: the URL serves the blob, named as asked.
func TestPresignGet(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, srv.NewBucket(t))
	data := content(10, 1000)
	mustAppend(t, s, "up", 0, data)
	sha := sum(data)
	if err := s.Commit(t.Context(), "up", sha); err != nil {
		t.Fatal(err)
	}
	u, err := s.PresignGet(t.Context(), sha, time.Minute, "报告 final.pdf")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("GET presigned: %s, %d bytes", resp.Status, len(got))
	}
	want := `attachment; filename="__ final.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20final.pdf`
	if cd := resp.Header.Get("Content-Disposition"); cd != want {
		t.Errorf("Content-Disposition = %q, want %q", cd, want)
	}
	_, err = s.PresignGet(t.Context(), sum([]byte("never")), time.Minute, "")
	if ferry.ErrorCode(err) != ferry.CodeNotFound {
		t.Errorf("PresignGet(unknown) = %v, want 8003", err)
	}
}

// TestOpenChecks: a missing bucket or wrong keys fail at Open, clearly;
// keys come from the environment when the configuration has none.
func TestOpenChecks(t *testing.T) {
	srv := s3test.Start(t)
	cfg := srv.NewBucket(t)
	missing := cfg
	missing.Bucket = "no-such-bucket"
	if _, err := s3.Open(t.Context(), missing); ferry.ErrorCode(err) != ferry.CodeStorageUnavailable || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Open(missing bucket) = %v, want 9001 saying it does not exist", err)
	}
	wrong := cfg
	wrong.SecretKey = "wrong-secret"
	if _, err := s3.Open(t.Context(), wrong); ferry.ErrorCode(err) != ferry.CodeStorageUnavailable {
		t.Errorf("Open(wrong secret) = %v, want 9001", err)
	}
	small := cfg
	small.PartSize = s3.MinPartSize - 1
	if _, err := s3.Open(t.Context(), small); ferry.ErrorCode(err) != ferry.CodeStorageUnavailable {
		t.Errorf("Open(part size under 5 MiB) = %v, want 9001", err)
	}
	env := cfg
	env.AccessKey, env.SecretKey, env.Endpoint, env.Region = "", "", "", ""
	t.Setenv("AWS_ACCESS_KEY_ID", cfg.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", cfg.SecretKey)
	t.Setenv("AWS_ENDPOINT_URL_S3", cfg.Endpoint)
	t.Setenv("AWS_REGION", cfg.Region)
	s := open(t, env)
	mustAppend(t, s, "up", 0, []byte("from the environment"))
}

// TestContextEnds: an Append whose context ends keeps what it read, parts
// in flight included.
func TestContextEnds(t *testing.T) {
	srv := s3test.Start(t)
	s := open(t, smallParts(t, srv))
	data := content(11, 12*mib)
	ctx, cancel := context.WithCancel(t.Context())
	r := &cancelAt{r: bytes.NewReader(data), at: 11 * mib, cancel: cancel}
	n, err := s.Append(ctx, "up", 0, r)
	if !errors.Is(err, context.Canceled) || n < 10*mib || n > int64(r.read) {
		t.Fatalf("Append with a context ending after %d bytes = %d, %v", r.read, n, err)
	}
	wantUpload(t, s, "up", data[:n])
}

type cancelAt struct {
	r      io.Reader
	at     int
	read   int
	cancel context.CancelFunc
}

func (c *cancelAt) Read(p []byte) (int, error) {
	n, err := c.r.Read(p[:min(len(p), 256<<10)])
	c.read += n
	if c.read >= c.at {
		c.cancel()
	}
	return n, err
}

// gatedReader delivers first, then waits for open to be closed before it
// ends; started is closed at its first Read.
type gatedReader struct {
	first         []byte
	started, open chan struct{}
	state         int
}

func (g *gatedReader) Read(p []byte) (int, error) {
	switch g.state {
	case 0:
		close(g.started)
		g.state = 1
		return copy(p, g.first), nil
	case 1:
		<-g.open
		g.state = 2
	}
	return 0, io.EOF
}

// TestTakenOver: when another node appended to the upload while an Append
// was reading its chunk (a client that reconnected elsewhere), the late
// Append stores nothing over it and says 2004 with the size now held.
func TestTakenOver(t *testing.T) {
	srv := s3test.Start(t)
	// The first was held in a tail that the other node consumed; the
	// second in a part, so only the conditional write of the state stops
	// the late Append.
	for _, head := range []int{mib, 5 * mib} {
		t.Run(fmt.Sprint(head), func(t *testing.T) {
			cfg := smallParts(t, srv)
			slow, fast := open(t, cfg), open(t, cfg)
			data := content(12, 7*mib)
			mustAppend(t, fast, "up", 0, data[:head])
			g := &gatedReader{first: content(13, 100), started: make(chan struct{}), open: make(chan struct{})}
			type result struct {
				n   int64
				err error
			}
			done := make(chan result)
			go func() {
				n, err := slow.Append(t.Context(), "up", int64(head), g)
				done <- result{n, err}
			}()
			<-g.started // slow has checked the offset
			mustAppend(t, fast, "up", int64(head), data[head:])
			close(g.open)
			res := <-done
			if ferry.ErrorCode(res.err) != ferry.CodeUploadOffsetConflict || res.n != int64(len(data)) {
				t.Fatalf("the overtaken Append = %d, %v; want %d and 2004", res.n, res.err, len(data))
			}
			wantUpload(t, open(t, cfg), "up", data)
		})
	}
}

// TestPartStoredWhileStreaming: a part that reached the bucket counts
// (another node sees it in UploadSize) while the chunk still streams in,
// not only once the next part fills up or the chunk ends: a node that dies
// mid-chunk loses at most the parts in flight and the one being filled.
func TestPartStoredWhileStreaming(t *testing.T) {
	srv := s3test.Start(t)
	cfg := smallParts(t, srv)
	s, other := open(t, cfg), open(t, cfg)
	data := content(14, 2*s3.MinPartSize-mib) // the second part never fills
	r := &partWatcher{t: t, data: data, partSent: func() bool { return partsSent(t, srv, cfg.Bucket) > 0 },
		stored: func() int64 { n, _ := other.UploadSize(t.Context(), "up"); return n }}
	if n, err := s.Append(t.Context(), "up", 0, r); n != int64(len(data)) || err != nil {
		t.Fatalf("Append = %d, %v; want %d", n, err, len(data))
	}
	if r.seen != s3.MinPartSize {
		t.Fatalf("while the chunk streamed on after its first part was sent, another store saw %d bytes; want %d", r.seen, s3.MinPartSize)
	}
	wantUpload(t, other, "up", data)
}

// partWatcher streams data in 1 MiB reads. Once a whole part went out it
// waits until the bucket holds it, then, before every further read, asks
// what another node sees stored (seen: the first non-zero answer).
type partWatcher struct {
	t        *testing.T
	data     []byte
	off      int
	partSent func() bool
	stored   func() int64
	waited   bool
	seen     int64
}

func (w *partWatcher) Read(p []byte) (int, error) {
	if w.off >= s3.MinPartSize && !w.waited {
		w.waited = true
		deadline := time.Now().Add(30 * time.Second)
		tick := time.NewTicker(10 * time.Millisecond)
		for !w.partSent() {
			if time.Now().After(deadline) {
				w.t.Error("the first part did not reach the bucket in 30s")
				break
			}
			<-tick.C
		}
		tick.Stop()
	}
	if w.waited && w.seen == 0 {
		w.seen = w.stored()
	}
	if w.off == len(w.data) {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), mib)], w.data[w.off:])
	w.off += n
	return n, nil
}

// partsSent counts the parts of the bucket's multipart uploads.
func partsSent(t *testing.T, srv *s3test.Server, bucket string) int {
	core := minio.Core{Client: srv.Client()}
	n := 0
	for u := range srv.Client().ListIncompleteUploads(t.Context(), bucket, "", true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		res, err := core.ListObjectParts(t.Context(), bucket, u.Key, u.UploadID, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n += len(res.ObjectParts)
	}
	return n
}
