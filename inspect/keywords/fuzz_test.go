package keywords

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets' seeds (f.Add and testdata/fuzz) run as ordinary tests
// with go test; CI also runs each target briefly:
//
//	go test -run '^$' -fuzz FuzzNormalize -fuzztime 10s ./inspect/keywords
//	go test -run '^$' -fuzz FuzzMatch -fuzztime 10s ./inspect/keywords

// FuzzNormalize checks that normalising gives valid UTF-8 with no
// separator left, is idempotent, and ignores separators between
// characters.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "ＡＢＣ机密", "機 密", "a\u200bb", "ﬁle Straße", "ｶﾞ", "①⑴½", "\xff\xe4\x80", "İΣς", "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: not UTF-8", s, n)
		}
		if Normalize(n) != n {
			t.Fatalf("Normalize(%q) = %q, Normalize of that = %q", s, n, Normalize(n))
		}
		if utf8.ValidString(s) {
			spaced := strings.Join(strings.Split(s, ""), "\u200b ")
			if got := Normalize(spaced); got != n {
				t.Fatalf("Normalize(%q) = %q, with separators %q", s, n, got)
			}
		}
	})
}

// FuzzMatch checks the automaton against the reference matcher on a
// dictionary and a text, scanned whole and in pieces of the sizes cuts
// gives, the state saved and restored between pieces.
func FuzzMatch(f *testing.F) {
	f.Add("机密\tsecret\n成人\n!成人教育\n", []byte("这是机 密，成人教育和成人"), []byte{3, 1, 7})
	f.Add("ab\nbcd\ncd\nsecret\n", []byte("abcd secret secretary"), []byte{1, 1, 1, 2})
	f.Add("甲乙\n乙丙丁\n丙丁\n!乙丙\n", []byte("甲乙丙丁"), []byte{2, 5})
	f.Add("ﬁle\nfi\n", []byte("ﬁle fi"), []byte{0, 2})
	f.Fuzz(func(t *testing.T, dict string, text, cuts []byte) {
		if len(dict) > 400 || len(text) > 400 || len(cuts) > 64 {
			return
		}
		d, err := Parse(strings.NewReader(dict), "f.txt")
		if err != nil || len(d.Entries) > 32 {
			return
		}
		m, err := Options{MaxGap: 3}.Compile(d)
		if err != nil {
			t.Fatal(err)
		}
		want := refScan([]*Dictionary{d}, text, 3)
		if got := m.Scan(text); !sameHits(got, want) {
			t.Fatalf("Scan: %+v, want %+v", got, want)
		}
		sc := m.NewScanner()
		var got []Hit
		rest := text
		for _, c := range cuts {
			k := min(int(c)%16, len(rest))
			sc.Write(rest[:k])
			rest = rest[k:]
			got = append(got, sc.Hits()...)
			state, err := sc.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if sc, err = m.ResumeScanner(state); err != nil {
				t.Fatalf("resume %x: %v", state, err)
			}
		}
		sc.Write(rest)
		sc.Close()
		got = append(got, sc.Hits()...)
		if !sameHits(got, want) {
			t.Fatalf("in pieces %v: %+v, want %+v", cuts, got, want)
		}
	})
}

func sameHits(a, b []Hit) bool { return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b) }

// FuzzState checks that any bytes given as a saved state either fail to
// restore or give a scanner that scans without panicking.
func FuzzState(f *testing.F) {
	m := mustMatcher(f, "机密\n成人\n!成人教育\nsecret\n")
	for _, text := range []string{"", "机", "成人教", "secre", "机\xe4"} {
		sc := m.NewScanner()
		sc.Write([]byte(text))
		state, _ := sc.MarshalBinary()
		f.Add(state)
	}
	f.Fuzz(func(t *testing.T, state []byte) {
		sc, err := m.ResumeScanner(state)
		if err != nil {
			return
		}
		sc.Write([]byte("密育 secret 机密"))
		sc.Close()
		if _, err := sc.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
	})
}
