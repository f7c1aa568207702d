package clamd_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/ferryhq/ferry/inspect/clamd"
	"github.com/ferryhq/ferry/inspect/clamd/clamdtest"
)

// These tests run against a real clamd (see clamdtest): it starts in tens
// of milliseconds with its two signatures, so each test has its own.

func newClient(t *testing.T, cfg clamd.Config) *clamd.Client {
	t.Helper()
	c, err := clamd.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// clean is content no signature matches, n bytes of it.
func clean(n int) []byte {
	return bytes.Repeat([]byte("ferry keeps this file until it is fetched. "), n/43+1)[:n]
}

func TestScan(t *testing.T) {
	srv := clamdtest.Start(t)
	eicar := clamdtest.EICAR()
	const chunk = 1 << 10
	// EICAR across a chunk boundary, deep into a stream of many chunks.
	middle := append(append(clean(300*chunk-20), eicar...), clean(200*chunk)...)
	for _, addr := range []string{srv.Address, srv.UnixAddress} {
		c := newClient(t, clamd.Config{Address: addr, ChunkSize: chunk})
		for _, tc := range []struct {
			name      string
			content   []byte
			signature string
		}{
			{"clean", clean(10 << 10), ""},
			{"empty", nil, ""},
			{"clean, many chunks", clean(2<<20 + 7), ""},
			{"EICAR", eicar, clamdtest.Signature},
			{"EICAR across chunks mid-stream", middle, clamdtest.Signature},
		} {
			res, err := c.Scan(context.Background(), bytes.NewReader(tc.content))
			if err != nil || res.Signature != tc.signature || res.Clean() != (tc.signature == "") {
				t.Errorf("%s, %s: got %+v, %v; want signature %q", addr, tc.name, res, err, tc.signature)
			}
		}
	}
}

func TestScanOverStreamMaxLength(t *testing.T) {
	srv := clamdtest.StartWith(t, clamdtest.Options{StreamMaxLength: 1 << 20})
	c := newClient(t, clamd.Config{Address: srv.Address, MaxSize: 64 << 20})
	for _, size := range []int{1<<20 + 1, 8 << 20} {
		// clamd says why before it closes; the kernel may yet drop its
		// answer for the reset that follows, leaving the write error.
		res, err := c.Scan(context.Background(), bytes.NewReader(clean(size)))
		if !errors.Is(err, clamd.ErrSizeLimit) && !isWriteError(err) {
			t.Errorf("%d bytes to a clamd taking 1 MiB: got %+v, %v; want ErrSizeLimit", size, res, err)
		}
		t.Logf("%d bytes: %v", size, err)
	}
	// Exactly StreamMaxLength is accepted.
	if res, err := c.Scan(context.Background(), bytes.NewReader(clean(1<<20))); err != nil || !res.Clean() {
		t.Errorf("1 MiB: got %+v, %v; want clean", res, err)
	}
}

func TestScanOverMaxSize(t *testing.T) {
	srv := clamdtest.Start(t)
	c := newClient(t, clamd.Config{Address: srv.Address, ChunkSize: 4 << 10, MaxSize: 64 << 10})
	var r countingReader
	r.Reader = bytes.NewReader(clean(1 << 20))
	if res, err := c.Scan(context.Background(), &r); !errors.Is(err, clamd.ErrTooLarge) {
		t.Errorf("got %+v, %v; want ErrTooLarge", res, err)
	}
	if r.n > 64<<10+4<<10 {
		t.Errorf("read %d bytes of the content; want at most max_size and a chunk", r.n)
	}
	if res, err := c.Scan(context.Background(), bytes.NewReader(clean(64<<10))); err != nil || !res.Clean() {
		t.Errorf("exactly max_size: got %+v, %v; want clean", res, err)
	}
}

type countingReader struct {
	io.Reader
	n int
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.Reader.Read(p)
	r.n += n
	return n, err
}

// Content that cannot be read to its end is never scanned as if it were
// whole, whatever the reader's error (io.ErrUnexpectedEOF included, which
// io.ReadFull would take for the end).
func TestScanReaderFails(t *testing.T) {
	srv := clamdtest.Start(t)
	c := newClient(t, clamd.Config{Address: srv.Address, ChunkSize: 4 << 10})
	for _, cause := range []error{io.ErrUnexpectedEOF, errors.New("disk on fire")} {
		r := io.MultiReader(bytes.NewReader(clean(10<<10)), iotest.ErrReader(cause))
		if res, err := c.Scan(context.Background(), r); !errors.Is(err, cause) {
			t.Errorf("reader failing with %v: got %+v, %v", cause, res, err)
		}
	}
}

func TestScanStopped(t *testing.T) {
	srv := clamdtest.Start(t)
	srv.Stop()
	for _, addr := range []string{srv.Address, srv.UnixAddress} {
		c := newClient(t, clamd.Config{Address: addr})
		if res, err := c.Scan(context.Background(), bytes.NewReader(clean(100))); err == nil {
			t.Errorf("%s: scan with clamd stopped: %+v, no error", addr, res)
		}
		if err := c.Ping(context.Background()); err == nil {
			t.Errorf("%s: ping with clamd stopped: no error", addr)
		}
		if v, err := c.Version(context.Background()); err == nil {
			t.Errorf("%s: version with clamd stopped: %q, no error", addr, v)
		}
	}
}

func TestPingVersion(t *testing.T) {
	srv := clamdtest.Start(t)
	for _, addr := range []string{srv.Address, srv.UnixAddress} {
		c := newClient(t, clamd.Config{Address: addr})
		if err := c.Ping(context.Background()); err != nil {
			t.Errorf("%s: ping: %v", addr, err)
		}
		v, err := c.Version(context.Background())
		if err != nil || !strings.HasPrefix(v, "ClamAV 1.") {
			t.Errorf("%s: version %q, %v", addr, v, err)
		}
	}
}

// A scan cancelled mid-stream stops at once and says so.
func TestScanCancelled(t *testing.T) {
	srv := clamdtest.Start(t)
	c := newClient(t, clamd.Config{Address: srv.Address, ChunkSize: 4 << 10})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &cancellingReader{data: clean(1 << 20), after: 64 << 10, cancel: cancel}
	res, err := c.Scan(ctx, r)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %+v, %v; want an error wrapping context.Canceled", res, err)
	}
}

// cancellingReader calls cancel once after bytes have been read.
type cancellingReader struct {
	data   []byte
	after  int
	off    int
	cancel func()
}

func (r *cancellingReader) Read(p []byte) (int, error) {
	if r.off >= r.after {
		r.cancel()
	}
	if r.off == len(r.data) {
		return 0, io.EOF
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	return n, nil
}

func TestConcurrentScans(t *testing.T) {
	srv := clamdtest.Start(t)
	c := newClient(t, clamd.Config{Address: srv.Address, ChunkSize: 16 << 10})
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := range 24 {
		wg.Go(func() {
			content, want := clean(256<<10+i), ""
			if i%2 == 1 {
				content, want = append(content, clamdtest.EICAR()...), clamdtest.Signature
			}
			res, err := c.Scan(context.Background(), bytes.NewReader(content))
			if err != nil || res.Signature != want {
				errs <- fmt.Errorf("scan %d: got %+v, %v; want signature %q", i, res, err, want)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
