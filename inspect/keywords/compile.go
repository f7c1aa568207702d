package keywords

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// DefaultMaxGap is how many separators may stand between two characters of
// an entry unless Options say otherwise: "机 密", "机**密" and "机 - 密"
// match 机密; a longer run of separators ends a match.
const DefaultMaxGap = 16

// Options tune Compile. The zero value is the default.
type Options struct {
	// MaxGap is how many separators (1 to 255) may stand between two
	// characters of an entry; 0 means DefaultMaxGap.
	MaxGap int
}

// Compile builds the matcher of the dictionaries with default options.
func Compile(dicts ...*Dictionary) (*Matcher, error) { return Options{}.Compile(dicts...) }

// rawKey is an entry on its way into the automaton: its normalised
// characters are flat[off:off+n].
type rawKey struct {
	off   int32
	n     uint8
	allow bool
	dict  uint16
	idx   int32
}

// Compile builds one matcher of all the dictionaries' entries. Entries are
// normalised (see Normalize); two that normalise alike are one entry: an
// allow entry wins over a block entry, and otherwise the first (by
// dictionary, then line) keeps its category. An entry with no letter or
// digit, or longer than MaxEntryLen, is an error (*ParseError), as Parse
// reports it.
func (o Options) Compile(dicts ...*Dictionary) (*Matcher, error) {
	gap := o.MaxGap
	if gap == 0 {
		gap = DefaultMaxGap
	}
	if gap < 1 || gap > 255 {
		return nil, fmt.Errorf("keywords: max gap %d: want 1 to 255", o.MaxGap)
	}
	if len(dicts) > 1<<16 {
		return nil, fmt.Errorf("keywords: %d dictionaries: at most %d", len(dicts), 1<<16)
	}
	flat, keys, err := normalizeEntries(dicts)
	if err != nil {
		return nil, err
	}
	alpha, runes := alphabet(flat)
	for i, r := range flat {
		flat[i] = alpha[r]
	}
	syms := flat // now symbols
	order := sortKeys(syms, keys)
	m := &Matcher{maxGap: int32(gap)}
	tk, err := m.takeEntries(dicts, syms, keys, order)
	if err != nil {
		return nil, err
	}
	m.setWordFlags(tk, runes)
	m.version, m.fp = m.hashVersion(gap, tk, runes)
	word := make([]bool, len(runes))
	for i, r := range runes {
		word[i] = i > 0 && isWordRune(r)
	}
	a, err := buildAutomaton(tk, int32(len(runes)-1), word)
	if err != nil {
		return nil, err
	}
	m.trans, m.outs = a.trans, a.outs
	hugeSlice(m.nodes)
	hugeSlice(m.wide)
	hugeSlice(m.filter)
	m.tab = newSymTable(folds(), alpha)
	m.stats.Alphabet = len(runes) - 1
	m.stats.States = a.states
	m.stats.Slots = len(a.nodes)
	m.stats.Bytes = m.size()
	return m, nil
}

// normalizeEntries normalises every entry into one flat slice.
func normalizeEntries(dicts []*Dictionary) ([]rune, []rawKey, error) {
	n := 0
	for _, d := range dicts {
		n += len(d.Entries)
	}
	flat := make([]rune, 0, 4*n)
	keys := make([]rawKey, 0, n)
	for di, d := range dicts {
		for ei, e := range d.Entries {
			off := len(flat)
			flat = normalizeRunes(flat, e.Text)
			k := len(flat) - off
			msg := ""
			switch {
			case k == 0:
				msg = fmt.Sprintf("entry %q has no letters or digits", e.Text)
			case k > MaxEntryLen:
				msg = fmt.Sprintf("entry has %d characters once normalised: at most %d", k, MaxEntryLen)
			case !e.Allow:
				msg = checkCategory(e.Category)
			}
			if msg != "" {
				return nil, nil, &ParseError{Source: d.Source, Line: e.Line, Msg: msg}
			}
			if len(flat) > 1<<31-1-MaxEntryLen {
				return nil, nil, fmt.Errorf("keywords: dictionaries too large")
			}
			keys = append(keys, rawKey{off: int32(off), n: uint8(k), allow: e.Allow, dict: uint16(di), idx: int32(ei)})
		}
	}
	return flat, keys, nil
}

