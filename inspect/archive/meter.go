package archive

import (
	"bytes"
	"io"
	"os"

	"github.com/ferryhq/ferry"
)

// meter reads an entry's content and holds it to the limits as it goes:
// the bytes unpacked in total (max_expanded_size), the entry's ratio to
// its compressed size and the whole walk's ratio to the file (max_ratio).
// It never reads more than one byte past the total allowed, so a bomb
// costs at most the limit, whatever it declared.
type meter struct {
	w   *walker
	lv  *level
	e   *Entry
	r   io.Reader
	in0 int64 // the level's input count when the entry began
	// count adds the bytes to the walk's expanded total; false for the
	// entries of a compressed stream, whose decompressed bytes were
	// counted once as they came out of the decompressor.
	count bool
	err   error
}

// meter returns the reader of entry e's content r in level lv.
func (w *walker) meter(lv *level, e *Entry, r io.Reader) *meter {
	return &meter{w: w, lv: lv, e: e, r: r, in0: *lv.in, count: !lv.decompressed}
}

func (m *meter) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	if err := m.w.ctx.Err(); err != nil {
		m.err = err
		return 0, err
	}
	if rem := int64(m.w.cfg.MaxExpandedSize) - m.w.expanded; m.count && int64(len(p)) > rem+1 {
		p = p[:rem+1]
	}
	n, err := m.r.Read(p)
	if m.count {
		m.w.expanded += int64(n)
		if m.w.progress != nil {
			m.w.progress.Store(m.w.expanded)
		}
	}
	m.e.Size += int64(n)
	if lerr := m.check(); lerr != nil {
		m.err = m.w.fail(lerr)
		return n, m.err
	}
	if err != nil && err != io.EOF {
		// A decoder's failure found while the visitor reads (a block's
		// checksum, a truncated stream): the archive is unreadable, and
		// the visitor passes on a coded error.
		m.err = m.w.readErr(m.lv, m.e.Path, err)
		return n, m.err
	}
	return n, err
}

// check returns the limit that the bytes read so far exceed, if any.
func (m *meter) check() *ferry.Error {
	w, e, cfg := m.w, m.e, m.w.cfg
	if w.expanded > int64(cfg.MaxExpandedSize) {
		return limitErr(RuleMaxExpanded, LimitExpanded, cfg.MaxExpandedSize, ferry.Bytes(w.expanded), displayPath(e.Path))
	}
	if e.Size > RatioFloor {
		packed := e.PackedSize
		if packed < 0 {
			packed = *m.lv.in - m.in0
		}
		if r := float64(e.Size) / float64(max(packed, 1)); r > cfg.MaxRatio {
			return limitErr(RuleMaxRatio, LimitRatio, cfg.MaxRatio, ratioValue(r), displayPath(e.Path))
		}
	}
	if w.expanded > RatioFloor {
		if r := float64(w.expanded) / float64(w.outerSize); r > cfg.MaxRatio {
			return limitErr(RuleMaxRatio, LimitRatio, cfg.MaxRatio, ratioValue(r), displayPath(e.Path)).
				With("scope", "archive")
		}
	}
	return nil
}

// countReader counts the bytes read through it into *n.
type countReader struct {
	r io.Reader
	n *int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

// countReaderAt counts the bytes read through it into *n.
type countReaderAt struct {
	r io.ReaderAt
	n *int64
}

func (c *countReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	*c.n += int64(n)
	return n, err
}

// memSpool is the largest nested archive held in memory to be opened; a
// larger one goes to a temporary file.
const memSpool = 1 << 20

// spool is a nested archive unpacked for random access.
type spool struct {
	io.ReaderAt
	size int64
	f    *os.File
}

// newSpool reads r to its end into memory, or past memSpool into a
// temporary file in dir, which is removed on Close (on Unix at once: only
// the open file keeps it).
func newSpool(dir string, r io.Reader) (*spool, error) {
	buf, err := io.ReadAll(io.LimitReader(r, memSpool+1))
	if err != nil {
		return nil, err
	}
	if len(buf) <= memSpool {
		return &spool{ReaderAt: bytes.NewReader(buf), size: int64(len(buf))}, nil
	}
	f, err := os.CreateTemp(dir, "ferry-archive-*")
	if err != nil {
		return nil, err
	}
	_ = os.Remove(f.Name()) // fails on Windows: removed on Close instead
	s := &spool{ReaderAt: f, f: f}
	if _, err := f.Write(buf); err != nil {
		s.Close()
		return nil, err
	}
	n, err := io.Copy(f, r)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.size = int64(len(buf)) + n
	return s, nil
}

func (s *spool) Size() int64 { return s.size }

func (s *spool) Close() error {
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	_ = os.Remove(s.f.Name())
	return err
}
