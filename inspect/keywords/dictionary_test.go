package keywords

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	d, err := Parse(strings.NewReader("\ufeff机密\tsecret\r\n\n# a comment\n  成人  \n!成人教育 # allowed\n機 密\tsecret:high\n\t\n"), "w.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Text: "机密", Category: "secret", Line: 1},
		{Text: "成人", Category: DefaultCategory, Line: 4},
		{Text: "成人教育", Allow: true, Line: 5},
		{Text: "機 密", Category: "secret:high", Line: 6},
	}
	if fmt.Sprint(d.Entries) != fmt.Sprint(want) {
		t.Errorf("entries %+v, want %+v", d.Entries, want)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ line, msg string }{
		{"*** ---", `words.txt:2: entry "*** ---" has no letters or digits`},
		{"\tsecret", "words.txt:2: no entry before the tab"},
		{"a\tb\tc", "words.txt:2: more than one tab: want entry<TAB>category"},
		{"!成人教育\tadult", `words.txt:2: an allow entry ("!…") takes no category`},
		{"机密\tsecret level", `words.txt:2: category "secret level": use letters, digits and _-.:/ only`},
		{strings.Repeat("机", 65), "words.txt:2: entry has 65 characters once normalised: at most 64"},
		{"\xff\xfe", "words.txt:2: not UTF-8"},
		{"!", "words.txt:2: no entry before the tab"},
	} {
		_, err := Parse(strings.NewReader("ok\n"+tc.line+"\n"), "words.txt")
		var pe *ParseError
		if !errors.As(err, &pe) || err.Error() != tc.msg {
			t.Errorf("%q: error %v, want %s", tc.line, err, tc.msg)
		}
	}
}

func TestParseManyErrors(t *testing.T) {
	_, err := Parse(strings.NewReader(strings.Repeat("***\n", 30)), "w.txt")
	if err == nil || !strings.Contains(err.Error(), "w.txt:20:") || strings.Contains(err.Error(), "w.txt:21:") ||
		!strings.Contains(err.Error(), "w.txt: 10 more bad lines") {
		t.Errorf("error %v", err)
	}
}

func TestParseLongLine(t *testing.T) {
	_, err := Parse(strings.NewReader("a\nb\n"+strings.Repeat("x", maxLineLen+10)+"\n"), "w.txt")
	if err == nil || !strings.Contains(err.Error(), "w.txt:3: line longer than") {
		t.Errorf("error %v", err)
	}
}

func TestCompileChecksEntries(t *testing.T) {
	d := &Dictionary{Source: "api", Entries: []Entry{{Text: "ok", Line: 1}, {Text: "...", Line: 2}}}
	_, err := Compile(d)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Source != "api" {
		t.Errorf("error %v", err)
	}
	if _, err := Compile(); err != nil {
		t.Errorf("no dictionaries: %v", err)
	}
}
