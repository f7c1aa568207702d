// Package kwgen generates keyword dictionaries and text for benchmarks:
// a dictionary of n entries, 70 % Chinese (2–8 characters) and 30 % Latin
// (one or two pseudo-words, 6 to 25 letters), and mixed Chinese and English prose-like text
// that holds some of the entries. Everything is generated from a seed, so
// a run is repeatable and no data is committed.
package kwgen

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
)

// Gen generates data from one seed.
type Gen struct {
	rng    *rand.Rand
	han    []rune // the Han pool, a fixed shuffle of the URO block
	hanZip *rand.Zipf
	words  []string // the English vocabulary, most frequent first
	wZip   *rand.Zipf
}

// textHan is how many of the pool's characters text draws from (Zipf);
// dictionaries draw uniformly from all of it.
const textHan = 4000

// New returns a generator.
func New(seed uint64) *Gen {
	g := &Gen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for r := rune(0x4e00); r <= 0x9fa5; r++ {
		if unicode.Is(unicode.Han, r) {
			g.han = append(g.han, r)
		}
	}
	fixed := rand.New(rand.NewPCG(1, 2)) // the same pool for every seed
	fixed.Shuffle(len(g.han), func(i, j int) { g.han[i], g.han[j] = g.han[j], g.han[i] })
	g.han = g.han[:7000]
	g.hanZip = rand.NewZipf(g.rng, 1.07, 8, textHan-1)
	g.words = append(g.words, function...)
	for len(g.words) < 5000 {
		g.words = append(g.words, g.pseudoWord(textSyllables, 2, 4))
	}
	g.wZip = rand.NewZipf(g.rng, 1.1, 4, uint64(len(g.words)-1))
	return g
}

var function = strings.Fields(`the of and to a in is it you that he was for on are with as his they be at
one have this from or had by hot word but what some we can out other were all there when up use your how
said an each she which do their time if will way about many then them write would like so these her long
make thing see him two has look more day could go come did number sound no most people my over know water
than call first who may down side been now find any new work part take get place made live where after back
little only round man year came show every good me give our under name very through just form sentence great
think say help low line differ turn cause much mean before move right boy old too same tell does set three
want air well also play small end put home read hand port large spell add even land here must big high such`)

// Text words and entries are made of different syllables, so that text
// holds the Latin entries planted into it and few others.
var (
	textSyllables = strings.Fields(`ka ri to na mi ser lo ven tra pol dex cor ban sil mar tek zu ho
fen gal lin qua vor shi nel bro tan pix rum del ost vi wen jor kle ast ul mo ref ian sto per gra hel`)
	dictSyllables = strings.Fields(`ab ex or im un ta be go du si ne ra po li ke mu za fo te ni
ga ve ro pa ki lu de sa mo hi tu ce bi wa ly jo qu xe ze`)
)

// pseudoWord returns a word of two to four syllables, 4 to 12 letters.
func (g *Gen) pseudoWord(syl []string, min, max int) string {
	for {
		var b strings.Builder
		for range min + g.rng.IntN(max-min+1) {
			b.WriteString(syl[g.rng.IntN(len(syl))])
		}
		if w := b.String(); len(w) >= 4 && len(w) <= 12 {
			return w
		}
	}
}

// hanLen draws the length of a Chinese entry: 2 to 8, mostly 3 or 4.
func (g *Gen) hanLen() int {
	switch x := g.rng.IntN(100); {
	case x < 15:
		return 2
	case x < 45:
		return 3
	case x < 75:
		return 4
	default:
		return 5 + g.rng.IntN(4)
	}
}

// Dictionary returns n distinct entries, 70 % Chinese, 30 % Latin.
func (g *Gen) Dictionary(n int) []string {
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	for len(out) < n {
		var e string
		if g.rng.IntN(10) < 7 {
			rs := make([]rune, g.hanLen())
			for i := range rs {
				rs[i] = g.han[g.rng.IntN(len(g.han))]
			}
			e = string(rs)
		} else {
			e = g.pseudoWord(dictSyllables, 3, 5)
			if g.rng.IntN(3) == 0 {
				e += " " + g.pseudoWord(dictSyllables, 2, 4)
			}
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// Text returns size bytes of text: paragraphs of Chinese and English
// drawn at random, with one of plant (dictionary entries) written into it
// about every 4 KiB. Chinese paragraphs use Chinese punctuation.
func (g *Gen) Text(size int, plant []string) []byte { return g.TextOf(size, plant, 50) }

// TextOf is Text with zh percent of its paragraphs Chinese.
func (g *Gen) TextOf(size int, plant []string, zh int) []byte {
	var b bytes.Buffer
	b.Grow(size + 4096)
	next := 4096
	for b.Len() < size {
		if g.rng.IntN(100) < zh {
			g.hanParagraph(&b)
		} else {
			g.enParagraph(&b)
		}
		if b.Len() >= next && len(plant) > 0 {
			b.WriteString(plant[g.rng.IntN(len(plant))])
			b.WriteString("\n")
			next += 4096
		}
	}
	return b.Bytes()[:size]
}

func (g *Gen) hanParagraph(b *bytes.Buffer) {
	for range 3 + g.rng.IntN(6) {
		for range 2 + g.rng.IntN(3) {
			for range 4 + g.rng.IntN(12) {
				b.WriteRune(g.han[g.hanZip.Uint64()])
			}
			b.WriteString("，")
		}
		b.Truncate(b.Len() - len("，"))
		b.WriteString("。")
	}
	b.WriteString("\n")
}

func (g *Gen) enParagraph(b *bytes.Buffer) {
	for range 3 + g.rng.IntN(6) {
		n := 6 + g.rng.IntN(14)
		for i := range n {
			w := g.words[g.wZip.Uint64()]
			if i == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
			switch {
			case i == n-1:
				b.WriteString(". ")
			case g.rng.IntN(12) == 0:
				b.WriteString(", ")
			default:
				b.WriteString(" ")
			}
		}
	}
	b.WriteString("\n")
}

// Sample returns k entries of dict, chosen at random.
func (g *Gen) Sample(dict []string, k int) []string {
	out := make([]string, k)
	for i := range out {
		out[i] = dict[g.rng.IntN(len(dict))]
	}
	return slices.Clip(out)
}
