package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress is a byte progress bar on stderr, or nothing when stderr is
// not a terminal or the user asked for quiet. Its methods accept a nil
// receiver, which is the quiet bar.
type progress struct {
	bar *progressbar.ProgressBar
}

func (a *app) newProgress(total int64, desc string, quiet bool) *progress {
	if quiet || !isTerminal(a.stderr) {
		return nil
	}
	stderr := a.stderr
	return &progress{bar: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(20),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
	)}
}

// set moves the bar to n bytes.
func (p *progress) set(n int64) {
	if p != nil {
		_ = p.bar.Set64(n)
	}
}

// Write advances the bar by len(b), for io.MultiWriter.
func (p *progress) Write(b []byte) (int, error) {
	if p != nil {
		_ = p.bar.Add(len(b))
	}
	return len(b), nil
}

// done finishes the bar when the work completed, or clears it.
func (p *progress) done(ok bool) {
	if p == nil {
		return
	}
	if ok {
		_ = p.bar.Finish()
		return
	}
	_ = p.bar.Exit()
	_ = p.bar.Clear()
}

// ctxReader stops a long read when ctx is done (e.g. on Ctrl-C).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}

// hashFile returns the hex SHA-256 of the size bytes of f, with a bar.
func (a *app) hashFile(ctx context.Context, f io.ReaderAt, size int64, desc string, quiet bool) (string, error) {
	bar := a.newProgress(size, desc, quiet)
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(h, bar), ctxReader{ctx, io.NewSectionReader(f, 0, size)})
	bar.done(err == nil)
	if err != nil {
		return "", err
	}
	if n != size {
		return "", fmt.Errorf("the file is %d bytes, not %d: did it change?", n, size)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
