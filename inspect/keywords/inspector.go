package keywords

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// Rule is the rule of every verdict of the Inspector.
const Rule = "inspect.keywords"

// Where a hit is, for Inspect; archive entries are named by their path.
const (
	WhereName    = "name"
	WhereContent = "content"
)

// RetryAfter is when a sender may try again after the content could not
// be read (5005).
const RetryAfter = time.Minute

// headLen is how much of a file decides whether its content is text.
const headLen = 8 << 10

// Inspector is the ferry.Inspector that scans file names and text content
// for keywords. It is safe for concurrent use; SetMatcher swaps the
// dictionaries (after a reload) for the scans that start afterwards.
type Inspector struct {
	m         atomic.Pointer[Matcher]
	showEntry bool
}

var _ ferry.Inspector = (*Inspector)(nil)

// NewInspector returns an Inspector over m. showEntry (Config.ShowEntry)
// adds the matched entry to the errors it returns, which senders see.
func NewInspector(m *Matcher, showEntry bool) *Inspector {
	in := &Inspector{showEntry: showEntry}
	in.m.Store(m)
	return in
}

// SetMatcher makes later scans use m.
func (in *Inspector) SetMatcher(m *Matcher) { in.m.Store(m) }

// Matcher returns the matcher scans use now.
func (in *Inspector) Matcher() *Matcher { return in.m.Load() }

// Inspect scans f's name and, when its first 8 KiB look like text
// (policy.LooksLikeText: UTF-8, UTF-16 with a byte-order mark, or
// GB18030), its content. Its verdicts (rule inspect.keywords):
//
//   - 5001 SENSITIVE_CONTENT for a hit, with details "category", "where"
//     ("name" or "content"), "offset" (bytes; in the UTF-8 form for other
//     encodings, then also "encoding"), and "entry" when showEntry is set;
//   - 5005 SCAN_UNAVAILABLE, retryable, when the content cannot be read.
//
// Office documents, PDFs and archives are not text: their extracted text
// and entries are for ScanText and CheckName.
func (in *Inspector) Inspect(ctx context.Context, f *ferry.File) error {
	if err := in.CheckName(f.Name, WhereName); err != nil {
		return err
	}
	return in.InspectContent(ctx, f)
}

// InspectContent is Inspect without the name: the verdict on the content
// alone, which holds for the same content under any name.
func (in *Inspector) InspectContent(ctx context.Context, f *ferry.File) error {
	rc, err := f.Open(ctx)
	if err != nil {
		return unavailable(fmt.Errorf("keywords: open the content: %w", err))
	}
	defer rc.Close()
	head := make([]byte, headLen)
	n, err := io.ReadFull(rc, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return unavailable(fmt.Errorf("keywords: read the content: %w", err))
	}
	if !policy.LooksLikeText(head[:n]) {
		return nil
	}
	if k := lanes(f.Size); k > 1 && f.Size > int64(n) {
		if _, enc, err := DecodeText(bytes.NewReader(head[:n])); err == nil && enc == EncodingUTF8 {
			rc.Close()
			h, err := in.scanLanes(ctx, f, k)
			if err != nil {
				return unavailable(fmt.Errorf("keywords: scan the content: %w", err))
			}
			if h != nil {
				return in.Error(h, WhereContent)
			}
			return nil
		}
	}
	return in.ScanText(ctx, io.MultiReader(bytes.NewReader(head[:n]), rc), WhereContent)
}

// CheckName returns the 5001 error of the first hit in a name (a file's,
// or an archive entry's path), reported at where, or nil.
func (in *Inspector) CheckName(name, where string) error {
	if h := in.Matcher().MatchName(name); h != nil {
		return in.Error(h, where)
	}
	return nil
}

// ScanText scans text read from r — any encoding DecodeText knows, such
// as the text extracted from a document, or a text entry of an archive —
// and returns the 5001 error of its first hit, reported at where, or nil.
// It stops at the first hit. A read error, or the end of ctx, is 5005.
func (in *Inspector) ScanText(ctx context.Context, r io.Reader, where string) error {
	dr, enc, err := DecodeText(r)
	if err != nil {
		return unavailable(fmt.Errorf("keywords: read %s: %w", where, err))
	}
	sc := in.Matcher().NewScanner()
	sc.limit = 1
	buf := make([]byte, 64<<10)
	for sc.Hit() == nil {
		if err := ctx.Err(); err != nil {
			return unavailable(fmt.Errorf("keywords: scan %s: %w", where, err))
		}
		n, err := dr.Read(buf)
		sc.Write(buf[:n])
		if errors.Is(err, io.EOF) {
			sc.Close()
			break
		}
		if err != nil {
			return unavailable(fmt.Errorf("keywords: read %s: %w", where, err))
		}
	}
	h := sc.Hit()
	if h == nil {
		return nil
	}
	e := in.Error(h, where)
	if enc != EncodingUTF8 {
		e.With("encoding", enc)
	}
	return e
}

// Error returns the 5001 error of a hit at where: details "category",
// "where" and "offset", and "entry" when the Inspector shows entries.
func (in *Inspector) Error(h *Hit, where string) *ferry.Error {
	e := ferry.E(ferry.CodeSensitiveContent).WithRule(Rule).
		With("category", h.Category).With("where", where).With("offset", h.Offset).
		WithErr(fmt.Errorf("keywords: %s matches %q (%s) at byte %d", where, h.Entry, h.Source, h.Offset))
	if in.showEntry {
		e.With("entry", h.Entry)
	}
	return e
}

func unavailable(err error) error {
	return ferry.E(ferry.CodeScanUnavailable).WithRule(Rule).WithRetryAfter(RetryAfter).WithErr(err)
}
