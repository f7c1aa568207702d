package keywords

// The slow path of a scan: outputs, pending hits and the rules that settle
// them. See the package documentation for the semantics; in short, a hit is
// the leftmost-starting, then longest, occurrence of a block entry not
// inside an occurrence of an allow entry, and the next hit starts after it
// ends.
//
// The automaton runs over every symbol without restarting, so its state
// always knows every entry prefix alive at this point (an occurrence in
// progress). On top of it:
//
//   - At each symbol, once the character after it is known (for the word
//     boundary of Latin-like entries), its outputs are settled (resolve):
//     the longest valid allow occurrence ending here, and the longest valid
//     block occurrence ending here that starts at or after r.
//   - A block occurrence not covered by that allow occurrence becomes the
//     candidate when it starts before the current one (or at the same
//     place and is longer). An allow occurrence that starts at or before
//     the candidate covers it (it ends later): the candidate is dropped.
//   - The candidate is confirmed when no alive prefix reaches back to its
//     start: nothing can cover it, start before it or extend it any more.
//     It is reported; the next hit must start after it (r). The
//     occurrences seen meanwhile that start after it were not tracked, so
//     the symbols after its start — all still inside the automaton's
//     window — are scanned again from the root (confirm). Prefixes that
//     started at or before the candidate are dead by then, so the rescan
//     state is exact.

// char handles one input character on the slow path.
func (sc *Scanner) char(e uint32, off int64, size int) {
	switch e >> kindShift {
	case kindSep:
		sc.sep()
	case kindChar:
		sc.sym(e, off, size)
	default:
		for _, x := range sc.m.tab.exps[e&symMask] {
			sc.sym(x, off, size)
		}
	}
}

// sep handles a separator.
func (sc *Scanner) sep() {
	if sc.unresolved {
		sc.resolve(false)
	}
	sc.lastWord = false
	if sc.s != 0 {
		if sc.gap++; sc.gap > sc.m.maxGap {
			sc.brk()
		}
	}
}

// sym handles one symbol (a kindChar entry) of a character at off.
func (sc *Scanner) sym(e uint32, off int64, size int) {
	word := e&wordFlag != 0
	if sc.unresolved {
		sc.resolve(word)
	}
	sc.gap = 0
	if c := int32(e & symMask); c == 0 {
		sc.brk()
	} else {
		info := uint64(off)<<8 | uint64(size)<<2
		if sc.lastWord {
			info |= prevWordBit
		}
		sc.feed(c, info)
		if sc.m.nodes[sc.s].info&hasOut != 0 {
			sc.output(e)
		}
	}
	sc.lastWord = word
}

// output handles a state with output after symbol e: its occurrences are
// settled now, or, when they may need a word boundary after them, at the
// next character.
func (sc *Scanner) output(e uint32) {
	if e&wordFlag != 0 {
		sc.unresolved = true
		return
	}
	sc.resolve(false)
}

// feed moves the automaton over symbol c, whose ring entry is info,
// confirming the candidate first when c ends every prefix reaching it.
func (sc *Scanner) feed(c int32, info uint64) {
	t := sc.m.step(sc.s, c)
	if sc.cand >= 0 && sc.m.nodes[t].depth() < sc.n+1-sc.candStart {
		sc.confirm()
		t = sc.m.step(sc.s, c)
		if sc.cand >= 0 && sc.m.nodes[t].depth() < sc.n+1-sc.candStart {
			sc.feed(c, info) // the rescan left a candidate that c confirms too
			return
		}
	}
	sc.s = t
	sc.ring[sc.n&ringMask] = info
	sc.n++
}

// brk ends every alive prefix: a letter no entry has, too many separators,
// or the end of the text.
func (sc *Scanner) brk() {
	for sc.cand >= 0 {
		sc.confirm()
	}
	sc.s = 0
}

// resolve settles the outputs at the last symbol; nextWord tells whether
// the character after it is a word character.
func (sc *Scanner) resolve(nextWord bool) {
	sc.unresolved = false
	m := sc.m
	if nextWord {
		sc.ring[(sc.n-1)&ringMask] |= nextWordBit
	}
	u := sc.s
	if m.nodes[u].info&hasOut == 0 {
		return
	}
	var la, lb int64 // lengths of the allow and block occurrences
	eb := int32(-1)
	for u >= 0 {
		o := &m.outs[m.nodes[u].info>>outShift]
		if e := o.term; e >= 0 {
			l := m.nodes[u].depth()
			start := sc.n - l
			md := &m.meta[e]
			if (md.flags&flagEndWord == 0 || !nextWord) &&
				(md.flags&flagStartWord == 0 || sc.ring[start&ringMask]&prevWordBit == 0) {
				if md.flags&flagAllow != 0 {
					la = l
					break // shorter block occurrences are inside it
				}
				if eb < 0 && start >= sc.r {
					lb, eb = l, e
					if sc.cand < 0 {
						break // no candidate for an allow occurrence to drop
					}
				}
			}
		}
		u = o.dict
	}
	if la > 0 && sc.cand >= 0 && sc.n-la <= sc.candStart {
		sc.cand = -1
	}
	if eb >= 0 && lb > la {
		start := sc.n - lb
		if sc.cand < 0 || start < sc.candStart || start == sc.candStart && sc.n-1 > sc.candEnd {
			sc.cand, sc.candStart, sc.candEnd = eb, start, sc.n-1
		}
	}
}

// confirm reports the candidate and rescans the symbols after its start.
func (sc *Scanner) confirm() {
	m := sc.m
	a := sc.candStart
	sc.emit(sc.cand, a, sc.candEnd)
	// The symbols a+1 … n-1 end the automaton's state: read them off the
	// trie, their positions off the ring.
	k := int(sc.n - 1 - a)
	var syms [ringSize]int32
	var infos [ringSize]uint64
	u := sc.s
	for j := k - 1; j >= 0; j-- {
		syms[j] = m.label(u)
		u = m.nodes[u].check
	}
	for j := range k {
		infos[j] = sc.ring[(a+1+int64(j))&ringMask]
	}
	sc.r = sc.candEnd + 1
	sc.cand = -1
	sc.s = 0
	sc.n = a + 1
	for j := range k {
		sc.feed(syms[j], infos[j])
		if m.nodes[sc.s].info&hasOut != 0 {
			sc.resolve(infos[j]&nextWordBit != 0)
		}
	}
}

// emit reports entry e over symbols first … last.
func (sc *Scanner) emit(e int32, first, last int64) {
	sc.count++
	if len(sc.hits) >= sc.limit {
		return
	}
	a, z := sc.ring[first&ringMask], sc.ring[last&ringMask]
	sc.hits = append(sc.hits, sc.m.hit(e, int64(a>>8), int64(z>>8)+int64(z>>2&7)))
}
