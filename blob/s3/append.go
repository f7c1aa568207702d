package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/blob/internal/key"
)

// bufSize is the size of the copy buffer: each Append moves data through
// one such buffer into part files, whatever the size of the upload.
const bufSize = 1 << 20

var bufPool = sync.Pool{New: func() any {
	b := make([]byte, bufSize)
	return &b
}}

// flushGrace is how long an Append whose ctx ended may still take to store
// the bytes it read: the contract keeps them, and the parts in flight and
// the tail need requests of their own after the caller gave up.
const flushGrace = 2 * time.Minute

// Append writes the bytes of r to upload id, which must hold exactly offset
// bytes, and returns the size the upload now holds in the bucket.
//
// The offset is checked against the state in the bucket, which another
// node may have moved since. Bytes go into parts of PartSize (through files
// in TempDir, never held in memory) that are sent while r is read; what is
// left at the end becomes a part when it reaches MinPartSize, and the
// upload's tail object otherwise. A new state naming them is written after
// every part and at the end, so the size is durable as soon as Append
// returns it.
//
// When r fails (or ctx ends) the bytes read are kept, and r's error is
// returned unchanged, unless it wraps ferry.ErrDiscard: then the state from
// before the call is put back. A failure of the store is
// CodeStorageUnavailable, with the size the stored state holds.
func (s *Store) Append(ctx context.Context, id string, offset int64, r io.Reader) (int64, error) {
	const op = "blob/s3: append"
	if err := key.CheckID(op, id); err != nil {
		return offset, err
	}
	// Writes use wctx, which outlives ctx by flushGrace, so that what was
	// read when ctx ended still reaches the bucket.
	wctx, release := detach(ctx, flushGrace)
	defer release()
	orig, err := s.readInfo(wctx, op, id)
	if err != nil {
		return offset, err
	}
	if held := orig.size(); held != offset {
		return held, ferry.E(ferry.CodeUploadOffsetConflict).WithOp(op).
			With("expected", held).With("actual", offset)
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	src := &ctxReader{ctx: ctx, r: r}
	n, _ := src.Read(*bp)
	if n == 0 && (src.err != io.EOF || orig != nil) {
		// Nothing to write: a reader that failed at once, or an empty
		// chunk for an upload that exists. An empty chunk for a new upload
		// goes on and creates it.
		return offset, src.result()
	}
	a := &appender{s: s, op: op, id: id, ctx: wctx, orig: orig, offset: offset, stored: offset}
	return a.run(src, (*bp)[:n], *bp)
}

// appender is one Append in progress.
type appender struct {
	s      *Store
	op, id string
	ctx    context.Context
	orig   *info // the stored state before the call; nil for a new upload
	offset int64
	cur    *info   // the state being built
	prefix *object // what orig held beyond its parts, to go first

	createdUpload bool  // cur.UploadID was started by this call
	wroteInfo     bool  // a state after orig is stored
	stored        int64 // the size of the state stored last
	discarding    bool  // no more states are stored

	f       *os.File // the part being filled, nil between parts
	fsize   int64
	pending []*partJob // parts in flight, in order
	failed  error      // the first failure of the store
}

// partJob is one part being sent.
type partJob struct {
	n    int
	size int64
	done chan struct{}
	etag string
	err  error
}

// run copies the prefix, then head and the rest of src, into parts, and
// ends as src asks: discarded, or kept.
func (a *appender) run(src *ctxReader, head, buf []byte) (int64, error) {
	a.start()
	if err := a.copyPrefix(); err != nil && a.failed == nil {
		a.failed = err
	}
	if a.failed == nil {
		_, _ = a.Write(head)
	}
	if a.failed == nil && src.err == nil {
		_, _ = io.CopyBuffer(a, src, buf) // failures are in a.failed and src.err
	}
	readErr := src.result()
	if readErr != nil && errors.Is(readErr, ferry.ErrDiscard) {
		if err := a.rollback(); err != nil {
			return a.stored, err
		}
		return a.offset, readErr
	}
	a.finish()
	if ferry.ErrorCode(a.failed) == ferry.CodeUploadOffsetConflict {
		return a.overtaken()
	}
	if a.failed != nil {
		return a.stored, unavailable(a.op, a.failed)
	}
	return a.stored, readErr
}

// overtaken reports that another node wrote the upload while this call
// ran, with the size it holds now. What this call sent is named by no
// state: its parts are overwritten or left out when the upload completes.
func (a *appender) overtaken() (int64, error) {
	held := a.stored
	if f, err := a.s.readInfo(a.ctx, a.op, a.id); err == nil {
		held = f.size()
	}
	return held, ferry.E(ferry.CodeUploadOffsetConflict).WithOp(a.op).
		With("expected", held).With("actual", a.offset).WithErr(a.failed)
}

// start sets up the state to build: the parts so far stay, and whatever
// was held beyond them (the tail, or all of a sealed upload) is the prefix
// of the new bytes.
func (a *appender) start() {
	switch {
	case a.orig == nil:
		a.cur = &info{Key: a.s.dataKey()}
	case a.orig.Sealed:
		// Read back and appended to since: the upload starts a new object
		// (rare: ferry reads an upload back once all of it arrived).
		a.cur = &info{Key: a.s.dataKey(), etag: a.orig.etag}
		a.prefix = &object{Key: a.orig.Key, Size: a.orig.SealedSize}
	default:
		a.cur = a.orig.clone()
		a.cur.Tail, a.prefix = nil, a.orig.Tail
	}
}

// copyPrefix writes the prefix object into the parts.
func (a *appender) copyPrefix() error {
	if a.prefix == nil || a.prefix.Size == 0 {
		return nil
	}
	body, _, _, err := a.s.core.GetObject(a.ctx, a.s.cfg.Bucket, a.prefix.Key, minio.GetObjectOptions{})
	if isNotFound(err) {
		// Gone since the state was read: another node moved the upload on.
		return ferry.E(ferry.CodeUploadOffsetConflict).WithOp(a.op).WithErr(err)
	}
	if err != nil {
		return fmt.Errorf("read tail: %w", err)
	}
	defer body.Close()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	n, err := io.CopyBuffer(a, onlyReader{body}, *bp)
	if err == nil && n != a.prefix.Size {
		err = fmt.Errorf("read tail: %d bytes, want %d", n, a.prefix.Size)
	}
	return err
}

// Write fills part files, sending each as it fills up. Its failures are
// the store's, and are kept in a.failed.
func (a *appender) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 && a.failed == nil {
		if a.f == nil {
			f, err := os.CreateTemp(a.s.cfg.TempDir, partPattern)
			if err != nil {
				a.failed = err
				break
			}
			a.f, a.fsize = f, 0
		}
		k := int(min(int64(len(p)), a.s.cfg.PartSize-a.fsize))
		m, err := a.f.Write(p[:k])
		a.fsize += int64(m)
		written += m
		p = p[m:]
		if err != nil {
			a.failed = err
			break
		}
		if a.fsize == a.s.cfg.PartSize {
			a.ship()
		} else if len(a.pending) > 0 {
			// A part that went out while this one fills counts now, not
			// when this one is full: the bytes may trickle in for minutes.
			a.settle(false)
		}
	}
	return written, a.failed
}

