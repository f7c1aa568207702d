package archive

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// Walk opens the archive held in r (size bytes, named name) and calls visit
// for each of its entries, recursing into every entry that is an archive
// itself, as Detect recognises it by content rather than by name. Entries
// are checked as files are: a blocked type (cfg.Blocked) is 1003, an unsafe
// name 1004, an encrypted entry 5004 unless cfg allows it, and every limit
// of cfg that is exceeded 5003, each with the path inside the archive
// chain. Content is streamed, never held whole: memory stays bounded by the
// limits, whatever the archive declares.
//
// A file that is not an archive by its signature has no entries: Walk
// returns nil without calling visit. An archive that cannot be read as what
// its signature says is refused (5003, limit_name "format"): it is not
// passed uninspected. Errors other than *ferry.Error are failures to
// decide (a cancelled context, a temporary file that could not be
// written), which callers treat as rejections.
func Walk(ctx context.Context, r io.ReaderAt, size int64, name string, cfg *Config, visit VisitFunc) error {
	_, err := walk(ctx, r, size, name, cfg, visit)
	return err
}

// walk is Walk, returning the walker for what it counted.
func walk(ctx context.Context, r io.ReaderAt, size int64, name string, cfg *Config, visit VisitFunc) (*walker, error) {
	return walkCounted(ctx, r, size, name, cfg, visit, nil)
}

// walkCounted is walk that also keeps progress at the bytes unpacked so
// far, for a watcher in another goroutine (nil: none).
func walkCounted(ctx context.Context, r io.ReaderAt, size int64, name string, cfg *Config, visit VisitFunc, progress *atomic.Int64) (*walker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("inspect/archive: %w", err)
	}
	head := make([]byte, min(max(size, 0), HeadLen))
	if n, err := r.ReadAt(head, 0); n < len(head) {
		return nil, fmt.Errorf("inspect/archive: read %s: %w", name, orEOF(err))
	}
	w := newWalker(ctx, cfg, size, visit)
	w.progress = progress
	f := Detect(head)
	if f == "" {
		return w, nil
	}
	return w, w.finish(w.open(source{ra: r, size: size}, name, f, 1))
}

func orEOF(err error) error {
	if err == nil {
		return io.ErrUnexpectedEOF
	}
	return err
}

// walker holds the state of one Walk: what was counted so far across every
// level of nesting.
type walker struct {
	ctx       context.Context
	cfg       *Config
	blocked   map[string]bool
	visit     VisitFunc
	outerSize int64

	entries  int   // entries seen, all levels
	expanded int64 // bytes of entry content read, all levels
	dict     int64 // dictionary memory claimed by the decoders open now
	maxDepth int   // deepest level opened, for tests and reports
	// progress, when set, follows expanded for a watcher elsewhere.
	progress *atomic.Int64

	// failed is the first coded refusal raised inside a reader: libraries
	// may wrap or replace the error a reader returned, so the walker keeps
	// the precise one.
	failed *ferry.Error
}

func newWalker(ctx context.Context, cfg *Config, outerSize int64, visit VisitFunc) *walker {
	blocked := make(map[string]bool, len(cfg.Blocked))
	for _, ext := range cfg.Blocked {
		blocked[ext] = true
	}
	if visit == nil {
		visit = func(*Entry, io.Reader) error { return nil }
	}
	return &walker{ctx: ctx, cfg: cfg, blocked: blocked, visit: visit, outerSize: max(outerSize, 1)}
}

// finish returns the verdict of a walk: the first coded refusal raised by
// a reader in preference to what came back through the libraries.
func (w *walker) finish(err error) error {
	if err == nil {
		return nil
	}
	if w.failed != nil {
		return w.failed
	}
	return err
}

// fail records a refusal raised inside a reader and returns it.
func (w *walker) fail(e *ferry.Error) *ferry.Error {
	if w.failed == nil {
		w.failed = e
	}
	return e
}

// source is the content of an archive: random access where there is one,
// else a stream.
type source struct {
	ra   io.ReaderAt
	size int64
	r    io.Reader
}

func (s source) reader() io.Reader {
	if s.r != nil {
		return s.r
	}
	return io.NewSectionReader(s.ra, 0, s.size)
}

