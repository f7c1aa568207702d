package keywords

import (
	"errors"
	"io"
	"unicode/utf8"
	"unsafe"
)

// kxSet marks a known edge in the scan's kx (see fast).
const kxSet = 1 << 63

// MaxHits is how many hits a Scanner keeps; Count counts them all.
const MaxHits = 100

// ringSize holds the last symbols' positions: at least MaxEntryLen.
const (
	ringSize = MaxEntryLen
	ringMask = ringSize - 1
)

// A ring entry is the position of one symbol: the offset of its input
// character << 8 | the character's size in bytes << 2 | prevWord << 1 |
// nextWord. prevWord tells that the input character right before it is a
// word character; nextWord, once outputs at the symbol were settled, that
// the one right after it is.
const (
	prevWordBit = 1 << 1
	nextWordBit = 1 << 0
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("keywords: write to a closed scanner")

// Scanner scans a text written to it in any number of pieces, cut
// anywhere (inside a UTF-8 sequence or an entry), for the entries of its
// Matcher. Its state between writes is small (see MarshalBinary), so a scan
// can be saved after one upload request and resumed in the next, on any
// node with the same Matcher version. A Scanner is not safe for concurrent
// use.
//
// A hit is reported once it is certain: an occurrence is held back while
// a longer entry, an earlier-starting one or an allow entry that would
// cover it may still complete — at most MaxEntryLen characters — and until
// Close at the end of the text.
type Scanner struct {
	m          *Matcher
	s          int32 // automaton state
	gap        int32 // separators since the last character, while s != 0
	cand       int32 // the pending hit's entry, or -1
	unresolved bool  // outputs at the last symbol wait for the next character
	lastWord   bool  // the last input character was a word character
	closed     bool
	npart      uint8
	part       [utf8.UTFMax]byte // an incomplete UTF-8 sequence at the end of the input
	n          int64             // symbols consumed (positions are relative)
	off        int64             // bytes consumed, part excluded
	candStart  int64             // the pending hit's first and last symbols
	candEnd    int64
	r          int64 // hits start at or after symbol r
	ring       [ringSize]uint64
	hits       []Hit
	count      int
	limit      int
}

// NewScanner returns a Scanner at the start of a text.
func (m *Matcher) NewScanner() *Scanner {
	sc := &Scanner{m: m}
	sc.Reset()
	return sc
}

// Reset starts the scanner over at the start of a new text.
func (sc *Scanner) Reset() {
	*sc = Scanner{m: sc.m, cand: -1, limit: MaxHits, n: ringSize, r: 0, hits: sc.hits[:0]}
}

// Hits returns the hits reported so far, at most MaxHits, in order.
func (sc *Scanner) Hits() []Hit { return sc.hits }

// Hit returns the first hit, or nil when there is none yet.
func (sc *Scanner) Hit() *Hit {
	if len(sc.hits) == 0 {
		return nil
	}
	return &sc.hits[0]
}

// Count returns how many hits were reported, kept or not.
func (sc *Scanner) Count() int { return sc.count }

// Offset returns how many bytes were written.
func (sc *Scanner) Offset() int64 { return sc.off + int64(sc.npart) }

// Write scans the next piece of the text. It always consumes all of p; it
// fails only after Close.
func (sc *Scanner) Write(p []byte) (int, error) {
	if sc.closed {
		return 0, ErrClosed
	}
	n := len(p)
	if sc.npart > 0 {
		p = sc.completePart(p)
	}
	if len(p) > 0 {
		sc.run(p)
	}
	return n, nil
}

// ReadFrom scans what r holds, to its end; it does not Close.
func (sc *Scanner) ReadFrom(r io.Reader) (int64, error) {
	buf := make([]byte, 64<<10)
	var total int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if _, werr := sc.Write(buf[:n]); werr != nil {
				return total, werr
			}
			total += int64(n)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// Close ends the text: pending occurrences are settled, an incomplete
// UTF-8 sequence at the end counts as separators. Close is idempotent.
func (sc *Scanner) Close() error {
	if sc.closed {
		return nil
	}
	for range sc.npart {
		sc.sep()
		sc.off++
	}
	sc.npart = 0
	if sc.unresolved {
		sc.resolve(false)
	}
	sc.brk()
	sc.closed = true
	return nil
}

// completePart finishes the incomplete sequence left by the last Write
// with the first bytes of p, and returns the rest of p.
func (sc *Scanner) completePart(p []byte) []byte {
	for sc.npart > 0 {
		var tmp [2 * utf8.UTFMax]byte
		k := copy(tmp[:], sc.part[:sc.npart])
		k += copy(tmp[k:], p[:min(len(p), utf8.UTFMax)])
		if !utf8.FullRune(tmp[:k]) {
			// Still incomplete: p was too short.
			copy(sc.part[sc.npart:], p)
			sc.npart += uint8(len(p))
			return nil
		}
		r, size := utf8.DecodeRune(tmp[:k])
		np := int(sc.npart)
		if size <= np { // the first byte was invalid: a separator
			sc.char(sc.m.tab.lookup(r), sc.off, size)
			sc.off += int64(size)
			copy(sc.part[:], sc.part[size:np])
			sc.npart -= uint8(size)
			continue
		}
		sc.npart = 0
		sc.char(sc.m.tab.lookup(r), sc.off, size)
		sc.off += int64(size)
		p = p[size-np:]
	}
	return p
}

// decode decodes the non-ASCII character at the start of p; size 0 means
// p ends inside it.
func decode(p []byte) (rune, int) {
	if c := p[0]; c >= 0xe0 && c < 0xf0 && len(p) >= 3 {
		c1, c2 := p[1], p[2]
		if c1&0xc0 == 0x80 && c2&0xc0 == 0x80 {
			r := rune(c&0x0f)<<12 | rune(c1&0x3f)<<6 | rune(c2&0x3f)
			if r >= 0x800 && (r < 0xd800 || r > 0xdfff) {
				return r, 3
			}
		}
	}
	if !utf8.FullRune(p) {
		return 0, 0
	}
	return utf8.DecodeRune(p)
}

// run scans whole characters of p and keeps an incomplete one at its end.
// The common case — no pending hit, nothing to settle — runs in fast; it
// hands every other character to the slow path (settle.go).
func (sc *Scanner) run(p []byte) {
	i := 0
	for i < len(p) {
		if !sc.unresolved && sc.cand < 0 {
			if i = sc.fast(p, i); i >= len(p) {
				break
			}
			if sc.unresolved || sc.cand >= 0 {
				continue // after an output: fast again if it settled
			}
		}
		var e uint32
		size := 1
		if c := p[i]; c < utf8.RuneSelf {
			e = sc.m.tab.ascii[c]
		} else {
			r, sz := decode(p[i:])
			if sz == 0 {
				break
			}
			e, size = sc.m.tab.lookup(r), sz
		}
		sc.char(e, sc.off+int64(i), size)
		i += size
	}
	sc.off += int64(i)
	sc.npart = uint8(copy(sc.part[:], p[i:]))
}

// fast scans p from i while nothing is pending, and returns where it
// stopped: at the end of p, or at a character for the slow path — one
// that needs a call (an incomplete or 4-byte UTF-8 sequence, an
// expansion) or follows an output. Its loop makes no call, so that its
// variables stay in registers.
func (sc *Scanner) fast(p []byte, i int) int {
	m := sc.m
	// Raw pointers, not slices: the loop needs fewer registers and no
	// bounds checks. Compile guarantees the indices: a base plus a symbol
	// is inside nodes, a symbol inside root, a filter bit inside filter.
	nodes := unsafe.Pointer(unsafe.SliceData(m.nodes))
	root := unsafe.Pointer(unsafe.SliceData(m.root))
	filter := unsafe.Pointer(unsafe.SliceData(m.filter))
	wide := unsafe.Pointer(unsafe.SliceData(m.wide))
	tab := m.tab
	s, n, gap := sc.s, sc.n, sc.gap
	pw := uint64(0) // prevWordBit when the last character is a word character
	if sc.lastWord {
		pw = prevWordBit
	}
	at := uint64(sc.off) << 8
	fc := uint32(0) // when s is a wide child of the root, its filter code
	// When s was entered through a wide node's edge: the edge's bloom of
	// s's children | s's failure link << 32 | kxSet.
	kx := uint64(0)
	for i < len(p) {
		if s == 0 && pw != 0 {
			// At the root inside a word, ASCII letters and digits can
			// start nothing (see the root below): skip them.
			for i < len(p) && tab.asciiWord[p[i]] {
				i++
			}
			if i == len(p) {
				break
			}
		}
		var e uint32
		size := 1
		if c := p[i]; c < utf8.RuneSelf {
			e = tab.ascii[c]
		} else if c >= 0xe0 && c < 0xf0 && i+2 < len(p) {
			c1, c2 := p[i+1], p[i+2]
			r := uint32(c&0x0f)<<12 | uint32(c1&0x3f)<<6 | uint32(c2&0x3f)
			if c1&0xc0 != 0x80 || c2&0xc0 != 0x80 || r < 0x800 || r-0xd800 < 0x800 {
				break
			}
			e = tab.rows[r>>8&0xff][r&0xff]
			size = 3
		} else if c >= 0xc2 && c < 0xe0 && i+1 < len(p) && p[i+1]&0xc0 == 0x80 {
			r := uint32(c&0x1f)<<6 | uint32(p[i+1]&0x3f)
			e = tab.rows[r>>8&0xff][r&0xff]
			size = 2
		} else {
			break
		}
		if e>>kindShift == kindSep {
			pw = 0
			if s != 0 {
				if gap++; gap > m.maxGap {
					s, fc, kx = 0, 0, 0
				}
			}
			i += size
			continue
		}
		if e>>kindShift == kindExpand {
			break
		}
		c := int32(e & symMask)
		if c == 0 {
			s, gap, fc, kx = 0, 0, 0, 0
			pw = uint64(e>>28) & prevWordBit
			i += size
			continue
		}
		var out bool
		t := s
		for {
			if t == 0 {
				if pw != 0 && e&wordFlag != 0 {
					// Inside a word: an entry starting here would need a
					// word boundary before it. Stay at the root.
					fc = 0
					break
				}
				x := *(*uint64)(unsafe.Add(root, uintptr(c)*8))
				t, out, fc = int32(uint32(x)&^rootOut), uint32(x)&rootOut != 0, uint32(x>>32)
				break
			}
			var code uint32 // t is wide: its filter code
			f := int32(0)   // t's failure link
			if fc != 0 {
				// t is a wide child of the root, entered at the last
				// character: its filter code is known and its failure
				// link is the root, so t itself is not read.
				code, fc = fc, 0
			} else {
				if kx != 0 {
					// t was entered through a wide edge: when its bloom
					// rules c out, go to its failure link unread.
					x := kx
					kx = 0
					if uint32(x)&childBloom(c) == 0 {
						t = int32(x>>32) & (1<<31 - 1)
						continue
					}
				}
				nd := (*node)(unsafe.Add(nodes, uintptr(t)*16))
				if nd.info&startsWord != 0 && sc.ring[(n-int64(nd.info&depthMask))&ringMask]&prevWordBit != 0 {
					// t's string starts with a word character right after
					// another, inside a word: every entry below t needs a
					// word boundary there, so none can match. Drop it, as
					// the root does inside a word; the rest of a word then
					// costs no lookups once t is the root.
					t = nd.fail
					continue
				}
				b := nd.base
				if b >= 0 {
					u := (*node)(unsafe.Add(nodes, uintptr(b+c)*16))
					if u.check == t {
						t, out = b+c, u.info&hasOut != 0
						break
					}
					t = nd.fail
					continue
				}
				code, f = uint32(-1-b), nd.fail
			}
			// A wide node: its filter, then its table.
			bit := filterHash(c) >> (32 - code&31)
			w := *(*uint64)(unsafe.Add(filter, uintptr(code>>5+1+bit>>6)*8))
			if w&(1<<(bit&63)) != 0 {
				h := *(*uint64)(unsafe.Add(filter, uintptr(code>>5)*8))
				table, mask := uint32(h), uint32(1)<<(h>>32)-1
				var ed *wideEdge
				for j := tableHash(c) >> (32 - uint32(h>>32)); ; j = (j + 1) & mask {
					e := (*wideEdge)(unsafe.Add(wide, uintptr(table+j)*16))
					if e.label == c {
						ed = e
						break
					}
					if e.label == 0 {
						break
					}
				}
				if ed != nil {
					t, out = ed.child&^edgeOut, ed.child&edgeOut != 0
					kx = uint64(ed.bloom) | uint64(uint32(ed.fail))<<32 | kxSet
					break
				}
			}
			t = f
		}
		s, gap = t, 0
		if t != 0 { // at the root no occurrence is in progress to need it
			sc.ring[n&ringMask] = at + uint64(i)<<8 | uint64(size)<<2 | pw
			n++
		}
		pw = uint64(e>>28) & prevWordBit
		i += size
		if out {
			sc.s, sc.n, sc.gap, sc.lastWord = s, n, gap, pw != 0
			sc.output(e)
			return i
		}
	}
	sc.s, sc.n, sc.gap, sc.lastWord = s, n, gap, pw != 0
	return i
}