// ship sends the part being filled, once fewer than Concurrency parts are
// in flight, and records the parts done so far.
func (a *appender) ship() {
	if a.cur.UploadID == "" {
		id, err := a.s.core.NewMultipartUpload(a.ctx, a.s.cfg.Bucket, a.cur.Key, minio.PutObjectOptions{})
		if err != nil {
			a.failed = fmt.Errorf("start multipart upload: %w", err)
			return
		}
		a.cur.UploadID, a.createdUpload = id, true
	}
	n := 1
	if k := len(a.pending); k > 0 {
		n = a.pending[k-1].n + 1
	} else if k := len(a.cur.Parts); k > 0 {
		n = a.cur.Parts[k-1].N + 1
	}
	if n > maxParts {
		a.failed = fmt.Errorf("upload over %d parts of %d bytes", maxParts, a.s.cfg.PartSize)
		return
	}
	job := &partJob{n: n, size: a.fsize, done: make(chan struct{})}
	f, key, uploadID := a.f, a.cur.Key, a.cur.UploadID
	a.f = nil
	go func() {
		defer close(job.done)
		defer removeTemp(f)
		p, err := a.s.core.PutObjectPart(a.ctx, a.s.cfg.Bucket, key, uploadID, job.n,
			io.NewSectionReader(f, 0, job.size), job.size,
			minio.PutObjectPartOptions{DisableContentSha256: !a.s.cfg.SignPayload})
		job.etag, job.err = p.ETag, err
	}()
	a.pending = append(a.pending, job)
	for len(a.pending) >= a.s.cfg.Concurrency {
		<-a.pending[0].done
		a.settle(false)
	}
	a.settle(false)
}

// settle records the parts at the head of the queue that are done (all of
// them, waiting, when wait is set), and stores the new state once it holds
// at least what orig held: a node that dies mid-Append loses at most the
// parts in flight.
func (a *appender) settle(wait bool) {
	moved := false
	for len(a.pending) > 0 {
		job := a.pending[0]
		if wait {
			<-job.done
		} else if !isDone(job.done) {
			break
		}
		a.pending = a.pending[1:]
		if job.err != nil && a.failed == nil {
			a.failed = fmt.Errorf("send part %d: %w", job.n, job.err)
		}
		if a.failed == nil {
			a.cur.Parts = append(a.cur.Parts, part{N: job.n, Size: job.size, ETag: job.etag})
			moved = true
		}
	}
	if moved && a.cur.size() >= a.offset {
		a.store()
	}
}

