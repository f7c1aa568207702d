package local

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/blob/internal/key"
)

// bufSize is the size of the copy buffer: each Append moves data through
// one such buffer, whatever the size of the upload.
const bufSize = 1 << 20

// bufPool recycles copy buffers between Appends.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, bufSize)
	return &b
}}

// Append writes the bytes of r to upload id, which must hold exactly offset
// bytes, and returns the size the upload now holds on disk.
//
// An upload that does not exist holds 0 bytes; Append at offset 0 creates
// it. On an offset that does not match it returns CodeUploadOffsetConflict
// with the held size (also as the int64 result) and writes nothing.
//
// When r fails, Append returns r's error unchanged (an *ferry.Error keeps its
// code): the bytes read before the failure are kept and fsynced, unless the
// error wraps ferry.ErrDiscard, in which case the upload is cut back to
// offset. A cancelled ctx stops the copy between buffers and is handled
// like a failing reader. A failure of the disk is CodeStorageUnavailable;
// the int64 result is then the size found on disk, as far as it is known.
func (s *Store) Append(ctx context.Context, id string, offset int64, r io.Reader) (int64, error) {
	const op = "blob/local: append"
	if err := key.CheckID(op, id); err != nil {
		return offset, err
	}
	flag := os.O_RDWR
	if offset == 0 {
		flag |= os.O_CREATE
	}
	f, err := os.OpenFile(s.uploadPath(id), flag, fileMode)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, conflict(op, 0, offset)
	}
	if err != nil {
		return offset, unavailable(op, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return offset, unavailable(op, err)
	}
	if size := fi.Size(); size != offset {
		return size, conflict(op, size, offset)
	}

	n, readErr, writeErr := copyAt(ctx, f, offset, r)
	if writeErr != nil {
		// Keep what landed, as a failing reader would, and say how much that is.
		return sizeOf(f, offset+n), unavailable(op, writeErr)
	}
	if readErr != nil && errors.Is(readErr, ferry.ErrDiscard) {
		return discard(op, f, offset, readErr)
	}
	// No fsync here: like tusd, an upload's bytes are acknowledged once the
	// kernel has them. Commit makes them durable before anyone can fetch
	// them; after a crash an upload holds what the disk kept, and resumes
	// from there.
	return offset + n, readErr
}

// conflict reports an Append at the wrong offset.
func conflict(op string, expected, actual int64) *ferry.Error {
	return ferry.E(ferry.CodeUploadOffsetConflict).WithOp(op).
		With("expected", expected).With("actual", actual)
}

// discard cuts f back to offset bytes after a reader asked for it. When
// that fails the result is CodeStorageUnavailable without readErr in its
// chain, so that nobody takes the chunk for discarded.
func discard(op string, f *os.File, offset int64, readErr error) (int64, error) {
	if err := f.Truncate(offset); err != nil {
		return sizeOf(f, offset), unavailable(op, err)
	}
	if err := f.Sync(); err != nil {
		return offset, unavailable(op, err)
	}
	return offset, readErr
}

// sizeOf returns the size of f, or guess when it cannot be found.
func sizeOf(f *os.File, guess int64) int64 {
	fi, err := f.Stat()
	if err != nil {
		return guess
	}
	return fi.Size()
}

// copyAt copies r into f from offset through a pooled buffer. It returns
// how many bytes were written, and tells the reader's failure (or ctx's)
// apart from the file's.
func copyAt(ctx context.Context, f *os.File, offset int64, r io.Reader) (n int64, readErr, writeErr error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	src := &ctxReader{ctx: ctx, r: r}
	dst := &fileWriter{f: f, off: offset}
	// Neither wrapper implements WriterTo or ReaderFrom, so io.CopyBuffer
	// really goes through the buffer.
	n, err := io.CopyBuffer(dst, src, *bp)
	switch {
	case dst.err != nil:
		return n, nil, dst.err
	case src.err != nil:
		return n, src.err, nil
	case err != nil: // e.g. io.ErrShortWrite
		return n, nil, err
	}
	return n, nil, nil
}

// ctxReader reads from r until ctx is done, checking before every read, and
// remembers the error that stopped it (io.EOF is not an error). Each Read
// fills p as far as r allows, so that the file is written in whole buffers
// rather than in the socket's small pieces.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	err error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		c.err = err
		return 0, err
	}
	n := 0
	for n < len(p) {
		k, err := c.r.Read(p[n:])
		n += k
		if err == io.EOF {
			if n > 0 {
				return n, nil // io.CopyBuffer reads again and gets the EOF
			}
			return 0, io.EOF
		}
		if err != nil {
			c.err = err
			return n, err
		}
	}
	return n, nil
}

// fileWriter writes to f at a moving offset and remembers its failure.
type fileWriter struct {
	f   *os.File
	off int64
	err error
}

func (w *fileWriter) Write(p []byte) (int, error) {
	n, err := w.f.WriteAt(p, w.off)
	w.off += int64(n)
	if err != nil {
		w.err = err
	}
	return n, err
}