// level is one archive in the chain being walked.
type level struct {
	path   string // the archive's own path: "outer.zip/inner.tar"
	depth  int    // depth of its entries
	format Format
	// in counts the compressed bytes this level has consumed, for the
	// ratio of entries whose packed size the format does not give.
	in *int64
	// decompressed is set for a compressed stream (gzip, bzip2, zstd),
	// whose output was metered as it came out of the decompressor.
	decompressed bool
	br           *bufio.Reader // reused for each entry's content
}

// buffer returns the level's reader of an entry's content r, which keeps
// the entry's first HeadLen bytes for Peek.
func (lv *level) buffer(r io.Reader) *bufio.Reader {
	if lv.br == nil {
		lv.br = bufio.NewReaderSize(r, HeadLen)
	} else {
		lv.br.Reset(r)
	}
	return lv.br
}

// open walks the archive of format f held in s, whose path is path and
// whose entries are at depth.
func (w *walker) open(s source, path string, f Format, depth int) error {
	if depth > w.cfg.MaxDepth {
		return limitErr(RuleMaxDepth, LimitDepth, w.cfg.MaxDepth, depth, displayPath(path))
	}
	if err := w.ctx.Err(); err != nil {
		return err
	}
	w.maxDepth = max(w.maxDepth, depth)
	lv := &level{path: path, depth: depth, format: f, in: new(int64)}
	if f.randomAccess() && s.ra == nil {
		return fmt.Errorf("inspect/archive: %s needs random access", f) // callers spool first
	}
	switch f {
	case Zip:
		return w.walkZip(lv, s.ra, s.size)
	case SevenZip:
		return w.walk7z(lv, s.ra, s.size)
	case Xz:
		return w.walkXz(lv, s.ra, s.size)
	case Tar:
		return w.walkTar(lv, &countReader{r: s.reader(), n: lv.in})
	case Gzip, Bzip2, Zstd:
		return w.walkCompressed(lv, s.reader())
	case Rar:
		return w.walkRar(lv, s.reader())
	}
	return fmt.Errorf("inspect/archive: unknown format %q", f)
}

// member is what a format reader knows of one entry before its content is
// read.
type member struct {
	name       string // decoded, not yet checked
	nameOK     bool   // false: not valid UTF-8 nor GBK
	dir        bool
	link       bool
	hardLink   bool
	linkTarget string
	encrypted  bool
	declared   int64 // -1 unknown
	packed     int64 // -1 unknown: the level's input counter measures it
	// unsupported is the compression method, when the walker cannot
	// unpack it (supported lists those it can).
	unsupported any
	supported   string
	// section is the entry's bytes in the archive when they are stored
	// as they are (a stored zip entry): a nested archive is opened there,
	// without copying.
	section *io.SectionReader
}

// entry checks one member and visits it; open returns its content.
func (w *walker) entry(lv *level, m *member, open func() (io.ReadCloser, error)) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	w.entries++
	rawPath := displayPath(lv.path + "/" + m.name)
	if w.entries > w.cfg.MaxEntries {
		return limitErr(RuleMaxEntries, LimitEntries, w.cfg.MaxEntries, w.entries, rawPath)
	}
	if !m.nameOK {
		return nameErr(rawPath, ferry.Phrase{En: "an entry name is neither UTF-8 nor GBK", Zh: "条目名称既不是 UTF-8 也不是 GBK 编码"})
	}
	name, why := cleanEntryName(m.name)
	if why != nil {
		return nameErr(rawPath, *why)
	}
	e := &Entry{Path: lv.path + "/" + name, Name: name, Depth: lv.depth, Format: lv.format,
		IsDir: m.dir, IsLink: m.link, LinkTarget: m.linkTarget, Encrypted: m.encrypted,
		DeclaredSize: m.declared, PackedSize: m.packed}
	if err := w.checkEntry(e, m); err != nil {
		return err
	}
	if m.dir || m.link || m.encrypted {
		return w.visit(e, nil)
	}
	if m.unsupported != nil {
		return unsupportedMethod(lv.format, m.unsupported, m.supported, displayPath(e.Path))
	}
	rc, err := open()
	if err != nil {
		return w.readErr(lv, e.Path, err)
	}
	defer rc.Close()
	br := lv.buffer(w.meter(lv, e, rc))
	head, err := br.Peek(HeadLen)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return w.readErr(lv, e.Path, err)
	}
	e.Head = append([]byte(nil), head...)
	if f := Detect(head); f != "" {
		e.Archive = f
		if err := w.visit(e, nil); err != nil {
			return err
		}
		return w.nested(lv, e, f, m, br)
	}
	if err := w.visit(e, br); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return w.readErr(lv, e.Path, err)
	}
	return nil
}

