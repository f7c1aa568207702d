package keywords

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/ferryhq/ferry"
)

// LaneMin is the least UTF-8 text Inspect scans in lanes, one a CPU (up
// to MaxLanes): below it a single scan is done before lanes would pay off.
const (
	LaneMin  = 32 << 20
	MaxLanes = 4
)

// margin is how far around its own bytes a lane must read so that what it
// reports of them is what one scan of the whole text would: an occurrence
// of an entry spans at most MaxEntryLen characters with up to maxGap
// separators between two of them, each character at most utf8.UTFMax
// bytes; and a hit is settled at most that far again after its end.
func (m *Matcher) margin() int64 {
	return 2 * int64(MaxEntryLen) * int64(m.maxGap+1) * utf8.UTFMax
}

// lanes returns how many lanes to scan size bytes of UTF-8 text in.
func lanes(size int64) int {
	n := min(runtime.GOMAXPROCS(0), MaxLanes, int(size/LaneMin))
	return max(n, 1)
}

// scanLanes scans the UTF-8 text of f in n lanes at once, each a slice of
// the file read by a reader of its own, and returns the first hit of the
// whole text (its offset in the file), or nil.
//
// Lane i reports the hits that start in its slice [b_i, b_i+1): it starts
// reading margin bytes before b_i, so that its automaton, the word
// boundary before the slice and any allow entry that begins before it are
// where one scan would have them, drops what that warm-up reported, and
// reads on margin bytes past b_i+1 to settle the hits that start inside.
// The first hit of the text is the first hit of the first lane that has
// one: no hit of an earlier slice reaches into it to change which of its
// occurrences count (hits never overlap). A lane stops as soon as an
// earlier lane has a hit.
func (in *Inspector) scanLanes(ctx context.Context, f *ferry.File, n int) (*Hit, error) {
	m := in.Matcher()
	margin := m.margin()
	var (
		wg    sync.WaitGroup
		first atomic.Int32 // the lowest lane with a hit, or n
		hits  = make([]*Hit, n)
		errs  = make([]error, n)
	)
	first.Store(int32(n))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i := range n {
		from, to := f.Size*int64(i)/int64(n), f.Size*int64(i+1)/int64(n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := scanLane(ctx, m, f, from, to, margin, func() bool { return first.Load() < int32(i) })
			hits[i], errs[i] = h, err
			if h != nil {
				for {
					cur := first.Load()
					if int32(i) >= cur || first.CompareAndSwap(cur, int32(i)) {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	for i := range n {
		if hits[i] != nil {
			return hits[i], nil
		}
		if errs[i] != nil {
			return nil, errs[i]
		}
	}
	return nil, nil
}

// errOvertaken ends a lane whose hits no longer matter.
var errOvertaken = errors.New("keywords: an earlier lane has a hit")

// scanLane scans the bytes of f from from-margin to to+margin and returns
// the first hit that starts in [from, to), with its offset in f.
func scanLane(ctx context.Context, m *Matcher, f *ferry.File, from, to, margin int64, overtaken func() bool) (*Hit, error) {
	rc, err := f.Open(ctx)
	if err != nil {
		return nil, fmt.Errorf("keywords: open the content: %w", err)
	}
	defer rc.Close()
	start := max(0, from-margin)
	if _, err := rc.Seek(start, io.SeekStart); err != nil {
		return nil, fmt.Errorf("keywords: seek to %d: %w", start, err)
	}
	end := min(f.Size, to+margin)
	r := io.LimitReader(rc, end-start)
	sc := m.NewScanner()
	buf := make([]byte, 64<<10)
	pos := start // the file offset of the next byte read
	warm := from > 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if overtaken() {
			return nil, errOvertaken
		}
		want := len(buf)
		if warm {
			want = int(min(int64(want), from-pos)) // end the warm-up exactly at from
		}
		k, rerr := r.Read(buf[:want])
		sc.Write(buf[:k])
		pos += int64(k)
		if warm && pos == from {
			// Whatever was reported so far started before from: the
			// lane before reports it.
			warm, sc.hits, sc.count = false, sc.hits[:0], 0
		}
		if h, done := judge(sc, from-start, to-start); done {
			if h != nil {
				h.Offset += start
			}
			return h, nil
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return nil, fmt.Errorf("keywords: read the content: %w", rerr)
		}
	}
	if end == f.Size {
		sc.Close() // the end of the text settles what is pending; elsewhere the margin did
	}
	h, _ := judge(sc, from-start, to-start)
	if h != nil {
		h.Offset += start
	}
	return h, nil
}

// judge looks at the hits sc reported, in order, for the first that starts
// in [lo, hi): it returns a copy of it and true; nil and true when a hit
// starts at or after hi (none can start inside any more); else nil and
// false, dropping the hits that start before lo, so that the scanner never
// runs out of room for those that matter.
func judge(sc *Scanner, lo, hi int64) (*Hit, bool) {
	for i := range sc.hits {
		switch o := sc.hits[i].Offset; {
		case o >= hi:
			return nil, true
		case o >= lo:
			h := sc.hits[i]
			return &h, true
		}
	}
	sc.hits = sc.hits[:0]
	return nil, false
}
