package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
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

	now func() time.Time // the clock of the timeout; nil: time.Now
}

var _ ferry.Inspector = (*Inspector)(nil)

// Inspect walks f when it is an archive. Content that Open returns as an
// io.ReaderAt (a local blob's *os.File) is read in place; other content is
// copied to a temporary file in Config.TempDir first, as zip and 7z need
// random access. Past its time — Config.Timeout, and Config.Timeout again
// for every GiB unpacked (see allowance) — the verdict is 5005
// SCAN_UNAVAILABLE, retryable.
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
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var progress atomic.Int64
	t := time.Duration(in.Config.Timeout)
	if t > 0 {
		now := in.now
		if now == nil {
			now = time.Now
		}
		stop := watchTime(t, &progress, now, func() { cancel(errTimedOut) })
		defer stop()
	}
	_, err = walkCounted(wctx, ra, size, f.Name, &in.Config, func(e *Entry, r io.Reader) error {
		if in.Entry == nil {
			return nil
		}
		return in.Entry(wctx, e, r)
	}, &progress)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(wctx), errTimedOut) {
		limit := in.Config.Timeout.String()
		return ferry.E(ferry.CodeScanUnavailable).WithRule(RuleTimeout).
			With("limit", limit+" + "+limit+" a GiB unpacked").
			With("allowed", allowance(t, progress.Load()).Round(time.Second).String()).
			With("unpacked", ferry.Bytes(progress.Load())).
			WithOp("inspect/archive").WithErr(err)
	}
	return err
}

// errTimedOut is the cause of a walk cancelled by watchTime.
var errTimedOut = errors.New("inspect/archive: the inspection took longer than inspect.archive.timeout allows")

// allowance is how long a walk that unpacked n bytes may take: timeout,
// and timeout again for every GiB unpacked. An archive that unpacks to a
// lot takes long with a slow decoder (xz, bzip2) without being a bomb —
// which max_expanded_size and max_ratio stop — while one that makes no
// progress stops after timeout.
func allowance(timeout time.Duration, n int64) time.Duration {
	return timeout + time.Duration(float64(timeout)*float64(n)/(1<<30))
}

// watchTime calls expire once a walk runs past its allowance for the
// bytes progress says it unpacked, by the clock now, and returns what
// stops the watch. It looks once before it returns (a walk can be late
// before it starts), then whenever the allowance it last computed ends.
func watchTime(timeout time.Duration, progress *atomic.Int64, now func() time.Time, expire func()) (stop func()) {
	start := now()
	var (
		mu      sync.Mutex
		timer   *time.Timer
		stopped bool
	)
	check := func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		if left := allowance(timeout, progress.Load()) - now().Sub(start); left > 0 {
			timer.Reset(left) // progress since: more time
			return
		}
		expire()
	}
	mu.Lock()
	timer = time.AfterFunc(timeout, check)
	mu.Unlock()
	check()
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		timer.Stop()
	}
}
