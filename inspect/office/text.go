package office

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"unicode/utf8"
)

// maxMarkup bounds how much of a tag or an entity is looked at: a tag's
// name is all that matters (for line breaks), and an entity longer than
// this is not one.
const (
	maxName   = 32
	maxEntity = 12
)

// NewTextReader returns the text of the XML document in r: character data
// with entities and character references decoded, CDATA sections as they
// are, tags, comments and processing instructions dropped, and a line
// break where a paragraph, a table cell, a line break or a slide's text
// element ends, so that text from two paragraphs does not read as one
// word. Text split into runs (<w:t>机</w:t></w:r><w:r><w:t>密</w:t>) reads
// whole. Memory is bounded; malformed XML is read as far as it goes.
func NewTextReader(r io.Reader) io.Reader {
	return &textReader{r: bufio.NewReaderSize(r, 64<<10)}
}

type textReader struct {
	r     *bufio.Reader
	out   []byte // decoded, not yet returned
	err   error
	cdata bool
}

func (t *textReader) Read(p []byte) (int, error) {
	for len(t.out) == 0 && t.err == nil {
		t.step()
	}
	n := copy(p, t.out)
	t.out = t.out[n:]
	if len(t.out) == 0 && t.err != nil {
		return n, t.err
	}
	return n, nil
}

// step decodes the next piece of the document into out.
func (t *textReader) step() {
	if t.cdata {
		t.readCDATA()
		return
	}
	chunk, err := t.r.ReadSlice('<')
	text := chunk
	if err == nil {
		text = chunk[:len(chunk)-1]
	}
	t.text(text)
	switch {
	case err == nil:
		t.markup()
	case err == bufio.ErrBufferFull:
	default:
		t.err = err
	}
}

// text appends character data, decoding entities.
func (t *textReader) text(b []byte) {
	for len(b) > 0 {
		i := indexByte(b, '&')
		if i < 0 {
			t.out = append(t.out, b...)
			return
		}
		t.out = append(t.out, b[:i]...)
		b = b[i:]
		j := indexByte(b[:min(len(b), maxEntity)], ';')
		if j < 0 {
			if len(b) < maxEntity { // the entity may go on in the next chunk
				rest, _ := t.r.Peek(maxEntity - len(b))
				if k := indexByte(rest, ';'); k >= 0 && indexByte(rest[:k], '<') < 0 {
					ent := append(append([]byte(nil), b...), rest[:k+1]...)
					t.r.Discard(k + 1)
					t.entity(ent)
					return
				}
			}
			t.out = append(t.out, '&')
			b = b[1:]
			continue
		}
		t.entity(b[:j+1])
		b = b[j+1:]
	}
}

// entity appends the decoding of "&name;" or "&#N;", or the text itself
// when it is none the XML standard knows.
func (t *textReader) entity(e []byte) {
	name := string(e[1 : len(e)-1])
	switch name {
	case "amp":
		t.out = append(t.out, '&')
	case "lt":
		t.out = append(t.out, '<')
	case "gt":
		t.out = append(t.out, '>')
	case "quot":
		t.out = append(t.out, '"')
	case "apos":
		t.out = append(t.out, '\'')
	default:
		if len(name) > 1 && name[0] == '#' {
			base, digits := 10, name[1:]
			if digits[0] == 'x' || digits[0] == 'X' {
				base, digits = 16, digits[1:]
			}
			if n, err := strconv.ParseUint(digits, base, 32); err == nil && utf8.ValidRune(rune(n)) {
				t.out = utf8.AppendRune(t.out, rune(n))
				return
			}
		}
		t.out = append(t.out, e...)
	}
}

// markup reads what follows a '<': a tag, a comment, a processing
// instruction, a declaration or a CDATA section.
func (t *textReader) markup() {
	head, _ := t.r.Peek(9)
	switch {
	case hasPrefix(head, "![CDATA["):
		t.r.Discard(8)
		t.cdata = true
		return
	case hasPrefix(head, "!--"):
		t.r.Discard(3)
		t.skipUntil("-->")
		return
	}
	var name []byte
	closing := false
	var quote byte // the quote of an attribute value being read
	for i := 0; ; i++ {
		c, err := t.r.ReadByte()
		if err != nil {
			t.err = err
			return
		}
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			continue
		}
		if c == '>' {
			break
		}
		switch {
		case c == '"' || c == '\'':
			quote = c
		case i == 0 && c == '/':
			closing = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/':
			name = append(name, 0) // the name ended: attributes follow
		case len(name) < maxName && (len(name) == 0 || name[len(name)-1] != 0):
			name = append(name, c)
		}
	}
	if lineBreak(name, closing) {
		t.out = append(t.out, '\n')
	}
}

// lineBreak reports whether the tag ends a block of text: a closing
// paragraph, cell or text frame, or an empty line-break element.
func lineBreak(name []byte, closing bool) bool {
	if i := indexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	switch string(name) {
	case "w:p", "w:tc", "a:p", "text:p", "text:h", "table:table-cell", "si", "c", "dc:title", "dc:subject", "cp:keywords", "dc:description":
		return closing
	case "w:br", "w:cr", "w:tab", "text:line-break", "text:tab", "text:s", "a:br":
		return true
	}
	return false
}

// skipUntil discards input through the first occurrence of end.
func (t *textReader) skipUntil(end string) {
	matched := 0
	for {
		c, err := t.r.ReadByte()
		if err != nil {
			t.err = err
			return
		}
		switch {
		case c == end[matched]:
			matched++
			if matched == len(end) {
				return
			}
		case c == end[0]:
			matched = 1
		default:
			matched = 0
		}
	}
}

// readCDATA copies a CDATA section's content up to "]]>".
func (t *textReader) readCDATA() {
	chunk, err := t.r.ReadSlice('>')
	if err != nil && err != bufio.ErrBufferFull {
		t.out = append(t.out, chunk...)
		t.err = err
		return
	}
	if err == nil && len(chunk) >= 3 && string(chunk[len(chunk)-3:]) == "]]>" {
		t.out = append(t.out, chunk[:len(chunk)-3]...)
		t.cdata = false
		return
	}
	t.out = append(t.out, chunk...)
}

func indexByte(b []byte, c byte) int { return bytes.IndexByte(b, c) }

func hasPrefix(b []byte, s string) bool { return bytes.HasPrefix(b, []byte(s)) }
