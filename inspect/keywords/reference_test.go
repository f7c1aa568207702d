package keywords

import (
	"cmp"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The reference matcher: the semantics of the package documentation,
// written as plainly as possible (every entry tried at every position), to
// check the automaton against.

// refSym is one normalised character of the text.
type refSym struct {
	r        rune
	off, end int64 // its input character's bytes
	word     bool
	adjacent bool // no separator between it and the character before
	brk      bool // more than the gap of separators before it
}

func refSymbols(text []byte, maxGap int) []refSym {
	ft := folds()
	var out []refSym
	gap := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		e := ft.entry(r)
		var rs []rune
		switch e.kind() {
		case kindChar:
			rs = []rune{r + e.delta()}
		case kindExpand:
			rs = ft.exps[e&valueMask]
		}
		if len(rs) == 0 {
			gap++
		}
		for _, q := range rs {
			out = append(out, refSym{r: q, off: int64(i), end: int64(i + size), word: isWordRune(q),
				adjacent: gap == 0, brk: gap > maxGap})
			gap = 0
		}
		i += size
	}
	return out
}

type refEntry struct {
	runes    []rune
	allow    bool
	text     string
	category string
	source   string
}

// refEntries dedupes as Compile does: an allow entry wins, else the first.
func refEntries(dicts []*Dictionary) []refEntry {
	var out []refEntry
	index := map[string]int{}
	for _, d := range dicts {
		for _, e := range d.Entries {
			rs := normalizeRunes(nil, e.Text)
			k := string(rs)
			re := refEntry{runes: rs, allow: e.Allow, text: e.Text, category: e.Category,
				source: d.Source + ":" + strconv.Itoa(e.Line)}
			if re.category == "" && !re.allow {
				re.category = DefaultCategory
			}
			if i, ok := index[k]; ok {
				if e.Allow && !out[i].allow {
					out[i] = re
				}
				continue
			}
			index[k] = len(out)
			out = append(out, re)
		}
	}
	return out
}

type refOcc struct {
	a, z int // first and last symbol
	e    int
}

// refScan returns the hits of the text.
func refScan(dicts []*Dictionary, text []byte, maxGap int) []Hit {
	if maxGap == 0 {
		maxGap = DefaultMaxGap
	}
	ents := refEntries(dicts)
	syms := refSymbols(text, maxGap)
	prevWord := func(i int) bool { return i > 0 && syms[i].adjacent && syms[i-1].word }
	nextWord := func(i int) bool { return i+1 < len(syms) && syms[i+1].adjacent && syms[i+1].word }
	var blocks, allows []refOcc
	for a := range syms {
		for ei, e := range ents {
			z := a + len(e.runes) - 1
			if z >= len(syms) {
				continue
			}
			ok := true
			for j, q := range e.runes {
				if syms[a+j].r != q || j > 0 && syms[a+j].brk {
					ok = false
					break
				}
			}
			if !ok || isWordRune(e.runes[0]) && prevWord(a) || isWordRune(e.runes[len(e.runes)-1]) && nextWord(z) {
				continue
			}
			if e.allow {
				allows = append(allows, refOcc{a, z, ei})
			} else {
				blocks = append(blocks, refOcc{a, z, ei})
			}
		}
	}
	var free []refOcc
	for _, b := range blocks {
		if !slices.ContainsFunc(allows, func(w refOcc) bool { return w.a <= b.a && w.z >= b.z }) {
			free = append(free, b)
		}
	}
	slices.SortFunc(free, func(x, y refOcc) int {
		return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(y.z, x.z))
	})
	var hits []Hit
	next := 0
	for _, o := range free {
		if o.a < next {
			continue
		}
		e := ents[o.e]
		hits = append(hits, Hit{Category: e.category, Entry: e.text, Source: e.source,
			Offset: syms[o.a].off, Length: syms[o.z].end - syms[o.a].off})
		next = o.z + 1
	}
	return hits
}
