package keywords

import "sync"

// symTable maps every input rune straight to what the automaton needs: a
// separator, a character with its symbol (its index in the matcher's
// alphabet; 0 for a letter or digit no entry has), or an expansion into
// several symbols. It is foldTable composed with the alphabet.
//
// An entry is kind<<kindShift | word flag | symbol or expansion index.
//
// Its rows of 256 runes are shared: a matcher owns only the rows where its
// alphabet differs from the empty alphabet's, and points at the shared
// ones for the rest (some 350 kB).
type symTable struct {
	ascii [128]uint32
	// asciiWord tells the bytes that are ASCII word characters.
	asciiWord [256]bool
	rows      [len(foldTable{}.stage1)]*[256]uint32
	exps      [][]uint32 // each symbol as a kindChar entry
	owned     int        // rows of its own
}

const symMask = 1<<24 - 1

func (t *symTable) lookup(r rune) uint32 { return t.rows[r>>8][r&0xff] }

// baseTable is the symTable of an empty alphabet — every letter and digit
// symbol 0 — and the inverse of the fold table, from which a matcher's
// table is made by setting the runes that fold to its alphabet.
type baseTable struct {
	symTable
	// from lists, for each rune that other runes fold to, those runes
	// (the rune itself excluded).
	from map[rune][]rune
}

var baseSyms = sync.OnceValue(func() *baseTable {
	ft := folds()
	bt := &baseTable{from: map[rune][]rune{}}
	seen := map[[256]uint32]*[256]uint32{}
	var blk [256]uint32
	for hi := range bt.rows {
		blk = [256]uint32{}
		if hi<<8 <= lastComputed {
			for lo := range 256 {
				r := rune(hi<<8 | lo)
				e := ft.entry(r)
				switch e.kind() {
				case kindChar:
					q := r + e.delta()
					blk[lo] = kindChar<<kindShift | uint32(e&wordFlag)
					if q != r {
						bt.from[q] = append(bt.from[q], r)
					}
				case kindExpand:
					blk[lo] = uint32(e) // the same index into ft.exps
				}
			}
		}
		row, ok := seen[blk]
		if !ok {
			row = new([256]uint32)
			*row = blk
			seen[blk] = row
		}
		bt.rows[hi] = row
	}
	return bt
})

// newSymTable composes the fold table with the alphabet (symbol of each
// normalised rune, from 1).
func newSymTable(ft *foldTable, alpha map[rune]int32) *symTable {
	bt := baseSyms()
	t := &symTable{rows: bt.rows}
	own := map[int]bool{}
	set := func(r rune, e uint32) {
		hi := int(r >> 8)
		if !own[hi] {
			own[hi] = true
			row := *t.rows[hi]
			t.rows[hi] = &row
			t.owned++
		}
		t.rows[hi][r&0xff] = e
	}
	symOf := func(q rune) uint32 {
		s := uint32(alpha[q])
		if isWordRune(q) {
			s |= wordFlag
		}
		return kindChar<<kindShift | s
	}
	for q := range alpha {
		e := symOf(q)
		if f := ft.entry(q); f.kind() == kindChar && f.delta() == 0 {
			set(q, e)
		}
		for _, r := range bt.from[q] {
			set(r, e)
		}
	}
	t.exps = make([][]uint32, len(ft.exps))
	for i, rs := range ft.exps {
		for _, q := range rs {
			t.exps[i] = append(t.exps[i], symOf(q))
		}
	}
	for c := range t.ascii {
		t.ascii[c] = t.lookup(rune(c))
		t.asciiWord[c] = t.ascii[c]>>kindShift == kindChar && t.ascii[c]&wordFlag != 0
	}
	return t
}
