package keywords

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// normVersion names the normalisation rules below. It is part of every
// Matcher's Version, so that a change of the rules (or of the Unicode
// tables they are computed from) shows as a new version.
const normVersion = "norm1"

// A character of the input is either a separator, skipped between the
// characters of an entry, or one or more normalised characters. The rules,
// applied to each input character on its own:
//
//  1. Letters (Unicode L*) and numbers (N*) are characters; everything else
//     is a separator: spaces, punctuation, symbols, controls, format
//     characters (U+200B–U+200D, U+2060, U+FEFF, …), combining marks,
//     private-use and unassigned code points, and invalid UTF-8.
//  2. Compatibility forms are unfolded (NFKC): full-width ASCII and
//     half-width katakana take their usual width, ligatures such as "ﬁ"
//     become "fi", "①" becomes "1", compatibility ideographs their unified
//     form. What NFKC produces that is not a letter or number is dropped
//     ("⑴" → "1").
//  3. Diacritics come off: a letter whose canonical decomposition is a
//     base letter and combining marks becomes the base letter ("é" → "e",
//     "ガ" → "カ"). Hangul syllables stay whole.
//  4. Case is folded: a letter becomes the lower case of its upper case
//     ("A" → "a", "ſ" → "s", "Σ"/"ς" → "σ", "İ" → "i").
//  5. Traditional Chinese characters become simplified ones, one character
//     at a time, by OpenCC's table (see t2s_table.go for the 56 that have
//     more than one simplified form: the usual one is taken).
//
// The rules are applied again to their own result until it no longer
// changes, so normalising is idempotent.
//
// Characters of scripts that separate words by spaces — all but Han,
// kana, Bopomofo, Thai, Lao, Khmer and Myanmar — and digits are word
// characters: an entry that starts (ends) with one matches only where the
// character before (after) it is not one (see the package documentation).

// foldEntry describes one input rune: its kind in the top two bits, the
// word flag, and for a single character its code point as a signed
// difference from the input's (so that blocks of unchanged characters are
// alike), or for an expansion an index into foldTable.exps.
type foldEntry uint32

const (
	kindSep    = 0
	kindChar   = 1
	kindExpand = 2

	kindShift = 30
	wordFlag  = 1 << 29
	valueMask = 1<<23 - 1
)

func (e foldEntry) kind() uint32 { return uint32(e) >> kindShift }
func (e foldEntry) word() bool   { return e&wordFlag != 0 }

// delta is the signed difference of a kindChar entry.
func (e foldEntry) delta() rune { return rune(int32(uint32(e)<<9) >> 9) }

// foldTable maps every rune to its foldEntry in two stages: blocks of 256.
type foldTable struct {
	stage1 [(unicode.MaxRune + 1) >> 8]uint16
	blocks []foldEntry
	exps   [][]rune
}

func (t *foldTable) entry(r rune) foldEntry {
	return t.blocks[int(t.stage1[r>>8])<<8|int(r&0xff)]
}

// folds is the table, built once (about 50 ms) on first use.
var folds = sync.OnceValue(buildFoldTable)

// lastComputed is the end of the code points computed one by one: planes
// 0–3 hold every letter and number; above them are tags and variation
// selectors (plane 14) and private use (planes 15–16), all separators.
const lastComputed = 0x3ffff

func buildFoldTable() *foldTable {
	t := &foldTable{}
	seen := map[[256]foldEntry]uint16{}
	expIndex := map[string]int{}
	var blk [256]foldEntry
	for hi := 0; hi < len(t.stage1); hi++ {
		blk = [256]foldEntry{}
		if hi<<8 <= lastComputed {
			for lo := range 256 {
				r := rune(hi<<8 | lo)
				blk[lo] = encodeFold(r, fixFold(r), expIndex, &t.exps)
			}
		}
		id, ok := seen[blk]
		if !ok {
			id = uint16(len(t.blocks) >> 8)
			seen[blk] = id
			t.blocks = append(t.blocks, blk[:]...)
		}
		t.stage1[hi] = id
	}
	return t
}