func isDone(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// store writes cur as the upload's state.
func (a *appender) store() {
	if a.failed != nil || a.discarding {
		return
	}
	if err := a.s.writeInfo(a.ctx, a.op, a.id, a.cur); err != nil {
		a.failed = err
		return
	}
	a.wroteInfo, a.stored = true, a.cur.size()
}

// finish sends what is left: a part when it is large enough, the tail
// otherwise; waits for the parts in flight and stores the final state. On
// a failure the last state stored stands (orig, or one written after a
// part that holds more).
func (a *appender) finish() {
	if a.failed == nil && a.f != nil && a.fsize >= MinPartSize {
		a.ship()
	}
	a.settle(true)
	if a.failed == nil && a.f != nil && a.fsize > 0 {
		a.putTail()
	}
	a.dropFile()
	if a.failed == nil {
		a.store()
	}
	if !a.wroteInfo {
		a.abortCreated() // named by no state
		return
	}
	// The old tail, or the object of a sealed upload, is named by no state
	// any more (unless a blob's pointer may name the latter).
	if a.prefix != nil && (a.orig.Tail != nil || a.orig.Commit == "") {
		_ = a.s.remove(a.ctx, a.prefix.Key)
	}
}

// putTail stores the part file's bytes as the new tail object.
func (a *appender) putTail() {
	key := a.s.tailKey(a.id)
	_, err := a.s.c.PutObject(a.ctx, a.s.cfg.Bucket, key, io.NewSectionReader(a.f, 0, a.fsize), a.fsize,
		minio.PutObjectOptions{DisableContentSha256: !a.s.cfg.SignPayload, DisableMultipart: true})
	if err != nil {
		a.failed = fmt.Errorf("write tail: %w", err)
		return
	}
	a.cur.Tail = &object{Key: key, Size: a.fsize}
}

// rollback puts the state from before the call back, after a reader asked
// for its bytes to be discarded. When that fails the error is
// CodeStorageUnavailable without the reader's in its chain, so that nobody
// takes the chunk for discarded.
func (a *appender) rollback() error {
	a.discarding = true
	a.settle(true)
	a.dropFile()
	a.failed = nil
	if a.wroteInfo {
		var err error
		if a.orig == nil {
			err = a.s.remove(a.ctx, a.s.infoKey(a.id))
		} else {
			back := a.orig.clone()
			back.etag = a.cur.etag
			err = a.s.writeInfo(a.ctx, a.op, a.id, back)
		}
		if err != nil {
			return unavailable(a.op, fmt.Errorf("roll back a discarded chunk: %w", err))
		}
		a.wroteInfo, a.stored = false, a.offset
	}
	a.abortCreated()
	return nil
}

// abortCreated aborts the multipart upload this call started, if any.
func (a *appender) abortCreated() {
	if a.createdUpload {
		_ = a.s.core.AbortMultipartUpload(a.ctx, a.s.cfg.Bucket, a.cur.Key, a.cur.UploadID)
	}
}

func (a *appender) dropFile() {
	if a.f != nil {
		removeTemp(a.f)
		a.f = nil
	}
}

func removeTemp(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// onlyReader hides everything of a reader but Read, so that io.CopyBuffer
// goes through its buffer into the appender.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// ctxReader reads from r until ctx is done, checking before every read, and
// remembers what stopped it. Each Read fills p as far as r allows, so that
// parts are written in whole buffers rather than a socket's small pieces.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	err error // io.EOF at the end
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if err := c.ctx.Err(); err != nil {
		c.err = err
		return 0, err
	}
	n := 0
	for n < len(p) {
		k, err := c.r.Read(p[n:])
		n += k
		if err != nil {
			c.err = err
			if err == io.EOF && n > 0 {
				return n, nil // the next Read returns the EOF
			}
			return n, err
		}
	}
	return n, nil
}

// result is the reader's failure, nil at a clean end.
func (c *ctxReader) result() error {
	if c.err == io.EOF {
		return nil
	}
	return c.err
}

// detach returns a context that is not cancelled with ctx, but only
// grace after ctx ended, and a function to release it.
func detach(ctx context.Context, grace time.Duration) (context.Context, func()) {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var mu sync.Mutex
	var timer *time.Timer
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		timer = time.AfterFunc(grace, cancel)
		mu.Unlock()
	})
	return wctx, func() {
		stop()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}
