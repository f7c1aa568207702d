package keywords

import (
	"fmt"
	"math/bits"
)

// The automaton is an Aho–Corasick automaton over normalised characters
// (symbols 1..K of the matcher's alphabet), laid out as a double-array
// trie: the children of the node in slot s are in slots base+c for their
// symbols c, and a slot t is the child of s exactly when check[t] == s.
// Each slot is one node record of 16 bytes, so one transition reads one
// cache line; the root is slot 0. Nodes are placed breadth first, so the
// shallow nodes, where a scan spends most of its time, lie together at the
// front.
//
// A double array packs well when a node's children have nearby symbols,
// as Latin letters do, but not a node with a hundred children spread over
// thousands of Chinese characters, as the first characters of Chinese
// entries have: those wide nodes keep their children apart (wide.go).

// node is one slot of the double array.
type node struct {
	base  int32  // children at base+c
	check int32  // parent's slot; -1 when the slot is free, -2 for the root
	fail  int32  // the longest proper suffix that is a node
	info  uint32 // depth | hasOut | startsWord | out index << outShift
}

const (
	depthMask = 1<<7 - 1
	hasOut    = 1 << 7
	// startsWord marks a node whose first symbol is a word character:
	// every entry below it needs a word boundary before its start.
	startsWord = 1 << 8
	outShift   = 9
	maxOuts    = 1<<(32-outShift) - 1
)

func (n *node) depth() int64 { return int64(n.info & depthMask) }

// outRec tells the entries that end at a node with output: term is the
// entry that ends there (-1 for none) and dict the slot of the nearest
// proper suffix that is an entry (-1 for none).
type outRec struct {
	term int32
	dict int32
}

// trieKeys are the unique entries in sorted order: key i is
// syms[off[i]:off[i+1]].
type trieKeys struct {
	syms []int32
	off  []int32
}

func (k *trieKeys) len(i int32) int32 { return k.off[i+1] - k.off[i] }
func (k *trieKeys) at(i, d int32) int32 {
	return k.syms[k.off[i]+d]
}

// automaton is what buildAutomaton returns.
type automaton struct {
	trans
	outs   []outRec
	states int // nodes in use
}

// buildAutomaton lays out the trie of keys over an alphabet of k symbols
// and computes its failure and output links; word tells which symbols are
// word characters (indexed by symbol; nil for none).
func buildAutomaton(keys *trieKeys, k int32, word []bool) (*automaton, error) {
	b := newDABuilder(int(k), len(keys.syms))
	nkeys := int32(len(keys.off) - 1)

	// Breadth first: queue entry i is a node; its children are the queue
	// entries first[i] up to first[i+1].
	qSlot := []int32{0}
	qLo, qHi := []int32{0}, []int32{nkeys}
	qDepth := []uint8{0}
	first := []int32{1}
	qTerm := []int32{-1}   // the entry ending at the node, or -1
	qLabel := []int32{0}   // the symbol on which it is its parent's child
	qWord := []bool{false} // its first symbol is a word character
	b.use(0, -2)
	var labels, starts []int32
	var t trans
	var blooms []uint32 // by slot: childBloom of its children's symbols
	var edges []wideEdge
	for i := 0; i < len(qSlot); i++ {
		u, lo, hi, d := qSlot[i], qLo[i], qHi[i], int32(qDepth[i])
		if lo < hi && keys.len(lo) == d {
			qTerm[i] = lo
			lo++
		}
		labels, starts = labels[:0], starts[:0]
		for j := lo; j < hi; j++ {
			c := keys.at(j, d)
			if len(labels) == 0 || labels[len(labels)-1] != c {
				labels = append(labels, c)
				starts = append(starts, j)
			}
		}
		if len(labels) > 0 {
			for len(blooms) <= int(u) {
				blooms = append(blooms, make([]uint32, max(1024, len(blooms)))...)
			}
			for _, c := range labels {
				blooms[u] |= childBloom(c)
			}
			wide := u != 0 && isWide(labels)
			var base int32
			if wide {
				edges = edges[:0]
			} else {
				base = b.findBase(labels)
			}
			b.base[u] = base
			for x, c := range labels {
				end := hi
				if x+1 < len(starts) {
					end = starts[x+1]
				}
				v := base + c
				if wide {
					v = int32(b.nextFree(max(b.head, 1)))
					edges = append(edges, wideEdge{label: c, child: v})
				}
				b.use(v, u)
				qSlot = append(qSlot, v)
				qLo, qHi = append(qLo, starts[x]), append(qHi, end)
				qDepth = append(qDepth, uint8(d+1))
				qTerm = append(qTerm, -1)
				qLabel = append(qLabel, c)
				qWord = append(qWord, qWord[i] || u == 0 && int(c) < len(word) && word[c])
			}
			if wide {
				if len(t.filter) >= maxRegion {
					return nil, fmt.Errorf("keywords: too many entries: the automaton's filter is full")
				}
				b.base[u] = t.addWide(edges)
			}
		}
		first = append(first, int32(len(qSlot)))
	}
	qLo, qHi = nil, nil

	size := b.hw + int(k) + 1
	nodes := make([]node, size)
	for s := range nodes {
		nodes[s] = node{check: -1}
	}
	for s := 0; s < b.hw; s++ {
		nodes[s].base = b.base[s]
		nodes[s].check = b.check[s]
	}
	b = nil
	t.nodes = nodes
	a := &automaton{trans: t, states: len(qSlot)}
	term := make([]int32, size)
	dict := make([]int32, size)
	for s := range term {
		term[s], dict[s] = -1, -1
	}
	for i, u := range qSlot {
		term[u] = qTerm[i]
	}
	qTerm = nil

	// Failure links, breadth first: a child of u on c fails to the child
	// on c of the nearest suffix of u that has one.
	var outs []outRec
	for i, u := range qSlot {
		nodes[u].info = uint32(qDepth[i])
		if qWord[i] {
			nodes[u].info |= startsWord
		}
		for j := first[i]; j < first[i+1]; j++ {
			f := int32(0)
			if u != 0 {
				f = a.step(nodes[u].fail, qLabel[j])
			}
			nodes[qSlot[j]].fail = f
		}
		// u's failure link and its output are known: its suffix is
		// shallower, so already done.
		dl := int32(-1)
		if u != 0 {
			f := nodes[u].fail
			if term[f] >= 0 {
				dl = f
			} else {
				dl = dict[f]
			}
		}
		dict[u] = dl
		t := term[u]
		if t < 0 && dl < 0 {
			continue
		}
		if len(outs) >= maxOuts {
			return nil, fmt.Errorf("keywords: too many entries: more than %d nodes with output", maxOuts)
		}
		nodes[u].info |= hasOut | uint32(len(outs))<<outShift
		outs = append(outs, outRec{term: t, dict: dl})
	}
	a.outs = outs
	a.finishWide(blooms)
	a.buildRoot(k)
	return a, nil
}