func encodeFold(r rune, out []rune, expIndex map[string]int, exps *[][]rune) foldEntry {
	switch len(out) {
	case 0:
		return kindSep << kindShift
	case 1:
		e := foldEntry(kindChar<<kindShift | uint32(out[0]-r)&valueMask)
		if isWordRune(out[0]) {
			e |= wordFlag
		}
		return e
	}
	k := string(out)
	i, ok := expIndex[k]
	if !ok {
		i = len(*exps)
		expIndex[k] = i
		*exps = append(*exps, out)
	}
	e := foldEntry(kindExpand<<kindShift | uint32(i))
	if isWordRune(out[0]) {
		e |= wordFlag
	}
	return e
}

// fixFold applies foldRune to r, then to each character of its result,
// until nothing changes.
func fixFold(r rune) []rune {
	out := foldRune(r)
	for range 4 {
		var next []rune
		changed := false
		for _, q := range out {
			f := foldRune(q)
			if len(f) != 1 || f[0] != q {
				changed = true
			}
			next = append(next, f...)
		}
		if !changed {
			return out
		}
		out = next
	}
	return out
}

// foldRune applies rules 1 to 5 once.
func foldRune(r rune) []rune {
	if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
		return nil
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	src := []rune{r}
	if norm.NFKC.QuickSpan(buf[:n]) != n {
		src = []rune(norm.NFKC.String(string(r)))
	}
	out := make([]rune, 0, len(src))
	for _, q := range src {
		if !unicode.IsLetter(q) && !unicode.IsNumber(q) {
			continue
		}
		q = stripMarks(q)
		q = unicode.ToLower(unicode.ToUpper(q))
		if s, ok := t2sMap()[q]; ok {
			q = s
		}
		out = append(out, q)
	}
	return out
}

// stripMarks returns the base letter of q when q decomposes canonically
// into one letter and combining marks, else q.
func stripMarks(q rune) rune {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], q)
	if norm.NFD.QuickSpan(buf[:n]) == n {
		return q
	}
	d := []rune(norm.NFD.String(string(q)))
	if len(d) < 2 || !unicode.IsLetter(d[0]) {
		return q
	}
	for _, m := range d[1:] {
		if !unicode.Is(unicode.M, m) {
			return q
		}
	}
	return d[0]
}

// unspaced are the scripts written without spaces between words: their
// characters are not word characters.
var unspaced = []*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana,
	unicode.Bopomofo, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar}

// isWordRune reports whether the normalised character q is a word
// character: a letter or number of a script that separates words by
// spaces, or a digit.
func isWordRune(q rune) bool {
	if unicode.IsDigit(q) {
		return true
	}
	if !unicode.IsLetter(q) && !unicode.IsNumber(q) {
		return false
	}
	return !unicode.In(q, unspaced...) && q != 'ー' && q != '々' && q != '〆'
}

// Normalize returns s as the matcher sees it: its characters normalised by
// the rules above, its separators removed. Entries are stored, and text is
// matched, in this form: two strings match alike exactly when their
// normalised forms are equal. Invalid UTF-8 counts as separators.
func Normalize(s string) string {
	t := folds()
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == utf8.RuneError {
			continue // also U+FFFD itself: a symbol, so a separator
		}
		e := t.entry(r)
		switch e.kind() {
		case kindChar:
			b.WriteRune(r + e.delta())
		case kindExpand:
			for _, q := range t.exps[e&valueMask] {
				b.WriteRune(q)
			}
		}
	}
	return b.String()
}

// normalizeRunes appends the normalised characters of s to dst.
func normalizeRunes(dst []rune, s string) []rune {
	t := folds()
	for _, r := range s {
		if r == utf8.RuneError {
			continue
		}
		e := t.entry(r)
		switch e.kind() {
		case kindChar:
			dst = append(dst, r+e.delta())
		case kindExpand:
			dst = append(dst, t.exps[e&valueMask]...)
		}
	}
	return dst
}
