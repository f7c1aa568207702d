package clamd

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// Client talks to one clamd. It opens a connection per call, so any number
// of goroutines may use it at once (clamd's MaxThreads and MaxQueue bound
// how many it serves; the rest wait within the Timeout).
type Client struct {
	cfg     Config
	network string // "tcp" or "unix"
	addr    string
	dialer  net.Dialer
}

// pingTimeout caps Ping and Version below Config.Timeout: readiness probes
// want a quick answer.
const pingTimeout = 10 * time.Second

// afterWriteGrace bounds the wait for clamd's reason after a write failed:
// when clamd cuts a stream off it says why before closing.
const afterWriteGrace = 2 * time.Second

// New returns a client for cfg.Address, with cfg completed (see
// Config.Complete). A Config without an address is an error: check
// Config.Enabled first.
func New(cfg Config) (*Client, error) {
	if err := cfg.Complete(); err != nil {
		return nil, err
	}
	if !cfg.Enabled() {
		return nil, errors.New("inspect.clamd.address: empty, so the malware scan is disabled")
	}
	network, addr, err := cfg.endpoint()
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, network: network, addr: addr}, nil
}

// Config returns the client's configuration, completed.
func (c *Client) Config() Config { return c.cfg }

// String returns clamd's address, for logs.
func (c *Client) String() string { return c.cfg.Address }

// Scan sends the content of r to clamd (zINSTREAM, in chunks of ChunkSize,
// each after its 4-byte big-endian length, then a zero-length chunk) and
// returns clamd's verdict. The result is clean only when clamd answered
// exactly "stream: OK" after receiving every byte.
//
// Errors (the result is then not clean): clamd cannot be reached; the
// content goes past MaxSize (ErrTooLarge: nothing past it is sent); r
// fails; a write fails (a partial stream is never a verdict; when clamd
// cut the stream for its StreamMaxLength the error is ErrSizeLimit); clamd
// reports an error or answers anything else; the connection drops before
// the answer; no answer within Timeout or before ctx ends (the error then
// wraps ctx's).
func (c *Client) Scan(ctx context.Context, r io.Reader) (Result, error) {
	var res Result
	err := c.call(ctx, c.cfg.Timeout, "scan", func(ctx context.Context, conn net.Conn) error {
		var err error
		res, err = c.instream(ctx, conn, r)
		return err
	})
	return res, err
}

// instream runs one INSTREAM command on conn.
func (c *Client) instream(ctx context.Context, conn net.Conn, r io.Reader) (Result, error) {
	if _, err := io.WriteString(conn, "zINSTREAM\x00"); err != nil {
		return Result{}, writeFailed(ctx, conn, err)
	}
	buf := make([]byte, 4+c.cfg.ChunkSize)
	var sent int64
	for {
		n, rerr := fill(r, buf[4:])
		if n > 0 {
			if sent += int64(n); sent > int64(c.cfg.MaxSize) {
				return Result{}, fmt.Errorf("%w (%v)", ErrTooLarge, c.cfg.MaxSize)
			}
			binary.BigEndian.PutUint32(buf, uint32(n))
			if _, err := conn.Write(buf[:4+n]); err != nil {
				return Result{}, writeFailed(ctx, conn, err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return Result{}, fmt.Errorf("read the content: %w", rerr)
		}
	}
	if _, err := conn.Write([]byte{0, 0, 0, 0}); err != nil {
		return Result{}, writeFailed(ctx, conn, err)
	}
	reply, err := readReply(conn)
	if err != nil {
		return Result{}, err
	}
	return parseScan(reply)
}

// fill reads from r until p is full or r fails. Unlike io.ReadFull it
// leaves r's io.ErrUnexpectedEOF alone: only io.EOF ends the content, so a
// reader cut short is never scanned as if it were the whole file.
func fill(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := r.Read(p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// writeFailed returns the error for a write to clamd that failed. The
// stream is incomplete, so this is never a verdict; but clamd may have said
// why it stopped reading (StreamMaxLength shows as a broken pipe first), so
// its reply is read briefly and named in the error.
func writeFailed(ctx context.Context, conn net.Conn, werr error) error {
	deadline := time.Now().Add(afterWriteGrace)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetReadDeadline(deadline)
	if ctx.Err() != nil { // ended meanwhile: keep the read cut short
		conn.SetReadDeadline(time.Unix(1, 0))
	}
	reply, err := readReply(conn)
	if err != nil {
		return fmt.Errorf("send the content: %w", werr)
	}
	if _, err := parseScan(reply); errors.Is(err, ErrSizeLimit) {
		return fmt.Errorf("%w: %w", ErrSizeLimit, werr)
	}
	return fmt.Errorf("send the content: %w (clamd answered %q)", werr, reply)
}

// Ping asks clamd whether it is up: PING, answered PONG.
func (c *Client) Ping(ctx context.Context) error {
	return c.call(ctx, min(c.cfg.Timeout, pingTimeout), "ping", func(_ context.Context, conn net.Conn) error {
		reply, err := command(conn, "PING")
		if err == nil && reply != "PONG" {
			err = fmt.Errorf("unexpected reply %q", reply)
		}
		return err
	})
}

// Version returns clamd's version line: "ClamAV 1.4.6/27900/Mon Jan …"
// (engine, database version and date; just the engine without a signed
// database), for the startup log.
func (c *Client) Version(ctx context.Context) (string, error) {
	var v string
	err := c.call(ctx, min(c.cfg.Timeout, pingTimeout), "version", func(_ context.Context, conn net.Conn) error {
		reply, err := command(conn, "VERSION")
		if err == nil && !strings.HasPrefix(reply, "ClamAV ") {
			err = fmt.Errorf("unexpected reply %q", reply)
		}
		v = reply
		return err
	})
	return v, err
}

// command sends a NUL-terminated command and reads its reply.
func command(conn net.Conn, name string) (string, error) {
	if _, err := io.WriteString(conn, "z"+name+"\x00"); err != nil {
		return "", fmt.Errorf("send %s: %w", name, err)
	}
	return readReply(conn)
}

// call connects to clamd and runs fn on the connection, all within timeout
// and ctx: the connection's deadline is the earlier of the two, and ctx
// ending cuts any read or write short. fn's ctx carries the deadline.
func (c *Client) call(ctx context.Context, timeout time.Duration, op string, fn func(ctx context.Context, conn net.Conn) error) error {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := c.dialer.DialContext(ctx, c.network, c.addr)
	if err == nil {
		deadline, _ := ctx.Deadline()
		conn.SetDeadline(deadline)
		stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
		err = fn(ctx, conn)
		stop()
		conn.Close()
	}
	switch {
	case err == nil:
		return nil
	case parent.Err() != nil:
		return fmt.Errorf("clamd %s %s: %w (%w)", op, c.cfg.Address, parent.Err(), err)
	case ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("clamd %s %s: no answer within %v: %w", op, c.cfg.Address, timeout, err)
	}
	return fmt.Errorf("clamd %s %s: %w", op, c.cfg.Address, err)
}
