package keywords

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrVersion is returned by UnmarshalBinary for a state saved under a
// matcher of another version: scan the text again from its start.
var ErrVersion = errors.New("keywords: scanner state is of another matcher version")

// errState wraps what is wrong with a state that is not one MarshalBinary
// wrote.
var errState = errors.New("keywords: bad scanner state")

const stateMagic, stateFormat = 'k', 1

const (
	stUnresolved = 1 << iota
	stLastWord
	stCand
	stClosed
)

// MarshalBinary saves the scanner's state: where it is in the text, the
// automaton's state and the positions of the characters an occurrence in
// progress has seen — typically 20 to 40 bytes, at most a few hundred.
// Hits already reported are not part of it: act on them before saving.
func (sc *Scanner) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 48)
	b = append(b, stateMagic, stateFormat)
	b = binary.BigEndian.AppendUint64(b, sc.m.fp)
	b = binary.AppendUvarint(b, uint64(sc.off))
	b = binary.AppendUvarint(b, uint64(sc.s))
	var flags byte
	if sc.unresolved {
		flags |= stUnresolved
	}
	if sc.lastWord {
		flags |= stLastWord
	}
	if sc.cand >= 0 {
		flags |= stCand
	}
	if sc.closed {
		flags |= stClosed
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(sc.gap))
	b = append(b, sc.npart)
	b = append(b, sc.part[:sc.npart]...)
	d := sc.m.nodes[sc.s].depth()
	if sc.cand >= 0 {
		b = binary.AppendUvarint(b, uint64(sc.cand))
		b = binary.AppendUvarint(b, uint64(sc.n-sc.candStart))
		b = binary.AppendUvarint(b, uint64(sc.candEnd-sc.candStart))
	}
	// r matters only inside the window of the last d symbols.
	rr := uint64(0)
	if sc.r > sc.n-d {
		rr = uint64(sc.n - sc.r + 1)
	}
	b = binary.AppendUvarint(b, rr)
	for i := sc.n - d; i < sc.n; i++ {
		e := sc.ring[i&ringMask]
		b = binary.AppendUvarint(b, uint64(sc.off)-e>>8)
		b = append(b, byte(e))
	}
	return b, nil
}

// UnmarshalBinary restores a state that MarshalBinary saved, on a scanner
// of a matcher with the same Version (else ErrVersion). The scanner's hits
// start empty; their offsets continue those of the original text.
func (sc *Scanner) UnmarshalBinary(data []byte) error {
	m := sc.m
	if len(data) < 10 || data[0] != stateMagic || data[1] != stateFormat {
		return fmt.Errorf("%w: not a keywords scanner state", errState)
	}
	if binary.BigEndian.Uint64(data[2:10]) != m.fp {
		return ErrVersion
	}
	d := stateReader{b: data[10:]}
	n := Scanner{m: m, cand: -1, limit: sc.limit, n: 2 * ringSize, hits: sc.hits[:0]}
	if n.limit == 0 {
		n.limit = MaxHits
	}
	n.off = int64(d.uvarint(1 << 56))
	s := d.uvarint(uint64(len(m.nodes) - 1))
	if d.err == nil && s != 0 && m.nodes[s].check < 0 {
		d.fail("no such state")
	}
	n.s = int32(s)
	flags := d.byte()
	n.unresolved = flags&stUnresolved != 0
	n.lastWord = flags&stLastWord != 0
	n.closed = flags&stClosed != 0
	n.gap = int32(d.uvarint(uint64(m.maxGap) + 1))
	n.npart = uint8(d.uvarint(utf8.UTFMax - 1))
	copy(n.part[:], d.bytes(int(n.npart)))
	if d.err == nil && n.npart > 0 && utf8.FullRune(n.part[:n.npart]) {
		d.fail("partial character is complete")
	}
	depth := int64(0)
	if d.err == nil {
		depth = m.nodes[n.s].depth()
	}
	if flags&stCand != 0 {
		n.cand = int32(d.uvarint(uint64(len(m.meta) - 1)))
		back := int64(d.uvarint(uint64(depth)))
		span := int64(d.uvarint(uint64(max(back-1, 0))))
		if d.err == nil && (back < 1 || m.meta[n.cand].flags&flagAllow != 0) {
			d.fail("bad pending hit")
		}
		n.candStart = n.n - back
		n.candEnd = n.candStart + span
	}
	if rr := int64(d.uvarint(uint64(depth))); rr > 0 {
		n.r = n.n - rr + 1
	} else {
		n.r = n.n - depth
	}
	last := int64(-1)
	for i := n.n - depth; i < n.n && d.err == nil; i++ {
		back := d.uvarint(uint64(n.off))
		fl := uint64(d.byte())
		at := n.off - int64(back)
		if size := fl >> 2; size < 1 || size > utf8.UTFMax || fl>>5 != 0 || at < last {
			d.fail("bad character position")
		}
		last = at
		n.ring[i&ringMask] = uint64(at)<<8 | fl
	}
	if d.err == nil && len(d.b) > 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return d.err
	}
	*sc = n
	return nil
}

// ResumeScanner returns a scanner in the state MarshalBinary saved.
func (m *Matcher) ResumeScanner(state []byte) (*Scanner, error) {
	sc := m.NewScanner()
	if err := sc.UnmarshalBinary(state); err != nil {
		return nil, err
	}
	return sc, nil
}

// stateReader reads a state, keeping the first error.
type stateReader struct {
	b   []byte
	err error
}

func (r *stateReader) fail(msg string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", errState, msg)
	}
}

// uvarint reads a number of at most max.
func (r *stateReader) uvarint(max uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("truncated")
		return 0
	}
	r.b = r.b[n:]
	if v > max {
		r.fail("value out of range")
		return 0
	}
	return v
}

func (r *stateReader) byte() byte {
	if b := r.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *stateReader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < n {
		r.fail("truncated")
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}