// checkEntry applies the checks that need no content: type, link target,
// encryption and declared size.
func (w *walker) checkEntry(e *Entry, m *member) error {
	path := displayPath(e.Path)
	if !e.IsDir {
		if ext := policy.Ext(e.Name); w.blocked[ext] {
			return ferry.E(ferry.CodeFileTypeBlocked).WithRule(RuleBlockedTypes).
				With("extension", ext).With("path", path)
		}
	}
	if m.link {
		from := e.Name
		if m.hardLink { // hard links name their target from the archive's root
			from = "x"
		}
		if linkEscapes(from, m.linkTarget) {
			return nameErr(path, ferry.Phrase{En: "a link points outside the archive", Zh: "链接指向压缩包之外"})
		}
	}
	if m.encrypted && w.cfg.Encrypted != EncryptedAllow {
		return encryptedErr(path)
	}
	if m.declared > 0 {
		if m.declared > int64(w.cfg.MaxExpandedSize)-w.expanded {
			return limitErr(RuleMaxExpanded, LimitExpanded, w.cfg.MaxExpandedSize,
				ferry.Bytes(satAdd(w.expanded, m.declared)), path)
		}
		if m.packed >= 0 && m.declared > RatioFloor && float64(m.declared) > w.cfg.MaxRatio*float64(max(m.packed, 1)) {
			return limitErr(RuleMaxRatio, LimitRatio, w.cfg.MaxRatio,
				ratioValue(float64(m.declared)/float64(max(m.packed, 1))), path)
		}
	}
	return nil
}

func nameErr(path string, why ferry.Phrase) *ferry.Error {
	return ferry.E(ferry.CodeFileNameInvalid).WithRule(RuleFileName).With("reason", why).With("path", path)
}

func satAdd(a, b int64) int64 {
	if b > 1<<62 || a > 1<<62 {
		return 1 << 62
	}
	return a + b
}

// readErr turns a failure to read an entry into the verdict: the refusal
// a reader raised, a cancelled context, or the archive is unreadable.
func (w *walker) readErr(lv *level, path string, err error) error {
	if w.failed != nil {
		return w.failed
	}
	if fe, ok := coded(err); ok {
		return fe
	}
	if ctxErr := w.ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return unreadable(lv.format, displayPath(path), err)
}

// nested walks an entry whose content is an archive of format f. Stream
// formats are walked as the content is read; zip and 7z, which need random
// access, are opened in place when the entry is stored as it is, and
// otherwise unpacked to a spool first (counted and bounded as any read).
func (w *walker) nested(lv *level, e *Entry, f Format, m *member, content *bufio.Reader) error {
	if e.Depth+1 > w.cfg.MaxDepth {
		return limitErr(RuleMaxDepth, LimitDepth, w.cfg.MaxDepth, e.Depth+1, displayPath(e.Path))
	}
	if !f.randomAccess() {
		if err := w.open(source{r: content}, e.Path, f, e.Depth+1); err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, content); err != nil { // trailing bytes count, checksums are checked
			return w.readErr(lv, e.Path, err)
		}
		return nil
	}
	if m.section != nil {
		return w.open(source{ra: m.section, size: m.section.Size()}, e.Path, f, e.Depth+1)
	}
	sp, err := newSpool(w.cfg.TempDir, content)
	if err != nil {
		if w.failed != nil {
			return w.failed
		}
		if fe, ok := coded(err); ok {
			return fe
		}
		return fmt.Errorf("inspect/archive: unpack %s: %w", displayPath(e.Path), err)
	}
	defer sp.Close()
	return w.open(source{ra: sp, size: sp.Size()}, e.Path, f, e.Depth+1)
}