// daBuilder places nodes into the double array.
type daBuilder struct {
	base, check []int32
	used        []uint64 // bit set: slot taken
	hw          int      // slots below hw may be taken; from hw on all are free
	head        int      // no free slot below head
	multiFrom   int      // where searches for nodes with several children start
}

// maxTries bounds the positions tried for a node with several children
// before the search moves on to fresh slots at the end.
const maxTries = 512

func newDABuilder(k, nsyms int) *daBuilder {
	n := max(1024, nsyms+k+1)
	return &daBuilder{
		base:  make([]int32, n),
		check: make([]int32, n),
		used:  make([]uint64, (n+63)/64),
	}
}

func (b *daBuilder) free(x int) bool {
	return x >= b.hw || b.used[x>>6]&(1<<(x&63)) == 0
}

// nextFree returns the first free slot at or after x.
func (b *daBuilder) nextFree(x int) int {
	if x >= b.hw {
		return x
	}
	w := x >> 6
	m := ^b.used[w] &^ (1<<(x&63) - 1)
	for m == 0 {
		w++
		if w<<6 >= b.hw {
			return max(b.hw, x)
		}
		m = ^b.used[w]
	}
	return max(w<<6+bits.TrailingZeros64(m), x)
}

func (b *daBuilder) grow(x int) {
	if x < len(b.base) {
		return
	}
	n := max(2*len(b.base), x+1)
	b.base = append(b.base, make([]int32, n-len(b.base))...)
	b.check = append(b.check, make([]int32, n-len(b.check))...)
	b.used = append(b.used, make([]uint64, (n+63)/64-len(b.used))...)
}

func (b *daBuilder) use(x, parent int32) {
	b.grow(int(x))
	b.used[x>>6] |= 1 << (x & 63)
	b.check[x] = parent
	if int(x) >= b.hw {
		b.hw = int(x) + 1
	}
	if int(x) == b.head {
		b.head = b.nextFree(b.head + 1)
	}
}

// findBase returns a base at which every label's slot is free.
func (b *daBuilder) findBase(labels []int32) int32 {
	c0 := int(labels[0])
	start := max(b.head, c0)
	if len(labels) > 1 {
		start = max(start, b.multiFrom+c0)
	}
	tries := 0
	for f := b.nextFree(start); ; f = b.nextFree(f + 1) {
		base := f - c0
		ok := true
		for _, c := range labels[1:] {
			if !b.free(base + int(c)) {
				ok = false
				break
			}
		}
		if ok {
			return int32(base)
		}
		if tries++; tries == maxTries {
			// This stretch is too full for nodes like this one: start
			// later ones further on, and take fresh slots now.
			b.multiFrom = max(b.multiFrom, f-c0)
			return int32(max(b.hw, c0) - c0)
		}
	}
}