// alphabet numbers the distinct characters of the entries from 1, most
// frequent first, and returns the numbering and its inverse (runes[0] is
// unused: symbol 0 is any other letter or digit).
func alphabet(flat []rune) (map[rune]int32, []rune) {
	count := make([]int32, lastComputed+1)
	var runes []rune
	for _, r := range flat {
		if count[r] == 0 {
			runes = append(runes, r)
		}
		count[r]++
	}
	slices.SortFunc(runes, func(a, b rune) int {
		if count[a] != count[b] {
			return int(count[b] - count[a])
		}
		return int(a - b)
	})
	alpha := make(map[rune]int32, len(runes))
	for i, r := range runes {
		alpha[r] = int32(i + 1)
	}
	return alpha, append([]rune{0}, runes...)
}

// sortKeys orders the keys by their symbols; among equal ones allow
// entries come first, then by dictionary and line.
func sortKeys(syms []int32, keys []rawKey) []int32 {
	order := make([]int32, len(keys))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int {
		a, b := &keys[x], &keys[y]
		if c := slices.Compare(syms[a.off:a.off+int32(a.n)], syms[b.off:b.off+int32(b.n)]); c != 0 {
			return c
		}
		if a.allow != b.allow {
			if a.allow {
				return -1
			}
			return 1
		}
		return int(x - y)
	})
	return order
}

// takeEntries keeps the first of each run of equal keys, records its
// metadata as entry i of m in sorted order, and returns the trie keys.
func (m *Matcher) takeEntries(dicts []*Dictionary, syms []int32, keys []rawKey, order []int32) (*trieKeys, error) {
	tk := &trieKeys{off: []int32{0}}
	tk.syms = make([]int32, 0, len(syms))
	cats := map[string]uint16{}
	srcs := map[string]uint16{}
	var texts strings.Builder
	m.textOff = []uint32{0}
	var prev []int32
	for _, x := range order {
		k := &keys[x]
		s := syms[k.off : k.off+int32(k.n)]
		if prev != nil && slices.Equal(prev, s) {
			m.stats.Duplicates++
			continue
		}
		prev = s
		d := dicts[k.dict]
		e := &d.Entries[k.idx]
		meta := entryMeta{line: uint32(e.Line)}
		if k.allow {
			meta.flags |= flagAllow
			m.stats.Allow++
		} else {
			m.stats.Entries++
			cat := e.Category
			if cat == "" {
				cat = DefaultCategory
			}
			c, ok := cats[cat]
			if !ok {
				if len(m.cats) == 1<<16 {
					return nil, fmt.Errorf("keywords: more than %d categories", 1<<16)
				}
				c = uint16(len(m.cats))
				cats[cat] = c
				m.cats = append(m.cats, cat)
			}
			meta.cat = c
		}
		src, ok := srcs[d.Source]
		if !ok {
			src = uint16(len(m.srcs))
			srcs[d.Source] = src
			m.srcs = append(m.srcs, d.Source)
		}
		meta.src = src
		m.meta = append(m.meta, meta)
		texts.WriteString(e.Text)
		if texts.Len() > 1<<32-1 {
			return nil, fmt.Errorf("keywords: dictionaries too large")
		}
		m.textOff = append(m.textOff, uint32(texts.Len()))
		tk.syms = append(tk.syms, s...)
		tk.off = append(tk.off, int32(len(tk.syms)))
	}
	m.texts = texts.String()
	return tk, nil
}

// setWordFlags records which entries start or end with a word character.
func (m *Matcher) setWordFlags(tk *trieKeys, runes []rune) {
	for i := range m.meta {
		first, last := tk.syms[tk.off[i]], tk.syms[tk.off[i+1]-1]
		if isWordRune(runes[first]) {
			m.meta[i].flags |= flagStartWord
		}
		if isWordRune(runes[last]) {
			m.meta[i].flags |= flagEndWord
		}
	}
}

// hashVersion hashes what decides matching: the rules, the gap, and each
// entry's normalised characters, kind and category.
func (m *Matcher) hashVersion(gap int, tk *trieKeys, runes []rune) (string, uint64) {
	h := sha256.New()
	fmt.Fprintf(h, "ferry keywords\x00%s\x00%s\x00%d\x00", normVersion, unicode.Version, gap)
	var buf []byte
	for i := range m.meta {
		buf = buf[:0]
		for _, s := range tk.syms[tk.off[i]:tk.off[i+1]] {
			buf = binary.AppendUvarint(buf, uint64(runes[s]))
		}
		buf = append(buf, 0, m.meta[i].flags&flagAllow)
		if m.meta[i].flags&flagAllow == 0 {
			buf = append(buf, m.cats[m.meta[i].cat]...)
		}
		buf = append(buf, 0)
		h.Write(buf)
	}
	sum := h.Sum(nil)
	return "kw1-" + hex.EncodeToString(sum[:16]), binary.BigEndian.Uint64(sum)
}
