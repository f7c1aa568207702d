package keywords

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultCategory is the category of an entry whose line names none.
const DefaultCategory = "keyword"

// MaxEntryLen is how many normalised characters an entry may have.
const MaxEntryLen = 64

// maxLineLen bounds one line of a dictionary, in bytes.
const maxLineLen = 4096

// maxReported is how many bad lines Parse reports before it stops.
const maxReported = 20

// Dictionary is one parsed dictionary file.
type Dictionary struct {
	// Source names the file in errors and hits ("words.txt").
	Source  string
	Entries []Entry
}

// Entry is one line of a dictionary.
type Entry struct {
	// Text is the entry as written, without "!" and category.
	Text string
	// Category is what a hit of the entry reports; DefaultCategory when
	// the line names none. Empty for allow entries.
	Category string
	// Allow marks an allow entry ("!成人教育"): text inside one of its
	// occurrences never triggers a block entry.
	Allow bool
	// Line is the entry's line number in Source, from 1.
	Line int
}

// ParseError is a bad line of a dictionary.
type ParseError struct {
	Source string
	Line   int
	Msg    string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, e.Msg) }

// Parse reads a dictionary: one entry a line, either "entry" or
// "entry<TAB>category"; "!entry" is an allow entry (which takes no
// category); "#" starts a comment, to the end of the line; blank lines
// and spaces around an entry or category are ignored. The file is UTF-8,
// with or without a byte-order mark, with LF or CRLF line ends.
//
// An entry must have at least one letter or digit and at most MaxEntryLen
// characters once normalised (see Normalize); separators written inside it
// are ignored like separators in text ("New York" is "newyork"). A category
// is up to 64 letters, digits and "_-.:/".
//
// Every bad line is reported, up to 20, each as a *ParseError
// ("words.txt:12: …"), joined with errors.Join; the first can be had with
// errors.As. A read error is returned as it is.
func Parse(r io.Reader, source string) (*Dictionary, error) {
	d := &Dictionary{Source: source}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineLen+2)
	var errs []error
	bad := 0
	var norm []rune
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff"))
		}
		e, msg := parseLine(b, &norm)
		if msg != "" {
			bad++
			if len(errs) < maxReported {
				errs = append(errs, &ParseError{Source: source, Line: line, Msg: msg})
			}
			continue
		}
		if e.Text != "" {
			e.Line = line
			d.Entries = append(d.Entries, e)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			errs = append(errs, &ParseError{Source: source, Line: line + 1,
				Msg: fmt.Sprintf("line longer than %d bytes", maxLineLen)})
			return nil, errors.Join(errs...)
		}
		return nil, fmt.Errorf("keywords: read %s: %w", source, err)
	}
	if bad > len(errs) {
		errs = append(errs, fmt.Errorf("%s: %d more bad lines", source, bad-len(errs)))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}

// parseLine parses one line; an empty Text with no message is a blank or
// comment line.
func parseLine(b []byte, norm *[]rune) (Entry, string) {
	if !utf8.Valid(b) {
		return Entry{}, "not UTF-8"
	}
	s := strings.TrimSuffix(string(b), "\r")
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	text, cat, tab := strings.Cut(s, "\t")
	text = strings.TrimSpace(text)
	cat = strings.TrimSpace(cat)
	var e Entry
	if strings.HasPrefix(text, "!") {
		e.Allow = true
		text = strings.TrimSpace(text[1:])
	}
	switch {
	case text == "" && !e.Allow && (!tab || cat == ""):
		return Entry{}, "" // blank or comment
	case text == "":
		return Entry{}, "no entry before the tab"
	case strings.Contains(cat, "\t"):
		return Entry{}, "more than one tab: want entry<TAB>category"
	case e.Allow && cat != "":
		return Entry{}, "an allow entry (\"!…\") takes no category"
	}
	if msg := checkCategory(cat); msg != "" {
		return Entry{}, msg
	}
	*norm = normalizeRunes((*norm)[:0], text)
	switch n := len(*norm); {
	case n == 0:
		return Entry{}, fmt.Sprintf("entry %q has no letters or digits", text)
	case n > MaxEntryLen:
		return Entry{}, fmt.Sprintf("entry has %d characters once normalised: at most %d", n, MaxEntryLen)
	}
	e.Text = text
	if !e.Allow {
		e.Category = cat
		if cat == "" {
			e.Category = DefaultCategory
		}
	}
	return e, ""
}

// checkCategory returns why cat cannot be a category, or "".
func checkCategory(cat string) string {
	if utf8.RuneCountInString(cat) > 64 {
		return "category longer than 64 characters"
	}
	for _, r := range cat {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("_-.:/", r) {
			return fmt.Sprintf("category %q: use letters, digits and _-.:/ only", cat)
		}
	}
	return ""
}
