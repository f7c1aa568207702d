package main

import (
	"slices"
	"strings"

	anknown "github.com/anknown/ahocorasick"

	bobu "github.com/BobuSumisu/aho-corasick"
	cloudflare "github.com/cloudflare/ahocorasick"
	coregx "github.com/coregx/ahocorasick"
	petar "github.com/petar-dambovaliev/aho-corasick"

	"github.com/ferryhq/ferry/inspect/keywords"
)

// engine builds a matcher of patterns and returns a scan that counts its
// matches in a text. raw engines get the dictionary file's lines and the
// raw text; the others normalised patterns and pre-normalised text.
type engine struct {
	name  string
	raw   bool
	build func(patterns []string) (scan func([]byte) int, note string)
}

var engines = []engine{
	{"ferry/keywords", true, buildKeywords},
	{"cloudflare/ahocorasick", false, buildCloudflare},
	{"petar-dambovaliev", false, buildPetar},
	{"BobuSumisu", false, buildBobu},
	{"coregx/ahocorasick", false, buildCoregx},
	{"anknown/ahocorasick", false, buildAnknown},
}

func engineNames() []string {
	var s []string
	for _, e := range engines {
		s = append(s, e.name)
	}
	return s
}

func engineByName(name string) (engine, bool) {
	for _, e := range engines {
		if e.name == name {
			return e, true
		}
	}
	return engine{}, false
}

// buildKeywords scans in 64 KiB pieces, as an upload arrives.
func buildKeywords(lines []string) (func([]byte) int, string) {
	d, err := keywords.Parse(strings.NewReader(strings.Join(lines, "\n")), "dict.txt")
	check(err)
	m, err := keywords.Compile(d)
	check(err)
	return func(text []byte) int {
		sc := m.NewScanner()
		for len(text) > 0 {
			k := min(len(text), 64<<10)
			sc.Write(text[:k])
			text = text[k:]
		}
		sc.Close()
		return sc.Count()
	}, "raw text, normalised while scanning, streamed in 64 KiB writes"
}

func buildCloudflare(patterns []string) (func([]byte) int, string) {
	m := cloudflare.NewStringMatcher(patterns)
	return func(text []byte) int { return len(m.Match(text)) }, "distinct patterns found"
}

func buildPetar(patterns []string) (func([]byte) int, string) {
	b := petar.NewAhoCorasickBuilder(petar.Opts{MatchKind: petar.LeftMostLongestMatch})
	ac := b.Build(patterns)
	return func(text []byte) int {
		n := 0
		for it := ac.IterByte(text); it.Next() != nil; {
			n++
		}
		return n
	}, "leftmost-longest"
}

func buildBobu(patterns []string) (func([]byte) int, string) {
	tr := bobu.NewTrieBuilder().AddStrings(patterns).Build()
	return func(text []byte) int { return len(tr.Match(text)) }, "all matches"
}

func buildCoregx(patterns []string) (func([]byte) int, string) {
	a, err := coregx.NewBuilder().SetMatchKind(coregx.LeftmostLongest).AddStrings(patterns).Build()
	check(err)
	return func(text []byte) int { return a.Count(text) }, "leftmost-longest"
}

// buildAnknown searches []rune: the text's conversion is done before the
// clock starts (prepare), as a caller holding runes would.
func buildAnknown(patterns []string) (func([]byte) int, string) {
	sorted := slices.Clone(patterns)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	keys := make([][]rune, 0, len(sorted))
	for _, p := range sorted {
		if p != "" {
			keys = append(keys, []rune(p))
		}
	}
	m := new(anknown.Machine)
	check(m.Build(keys))
	var runes []rune
	prepared = func(text []byte) { runes = []rune(string(text)) }
	return func([]byte) int { return len(m.MultiPatternSearch(runes, false)) }, "all matches; over []rune, converted before the clock starts"
}

// prepared, when an engine sets it, converts the text before the scan is
// timed.
var prepared func([]byte)
