package keywords

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// alphabetForTests mixes the cases the rules distinguish: Latin letters
// (word characters, case and width variants), Han (traditional and
// simplified forms), digits, separators of several kinds, a letter no
// entry has, and a ligature that expands.
var (
	entryPieces = []string{"a", "b", "c", "ab", "机", "密", "機", "成", "人", "教", "育", "1"}
	textPieces  = []string{"a", "b", "c", "A", "Ｂ", "机", "密", "機", "成", "人", "教", "育", "1",
		" ", "*", "\u200b", "-", "x", "ﬁ", "\n", "é", "。", "\xe4", "\xff"}
)

func randomDict(rng *rand.Rand, n int) *Dictionary {
	var b strings.Builder
	for range n {
		allow := rng.IntN(4) == 0
		if allow {
			b.WriteString("!")
		}
		for range 1 + rng.IntN(4) {
			b.WriteString(entryPieces[rng.IntN(len(entryPieces))])
		}
		if !allow {
			fmt.Fprintf(&b, "\tc%d", rng.IntN(3))
		}
		b.WriteString("\n")
	}
	d, err := Parse(strings.NewReader(b.String()), "r.txt")
	if err != nil {
		panic(err)
	}
	return d
}

func randomText(rng *rand.Rand, n int) []byte {
	var b strings.Builder
	for range n {
		b.WriteString(textPieces[rng.IntN(len(textPieces))])
	}
	return []byte(b.String())
}

// scanChunked scans text in random pieces, saving and restoring the
// scanner's state between some of them.
func scanChunked(t testing.TB, m *Matcher, text []byte, rng *rand.Rand) ([]Hit, string) {
	sc := m.NewScanner()
	var hits []Hit
	var plan strings.Builder
	for len(text) > 0 {
		k := min(len(text), rng.IntN(8))
		sc.Write(text[:k])
		fmt.Fprintf(&plan, "%q ", text[:k])
		text = text[k:]
		if rng.IntN(3) == 0 {
			plan.WriteString("| ")
			hits = append(hits, sc.Hits()...)
			state, err := sc.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			sc, err = m.ResumeScanner(state)
			if err != nil {
				t.Fatalf("resume %x: %v", state, err)
			}
		}
	}
	sc.Close()
	return append(hits, sc.Hits()...), plan.String()
}

var randomCases = flag.Int("random", 3000, "cases of TestAgainstReference")

// TestAgainstReference compares the automaton, scanning whole texts and
// texts in random pieces with saved and restored states, with the
// reference matcher on random dictionaries and texts.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range *randomCases {
		d := randomDict(rng, 1+rng.IntN(12))
		gap := 1 + rng.IntN(3)
		m, err := Options{MaxGap: gap}.Compile(d)
		if err != nil {
			t.Fatal(err)
		}
		text := randomText(rng, rng.IntN(40))
		want := refScan([]*Dictionary{d}, text, gap)
		if got := m.Scan(text); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("case %d: dictionary %q gap %d\ntext %q\n got %+v\nwant %+v", i, entriesOf(d), gap, text, got, want)
		}
		if got, plan := scanChunked(t, m, text, rng); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("case %d chunked: dictionary %q gap %d\ntext %q\nin %s (| resumes)\n got %+v\nwant %+v", i, entriesOf(d), gap, text, plan, got, want)
		}
	}
}

func entriesOf(d *Dictionary) []string {
	var s []string
	for _, e := range d.Entries {
		if e.Allow {
			s = append(s, "!"+e.Text)
		} else {
			s = append(s, e.Text+"/"+e.Category)
		}
	}
	return s
}

// TestWideNodes compares with the reference where nodes are wide: many
// entries share their first characters, so those nodes keep their
// children in hash tables behind filters.
func TestWideNodes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	han := func() rune { return rune(0x4e00 + rng.IntN(3000)) }
	var b strings.Builder
	firsts := []rune{'机', '密', '成'}
	for i := range 2000 {
		if i%9 == 0 {
			b.WriteString("!")
		}
		b.WriteRune(firsts[i%3])
		for range 1 + rng.IntN(3) {
			b.WriteRune(han())
		}
		b.WriteString("\n")
	}
	d, err := Parse(strings.NewReader(b.String()), "wide.txt")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.filter) == 0 {
		t.Fatal("no wide node")
	}
	for i := range 300 {
		var text strings.Builder
		for range rng.IntN(60) {
			switch rng.IntN(4) {
			case 0:
				text.WriteRune(firsts[rng.IntN(3)])
			case 1:
				text.WriteString(" ")
			default:
				text.WriteRune(han())
			}
		}
		want := refScan([]*Dictionary{d}, []byte(text.String()), 0)
		if got := m.ScanString(text.String()); !sameHits(got, want) {
			t.Fatalf("case %d: text %q\n got %+v\nwant %+v", i, text.String(), got, want)
		}
		if got, plan := scanChunked(t, m, []byte(text.String()), rng); !sameHits(got, want) {
			t.Fatalf("case %d chunked %s: text %q\n got %+v\nwant %+v", i, plan, text.String(), got, want)
		}
	}
}
