package keywords

// A wide node has many children spread over a large part of the alphabet
// (base < 0). Its children sit anywhere in the
// double array; a small open-addressing table of its own maps a symbol to
// the child, and a bit filter in front of it answers most lookups of a
// symbol it has no child for — the common case: after the first character
// of a Chinese entry, the next character seldom continues one. The filter
// has 16 to 32 bits a child (a false positive in 3 to 6 % of lookups); each
// wide node's bits lie together, so the nodes of frequent characters keep
// theirs in the cache.

// trans is the transition function of the automaton.
type trans struct {
	nodes []node
	// root is the root's row: the child on each symbol (0 for none), with
	// rootOut set when that child has output, and in the high 32 bits the
	// child's filter code (-1-base) when the child is wide. The hot loop
	// reads it instead of the root's slots, and so knows a wide child's
	// filter without reading the child: most Chinese characters cost two
	// reads, of this row and of the filter.
	root []uint64
	// filter holds each wide node's region: a header word (the start of
	// its table in wide | log2 of the table's entries << 32), then its
	// filter bits. A wide node's base is -1 - (region << 5 | log2 bits).
	filter []uint64
	wide   []wideEdge
}

const rootOut = 1 << 31

// wideEdge is an entry of a wide node's table; label 0 is a free entry.
// Besides the child, it holds what the scan needs of the child for the
// next character in the common case, so that it need not read the child:
// whether the child has output (edgeOut in child), a bloom filter of the
// child's own children (childBloom; 0 for a leaf) and its failure link.
// After the first character of a Chinese entry, the second one most often
// ends every entry begun there: the scan then moves on to the failure
// link without reading the child or its double-array slots.
type wideEdge struct {
	label, child int32
	bloom        uint32
	fail         int32
}

// edgeOut marks, in wideEdge.child, a child with output.
const edgeOut = -1 << 31

// childBloom is the bit of symbol c in a wideEdge's bloom.
func childBloom(c int32) uint32 { return 1 << (filterHash(c) >> 27) }

// finishWide fills in the edges' outputs, blooms and failure links, once
// the automaton is complete. blooms is by slot (shorter: no children).
func (t *trans) finishWide(blooms []uint32) {
	for i := range t.wide {
		e := &t.wide[i]
		if e.label == 0 {
			continue
		}
		v := e.child
		if int(v) < len(blooms) {
			e.bloom = blooms[v]
		}
		e.fail = t.nodes[v].fail
		if t.nodes[v].info&hasOut != 0 {
			e.child |= edgeOut
		}
	}
}

// isWide tells whether a node with these children (symbols ascending)
// is wide.
func isWide(labels []int32) bool {
	return len(labels) > 4 && labels[len(labels)-1]-labels[0] > 512
}

func filterHash(c int32) uint32 { return uint32(c) * 0x9e3779b1 }
func tableHash(c int32) uint32  { return uint32(c) * 0x85ebca6b }

// addWide adds the filter and table of a wide node and returns its base.
func (t *trans) addWide(edges []wideEdge) int32 {
	flg, tlg := uint(6), uint(1)
	for 1<<flg < 16*len(edges) {
		flg++
	}
	for 1<<tlg < 2*len(edges) {
		tlg++
	}
	region := len(t.filter)
	table := len(t.wide)
	t.filter = append(t.filter, uint64(table)|uint64(tlg)<<32)
	t.filter = append(t.filter, make([]uint64, 1<<(flg-6))...)
	t.wide = append(t.wide, make([]wideEdge, 1<<tlg)...)
	f := t.filter[region+1:]
	tab := t.wide[table:]
	mask := uint32(1)<<tlg - 1
	for _, e := range edges {
		bit := filterHash(e.label) >> (32 - flg)
		f[bit>>6] |= 1 << (bit & 63)
		i := tableHash(e.label) >> (32 - tlg)
		for tab[i].label != 0 {
			i = (i + 1) & mask
		}
		tab[i] = e
	}
	return -1 - int32(region<<5|int(flg))
}

// maxRegion bounds the filter: a region must fit base's 26 bits.
const maxRegion = 1 << 26

// wideChild returns the child on c of the wide node whose base is b, or 0.
func (t *trans) wideChild(b, c int32) int32 {
	code := uint32(-1 - b)
	region, flg := code>>5, code&31
	bit := filterHash(c) >> (32 - flg)
	if t.filter[region+1+bit>>6]&(1<<(bit&63)) == 0 {
		return 0
	}
	return t.wideTable(region, c)
}

// wideTable looks c up in the table of the wide node at region.
func (t *trans) wideTable(region uint32, c int32) int32 {
	h := t.filter[region]
	table, tlg := uint32(h), uint32(h>>32)
	mask := uint32(1)<<tlg - 1
	for i := tableHash(c) >> (32 - tlg); ; i = (i + 1) & mask {
		e := t.wide[table+i]
		if e.label == c {
			return e.child &^ edgeOut
		}
		if e.label == 0 {
			return 0
		}
	}
}

// child returns the child of s on c, or 0.
func (t *trans) child(s, c int32) int32 {
	if b := t.nodes[s].base; b >= 0 {
		if u := b + c; t.nodes[u].check == s {
			return u
		}
		return 0
	} else {
		return t.wideChild(b, c)
	}
}

// step returns the state after symbol c from state s.
func (t *trans) step(s, c int32) int32 {
	for {
		if u := t.child(s, c); u != 0 || s == 0 {
			return u
		}
		s = t.nodes[s].fail
	}
}

// buildRoot fills the root's row over an alphabet of k symbols.
func (t *trans) buildRoot(k int32) {
	t.root = make([]uint64, k+1)
	for c := int32(1); c <= k; c++ {
		if u := t.child(0, c); u != 0 {
			t.root[c] = uint64(u)
			if t.nodes[u].info&hasOut != 0 {
				t.root[c] |= rootOut
			}
			if b := t.nodes[u].base; b < 0 {
				t.root[c] |= uint64(uint32(-1-b)) << 32
			}
		}
	}
}

// label returns the symbol on which slot v is its parent's child.
func (t *trans) label(v int32) int32 {
	b := t.nodes[t.nodes[v].check].base
	if b >= 0 {
		return v - b
	}
	h := t.filter[uint32(-1-b)>>5]
	table, tlg := uint32(h), uint32(h>>32)
	for _, e := range t.wide[table : table+1<<tlg] {
		if e.child&^edgeOut == v && e.label != 0 {
			return e.label
		}
	}
	return 0 // not reached: v is a child of its parent
}
