package keywords

import (
	"strconv"
	"unsafe"
)

// Matcher finds the entries of compiled dictionaries in text. It is
// immutable and safe for concurrent use; each scan has its own Scanner.
type Matcher struct {
	trans
	outs    []outRec
	meta    []entryMeta // by entry, in sorted order
	textOff []uint32    // entry i is texts[textOff[i]:textOff[i+1]]
	texts   string
	cats    []string
	srcs    []string
	tab     *symTable
	maxGap  int32
	version string
	fp      uint64 // the first 8 bytes of the version hash
	stats   Stats
}

// entryMeta is what a hit reports of an entry, and its flags.
type entryMeta struct {
	line  uint32
	cat   uint16
	src   uint16
	flags uint8
}

const (
	flagAllow     = 1 << 0
	flagStartWord = 1 << 1 // the first character is a word character
	flagEndWord   = 1 << 2 // the last character is a word character
)

// Stats describe a compiled matcher.
type Stats struct {
	Entries    int   // block entries
	Allow      int   // allow entries
	Duplicates int   // entries dropped because another normalised alike
	Alphabet   int   // distinct normalised characters in the entries
	States     int   // nodes of the automaton
	Slots      int   // slots of its double array (States plus free slots)
	Bytes      int64 // memory the matcher holds
}

// Hit is an occurrence of a block entry.
type Hit struct {
	// Category is the entry's category.
	Category string
	// Entry is the entry as its dictionary writes it (which may differ
	// from the text: 機密 for 机 密). Whether a sender may see it is
	// policy: see Config.ShowEntry.
	Entry string
	// Source is the entry's dictionary and line, "words.txt:12".
	Source string
	// Offset is where the occurrence starts, in bytes of the input
	// (counted from the first byte written to the Scanner, or from the
	// start of a resumed one's original input).
	Offset int64
	// Length is its length in bytes, to the end of its last character
	// (separators inside it included).
	Length int64
}

// Version identifies what the matcher matches: a hash of its normalised
// entries, their kinds and categories, the options and the normalisation
// rules. Matchers compiled from dictionaries that differ only in layout,
// comments, order of lines or the spelling of variants have one version.
// A saved Scanner state resumes only under the same version.
func (m *Matcher) Version() string { return m.version }

// Stats returns the matcher's statistics.
func (m *Matcher) Stats() Stats { return m.stats }

// size estimates the bytes m holds.
func (m *Matcher) size() int64 {
	n := int64(len(m.nodes))*int64(unsafe.Sizeof(node{})) +
		int64(len(m.wide))*int64(unsafe.Sizeof(wideEdge{})) + int64(len(m.filter))*8 +
		int64(len(m.root))*8 +
		int64(len(m.outs))*int64(unsafe.Sizeof(outRec{})) +
		int64(len(m.meta))*int64(unsafe.Sizeof(entryMeta{})) +
		int64(len(m.textOff))*4 + int64(len(m.texts))
	if m.tab != nil {
		n += int64(m.tab.owned)*1024 + int64(unsafe.Sizeof(*m.tab))
	}
	return n
}

// hit returns the Hit of entry e at [start, end) bytes.
func (m *Matcher) hit(e int32, start, end int64) Hit {
	md := &m.meta[e]
	return Hit{
		Category: m.cats[md.cat],
		Entry:    m.texts[m.textOff[e]:m.textOff[e+1]],
		Source:   m.srcs[md.src] + ":" + strconv.Itoa(int(md.line)),
		Offset:   start,
		Length:   end - start,
	}
}

// Scan returns the hits in the text p (see the package documentation for
// which), at most MaxHits of them.
func (m *Matcher) Scan(p []byte) []Hit {
	sc := m.NewScanner()
	sc.Write(p)
	sc.Close()
	return sc.Hits()
}

// ScanString is Scan of a string.
func (m *Matcher) ScanString(s string) []Hit {
	return m.Scan(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// MatchName returns the first hit in a file name, or nil. The whole name
// is scanned, extension included.
func (m *Matcher) MatchName(name string) *Hit {
	sc := m.NewScanner()
	sc.limit = 1
	sc.Write(unsafe.Slice(unsafe.StringData(name), len(name)))
	sc.Close()
	return sc.Hit()
}
