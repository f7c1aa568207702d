package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ferryhq/ferry"
)

// EntryFunc sees one entry of an archive with its content, as VisitFunc
// does; other inspectors plug in here (keyword scanning of text entries,
// type sniffing of entries by Entry.Head).
type EntryFunc func(ctx context.Context, e *Entry, r io.Reader) error

// Inspector is the ferry.Inspector of archives: a file whose content is an
// archive (by signature, whatever its name) is walked within Config, every
// entry checked, and each handed to Entry when it is set. Other files pass.
type Inspector struct {
	Config Config
	Entry  EntryFunc
}

var _ ferry.Inspector = (*Inspector)(nil)

// Inspect walks f when it is an archive. Content that Open returns as an
// io.ReaderAt (a local blob's *os.File) is read in place; other content is
// copied to a temporary file in Config.TempDir first, as zip and 7z need
// random access. Past Config.Timeout the verdict is 5005 SCAN_UNAVAILABLE,
// retryable.
func (in *Inspector) Inspect(ctx context.Context, f *ferry.File) error {
	rc, err := f.Open(ctx)
	if err != nil {
		return fmt.Errorf("inspect/archive: open %s: %w", f.Name, err)
	}
	defer rc.Close()
	head := make([]byte, min(max(f.Size, 0), HeadLen))
	if _, err := io.ReadFull(rc, head); err != nil {
		return fmt.Errorf("inspect/archive: read %s: %w", f.Name, err)
	}
	if Detect(head) == "" {
		return nil
	}
	ra, ok := rc.(io.ReaderAt)
	size := f.Size
	if !ok {
		if _, err := rc.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("inspect/archive: rewind %s: %w", f.Name, err)
		}
		sp, err := newSpool(in.Config.TempDir, io.LimitReader(rc, f.Size))
		if err != nil {
			return fmt.Errorf("inspect/archive: copy %s: %w", f.Name, err)
		}
		defer sp.Close()
		ra, size = sp, sp.Size()
	}
	wctx := ctx
	if in.Config.Timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, time.Duration(in.Config.Timeout))
		defer cancel()
	}
	err = Walk(wctx, ra, size, f.Name, &in.Config, func(e *Entry, r io.Reader) error {
		if in.Entry == nil {
			return nil
		}
		return in.Entry(wctx, e, r)
	})
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return ferry.E(ferry.CodeScanUnavailable).WithRule(RuleTimeout).
			With("limit", in.Config.Timeout.String()).WithOp("inspect/archive").WithErr(err)
	}
	return err
}
