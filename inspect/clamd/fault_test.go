package clamd_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/inspect/clamd"
)

// fakeClamd listens on loopback and hands every connection to serve. It is
// only for the protocol failures that a real clamd cannot be made to
// produce — garbage, a reply without its end, a connection cut mid-stream,
// silence; everything else runs against a real clamd (clamdtest). serve's
// ctx ends when the test does.
func fakeClamd(t *testing.T, serve func(ctx context.Context, c net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { defer c.Close(); serve(t.Context(), c) })
		}
	})
	return "tcp://" + l.Addr().String()
}

// readStream reads an INSTREAM command and its chunks up to the zero-length
// one, as clamd does, and reports whether it got them all.
func readStream(c net.Conn) bool {
	cmd := make([]byte, len("zINSTREAM\x00"))
	if _, err := io.ReadFull(c, cmd); err != nil || string(cmd) != "zINSTREAM\x00" {
		return false
	}
	var size [4]byte
	for {
		if _, err := io.ReadFull(c, size[:]); err != nil {
			return false
		}
		n := binary.BigEndian.Uint32(size[:])
		if n == 0 {
			return true
		}
		if _, err := io.CopyN(io.Discard, c, int64(n)); err != nil {
			return false
		}
	}
}

// isWriteError reports whether err is a write to a connection the peer
// closed or reset.
func isWriteError(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}

func TestScanProtocolFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		size  int
		serve func(ctx context.Context, c net.Conn)
		check func(err error) bool // nil: any error will do
	}{
		{name: "garbage", size: 1 << 10, serve: func(_ context.Context, c net.Conn) {
			readStream(c)
			io.WriteString(c, "hello there\x00")
		}},
		{name: "OK without its end, then closed", size: 1 << 10, serve: func(_ context.Context, c net.Conn) {
			readStream(c)
			io.WriteString(c, "stream: OK")
		}},
		{name: "a reply that never ends", size: 1 << 10, serve: func(_ context.Context, c net.Conn) {
			readStream(c)
			c.Write(bytes.Repeat([]byte("x"), 64<<10))
		}},
		{name: "unknown command", size: 1 << 10, serve: func(_ context.Context, c net.Conn) {
			readStream(c)
			io.WriteString(c, "UNKNOWN COMMAND\x00")
		}},
		{name: "an error", size: 1 << 10, serve: func(_ context.Context, c net.Conn) {
			readStream(c)
			io.WriteString(c, "Can't allocate memory ERROR\x00")
		}},
		{name: "closed at once", size: 1 << 10, serve: func(_ context.Context, c net.Conn) {}},
		{name: "closed after the stream, no reply", size: 1 << 10, serve: func(_ context.Context, c net.Conn) { readStream(c) }},
		// The popular clients' failure: a stream cut short, then "OK".
		{name: "OK before the stream ends, then closed", size: 32 << 20, serve: func(_ context.Context, c net.Conn) {
			io.CopyN(io.Discard, c, 64<<10)
			io.WriteString(c, "stream: OK\x00")
		}, check: isWriteError},
		{name: "closed mid-stream", size: 32 << 20, serve: func(_ context.Context, c net.Conn) {
			io.CopyN(io.Discard, c, 64<<10)
		}, check: isWriteError},
		{name: "never answers", size: 1 << 10, serve: func(_ context.Context, c net.Conn) {
			readStream(c)
			io.Copy(io.Discard, c) // until the client gives up
		}, check: func(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }},
		{name: "never reads", size: 64 << 20, serve: func(ctx context.Context, c net.Conn) {
			<-ctx.Done()
		}, check: func(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := fakeClamd(t, tc.serve)
			c := newClient(t, clamd.Config{Address: addr, Timeout: 500 * time.Millisecond, MaxSize: 100 << 20})
			res, err := c.Scan(context.Background(), bytes.NewReader(clean(tc.size)))
			if err == nil {
				t.Fatalf("got %+v and no error", res)
			}
			if tc.check != nil && !tc.check(err) {
				t.Errorf("got %v", err)
			}
			t.Log(err)
		})
	}
}

func TestPingVersionFailures(t *testing.T) {
	addr := fakeClamd(t, func(_ context.Context, c net.Conn) {
		cmd := make([]byte, 16)
		n, _ := c.Read(cmd)
		switch string(cmd[:n]) {
		case "zPING\x00":
			io.WriteString(c, "PANG\x00")
		case "zVERSION\x00":
			io.WriteString(c, "1.4.6\x00")
		}
	})
	c := newClient(t, clamd.Config{Address: addr})
	if err := c.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), `"PANG"`) {
		t.Errorf("ping answered PANG: %v", err)
	}
	if v, err := c.Version(context.Background()); err == nil {
		t.Errorf("version answered %q: no error", v)
	}
}
