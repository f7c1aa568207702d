package keywords

import (
	"strings"
	"testing"
)

// mustMatcher compiles a dictionary written as its file would be.
func mustMatcher(tb testing.TB, dict string) *Matcher {
	tb.Helper()
	d, err := Parse(strings.NewReader(dict), "words.txt")
	if err != nil {
		tb.Fatal(err)
	}
	m, err := Compile(d)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// span is a hit as the tests write it: the entry and the text it covers.
type span struct{ entry, text string }

func spans(text string, hits []Hit) []span {
	var s []span
	for _, h := range hits {
		s = append(s, span{h.Entry, text[h.Offset : h.Offset+h.Length]})
	}
	return s
}

func TestScanSemantics(t *testing.T) {
	const dict = `# the test dictionary
机密	secret
机密文件	secret
成人	adult
!成人教育
教育部	ministry
甲乙
乙丙丁
丙丁
secret	secret
ass	rude
Ａｌｐｈａ	greek
機要	secret
ﬁle	latin
!top secret
`
	m := mustMatcher(t, dict)
	for _, tc := range []struct {
		name, text string
		want       []span
	}{
		{"plain", "这是机密", []span{{"机密", "机密"}}},
		{"traditional text", "這是機密", []span{{"机密", "機密"}}},
		{"full width latin", "ＳＥＣＲＥＴ", []span{{"secret", "ＳＥＣＲＥＴ"}}},
		{"upper case", "SECRET!", []span{{"secret", "SECRET"}}},
		{"space between", "机 密", []span{{"机密", "机 密"}}},
		{"asterisk between", "机*密", []span{{"机密", "机*密"}}},
		{"zero width between", "机\u200b密", []span{{"机密", "机\u200b密"}}},
		{"line break and dash between", "机-\r\n密", []span{{"机密", "机-\r\n密"}}},
		{"middle dot and underscore", "机·_密", []span{{"机密", "机·_密"}}},
		{"combining mark between", "机\u0301密", []span{{"机密", "机\u0301密"}}},
		{"letter between breaks", "机A密", nil},
		{"digit between breaks", "机1密", nil},
		{"longest wins", "机密文件", []span{{"机密文件", "机密文件"}}},
		{"longest with separators", "机 密 文 件", []span{{"机密文件", "机 密 文 件"}}},
		{"allow entry passes", "成人教育", nil},
		{"allow entry with separators passes", "成人 教 育", nil},
		{"block elsewhere still hits", "成人教育与成人", []span{{"成人", "成人"}}},
		{"overlapping an allow occurrence hits", "成人教育部", []span{{"教育部", "教育部"}}},
		{"leftmost then after it", "甲乙丙丁", []span{{"甲乙", "甲乙"}, {"丙丁", "丙丁"}}},
		{"leftmost longest", "乙丙丁", []span{{"乙丙丁", "乙丙丁"}}},
		{"not inside a word", "secretary", nil},
		{"not after a letter", "mysecret", nil},
		{"not before a digit", "secret2", nil},
		{"word boundary is a separator", "top-secrets, a secret.", []span{{"secret", "secret"}}},
		{"allow entry covers", "top secret", nil},
		{"latin next to han", "机要secret文件", []span{{"機要", "机要"}, {"secret", "secret"}}},
		{"class is no ass", "class", nil},
		{"entry written full width", "the alpha test", []span{{"Ａｌｐｈａ", "alpha"}}},
		{"entry written traditional", "机要", []span{{"機要", "机要"}}},
		{"ligature entry", "a file", []span{{"ﬁle", "file"}}},
		{"ligature text", "a ﬁle", []span{{"ﬁle", "ﬁle"}}},
		{"accents folded", "sécrêt", []span{{"secret", "sécrêt"}}},
		{"invalid utf-8 is a separator", "机\xff密", []span{{"机密", "机\xff密"}}},
		{"nothing", "今天天气很好", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := spans(tc.text, m.ScanString(tc.text))
			if !equalSpans(got, tc.want) {
				t.Errorf("Scan(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func equalSpans(a, b []span) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestHitDetails(t *testing.T) {
	m := mustMatcher(t, "# comment\n机密\tsecret\n成人\n")
	hits := m.ScanString("ab 機 密 cd 成人")
	want := []Hit{
		{Category: "secret", Entry: "机密", Source: "words.txt:2", Offset: 3, Length: 7},
		{Category: DefaultCategory, Entry: "成人", Source: "words.txt:3", Offset: 14, Length: 6},
	}
	if len(hits) != len(want) || hits[0] != want[0] || hits[1] != want[1] {
		t.Errorf("hits = %+v, want %+v", hits, want)
	}
}

func TestMaxGap(t *testing.T) {
	d, _ := Parse(strings.NewReader("机密\n"), "w")
	for _, tc := range []struct {
		gap, spaces int
		hit         bool
	}{
		{0, DefaultMaxGap, true}, {0, DefaultMaxGap + 1, false},
		{1, 1, true}, {1, 2, false}, {255, 255, true},
	} {
		m, err := Options{MaxGap: tc.gap}.Compile(d)
		if err != nil {
			t.Fatal(err)
		}
		text := "机" + strings.Repeat(" ", tc.spaces) + "密"
		if got := len(m.ScanString(text)) > 0; got != tc.hit {
			t.Errorf("gap %d, %d spaces: hit %v, want %v", tc.gap, tc.spaces, got, tc.hit)
		}
	}
	if _, err := (Options{MaxGap: 256}).Compile(d); err == nil {
		t.Error("gap 256 compiled")
	}
}

func TestMatchName(t *testing.T) {
	m := mustMatcher(t, "机密\tsecret\nsecret\tsecret\n")
	for name, want := range map[string]bool{
		"机密文件.docx":        true,
		"機密.txt":           true,
		"Secret plan.pdf":  true,
		"secretary.txt":    false,
		"report 2024.xlsx": false,
		"":                 false,
	} {
		if got := m.MatchName(name) != nil; got != want {
			t.Errorf("MatchName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestDuplicates(t *testing.T) {
	a, _ := Parse(strings.NewReader("机密\tfirst\n機密\tsecond\n"), "a.txt")
	b, _ := Parse(strings.NewReader("!机 密\n"), "b.txt")
	m, err := Compile(a)
	if err != nil {
		t.Fatal(err)
	}
	if h := m.ScanString("机密"); len(h) != 1 || h[0].Category != "first" || h[0].Source != "a.txt:1" {
		t.Errorf("hits %+v: want the first entry's", h)
	}
	if st := m.Stats(); st.Entries != 1 || st.Duplicates != 1 {
		t.Errorf("stats %+v", st)
	}
	m, err = Compile(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if h := m.ScanString("机密"); len(h) != 0 {
		t.Errorf("hits %+v: the allow entry must win", h)
	}
}

func TestCountAndLimit(t *testing.T) {
	m := mustMatcher(t, "机密\n")
	text := strings.Repeat("机密 ", MaxHits+20)
	sc := m.NewScanner()
	sc.Write([]byte(text))
	sc.Close()
	if sc.Count() != MaxHits+20 || len(sc.Hits()) != MaxHits {
		t.Errorf("count %d, kept %d", sc.Count(), len(sc.Hits()))
	}
	if _, err := sc.Write([]byte("x")); err != ErrClosed {
		t.Errorf("write after close: %v", err)
	}
}

func TestVersion(t *testing.T) {
	v := func(dict string, o Options) string {
		d, err := Parse(strings.NewReader(dict), "w")
		if err != nil {
			t.Fatal(err)
		}
		m, err := o.Compile(d)
		if err != nil {
			t.Fatal(err)
		}
		return m.Version()
	}
	base := v("机密\tsecret\n成人\n", Options{})
	if got := v("# reordered, traditional\n成人\n機密\tsecret\n", Options{}); got != base {
		t.Errorf("same entries, other layout: %s != %s", got, base)
	}
	for _, other := range []string{v("机密\tother\n成人\n", Options{}), v("机密\tsecret\n!成人\n", Options{}),
		v("机密\tsecret\n", Options{}), v("机密\tsecret\n成人\n", Options{MaxGap: 3})} {
		if other == base {
			t.Errorf("different matchers share version %s", base)
		}
	}
}

// TestWordStartAfterFailure pins the scan's shortcut inside words: after
// the trie path of one word dies, the entries that begin later inside it
// are dropped (they need a word boundary before them), while one that
// begins after a separator — which the path had skipped — still matches,
// however the text is cut into writes.
func TestWordStartAfterFailure(t *testing.T) {
	m := mustMatcher(t, "abx\nbcd\ncd机\nde\n")
	for _, tc := range []struct {
		text string
		want []span
	}{
		{"abcd", nil},                         // bcd, cd機 and de start inside the word
		{"a bcd", []span{{"bcd", "bcd"}}},     // a|b of abx dies at c; bcd starts after the space
		{"ab cd机", []span{{"cd机", "cd机"}}},    // ab of abx dies at c; cd机 starts after the space
		{"a bc de", []span{{"de", "de"}}},     // bc d would end inside the word de; de starts after a space
		{"a bc d", []span{{"bcd", "bc d"}}},   // separators inside an entry
		{"xabcd abx", []span{{"abx", "abx"}}}, // the second word
		{"abc-de", []span{{"de", "de"}}},      // a dash is a boundary
	} {
		want := tc.want
		if got := spans(tc.text, m.ScanString(tc.text)); !equalSpans(got, want) {
			t.Errorf("Scan(%q) = %q, want %q", tc.text, got, want)
		}
		for cut := 1; cut < len(tc.text); cut++ {
			sc := m.NewScanner()
			sc.Write([]byte(tc.text[:cut]))
			sc.Write([]byte(tc.text[cut:]))
			sc.Close()
			if got := spans(tc.text, sc.Hits()); !equalSpans(got, want) {
				t.Errorf("Scan(%q) cut at %d = %q, want %q", tc.text, cut, got, want)
			}
		}
	}
}
