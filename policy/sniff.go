package policy

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"
)

// TypeIndex answers questions about a catalogue fast: the type of an
// extension, and the types whose signature a file starts with. It holds
// its own copy of the catalogue, is immutable, and is safe for concurrent
// use. A nil *TypeIndex knows no types.
type TypeIndex struct {
	types   []indexed
	byExt   map[string]int32
	offsets []sigBucket // by offset, ascending
}

// indexed is one type of the catalogue, in group order.
type indexed struct {
	group  string
	ft     *FileType
	accept []Signature // its own Magic, then its container's
}

// sigBucket holds the signatures at one offset, sorted by their first byte:
// those starting with byte b are sigs[first[b]:first[b+1]].
type sigBucket struct {
	offset int
	first  [257]int32
	sigs   []sigRef
}

type sigRef struct {
	bytes  []byte
	typ    int32
	offset int
}

// Match is a type whose signature the content starts with. Type and
// Signature belong to the index: do not modify them.
type Match struct {
	Group     string    // the type's group
	Type      *FileType // the type
	Signature Signature // the signature that matched
}

// Index builds the catalogue's index. Validate the catalogue first: where
// two types claim one extension, the first in group-name order wins.
func (t Types) Index() *TypeIndex {
	ix := &TypeIndex{byExt: map[string]int32{}}
	byName := map[string]int{}
	for _, g := range t.Groups() {
		for _, ft := range t[g] {
			if ft == nil {
				continue
			}
			c := cloneType(ft)
			n := int32(len(ix.types))
			ix.types = append(ix.types, indexed{group: g, ft: c, accept: c.Magic})
			byName[c.Name] = int(n)
			for _, ext := range c.Extensions {
				if _, dup := ix.byExt[ext]; !dup {
					ix.byExt[ext] = n
				}
			}
		}
	}
	for i := range ix.types {
		it := &ix.types[i]
		if c, ok := byName[it.ft.Container]; ok && it.ft.Container != "" {
			it.accept = append(slices.Clip(it.accept), ix.types[c].ft.Magic...)
		}
	}
	ix.buildBuckets()
	return ix
}

// cloneType copies a type deeply, without unusable signatures.
func cloneType(ft *FileType) *FileType {
	c := *ft
	c.Extensions = slices.Clone(ft.Extensions)
	c.Magic = make([]Signature, 0, len(ft.Magic))
	for _, s := range ft.Magic {
		if s.Offset >= 0 && len(s.Bytes) > 0 {
			c.Magic = append(c.Magic, Signature{Offset: s.Offset, Bytes: bytes.Clone(s.Bytes)})
		}
	}
	return &c
}

// buildBuckets groups every type's own signatures by offset and first byte.
func (ix *TypeIndex) buildBuckets() {
	at := map[int][]sigRef{}
	for i, it := range ix.types {
		for _, s := range it.ft.Magic {
			at[s.Offset] = append(at[s.Offset], sigRef{bytes: s.Bytes, typ: int32(i), offset: s.Offset})
		}
	}
	for off, refs := range at {
		slices.SortStableFunc(refs, func(a, b sigRef) int { return int(a.bytes[0]) - int(b.bytes[0]) })
		b := sigBucket{offset: off, sigs: refs}
		var count [256]int32
		for _, r := range refs {
			count[r.bytes[0]]++
		}
		for c := range 256 {
			b.first[c+1] = b.first[c] + count[c]
		}
		ix.offsets = append(ix.offsets, b)
	}
	slices.SortFunc(ix.offsets, func(a, b sigBucket) int { return a.offset - b.offset })
}

// Lookup returns the group and type of an extension as Ext returns it
// (".pdf", ".tar.gz"); upper case is folded.
func (ix *TypeIndex) Lookup(ext string) (group string, ft *FileType, ok bool) {
	if ix == nil {
		return "", nil, false
	}
	i, ok := ix.byExt[strings.ToLower(ext)]
	if !ok {
		return "", nil, false
	}
	return ix.types[i].group, ix.types[i].ft, true
}

// Sniff returns the types whose signature matches the start of head, the
// first min(size, SniffLen) bytes of a file: most specific (longest
// signature) first, then in catalogue order, each type once. A type known
// only by its Container is not among them: content that is a zip is
// reported as "zip", not as each of the formats built on zip.
func (ix *TypeIndex) Sniff(head []byte) []Match {
	if ix == nil || len(head) == 0 {
		return nil
	}
	var buf [8]sigRef
	hits := buf[:0]
	for i := range ix.offsets {
		b := &ix.offsets[i]
		if b.offset >= len(head) {
			break
		}
		rest := head[b.offset:]
		c := rest[0]
		for _, r := range b.sigs[b.first[c]:b.first[int(c)+1]] {
			if bytes.HasPrefix(rest, r.bytes) {
				hits = append(hits, r)
			}
		}
	}
	if len(hits) == 0 {
		return nil
	}
	for i := 1; i < len(hits); i++ { // insertion sort: there are few
		for j := i; j > 0 && hits[j].before(hits[j-1]); j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	out := make([]Match, 0, len(hits))
next:
	for i, h := range hits {
		for _, p := range hits[:i] {
			if p.typ == h.typ {
				continue next
			}
		}
		it := &ix.types[h.typ]
		out = append(out, Match{Group: it.group, Type: it.ft, Signature: Signature{Offset: h.offset, Bytes: h.bytes}})
	}
	return out
}

// before orders matches: the longer signature first, then catalogue order.
func (r sigRef) before(o sigRef) bool {
	if len(r.bytes) != len(o.bytes) {
		return len(r.bytes) > len(o.bytes)
	}
	return r.typ < o.typ
}

// Consistent reports whether head, the first min(size, SniffLen) bytes of a
// file, is plausibly what the extension ext says; when it is not, the file
// is refused with 1002 FILE_TYPE_MISMATCH. declared is the name of ext's
// type; detected is what the content was recognised as.
//
// It is true when the content is empty, when ext is not in the catalogue
// (whether it may be sent at all is the whitelist's question, 1001), when
// one of the type's signatures or its Container's matches (detected is
// that type's or the container's name: a zip named .docx is consistent
// here, the zip's entries decide later), when the type is Text and the
// content looks like text (detected "text"), or when the type has neither
// signature nor Text: a format with no signature cannot be checked
// (detected ""). Otherwise it is false, and detected is the most specific
// type that Sniff finds, else "text" when the content looks like text,
// else "unknown binary": an .exe named .pdf gives (false, "pdf", "exe").
func (ix *TypeIndex) Consistent(ext string, head []byte) (ok bool, declared, detected string) {
	if ix == nil || len(head) == 0 {
		return true, "", ""
	}
	i, known := ix.byExt[strings.ToLower(ext)]
	if !known {
		return true, "", ""
	}
	it := &ix.types[i]
	declared = it.ft.Name
	for j, s := range it.accept {
		if s.Matches(head) {
			if j < len(it.ft.Magic) {
				return true, declared, declared
			}
			return true, declared, it.ft.Container
		}
	}
	switch {
	case it.ft.Text && LooksLikeText(head):
		return true, declared, "text"
	case len(it.accept) == 0 && !it.ft.Text:
		return true, declared, ""
	}
	return false, declared, ix.detect(head)
}

// detect names what head is, for a mismatch.
func (ix *TypeIndex) detect(head []byte) string {
	if m := ix.Sniff(head); len(m) > 0 {
		return m[0].Type.Name
	}
	if LooksLikeText(head) {
		return "text"
	}
	return "unknown binary"
}

// LooksLikeText reports whether head, the start of a file, looks like plain
// text: UTF-8 (with or without a byte-order mark), UTF-16 little- or
// big-endian with a byte-order mark, or GB18030 (which includes GBK and
// GB2312), with no NUL and at most one control character in 32 (tab, line
// breaks, form feed, escape and the DOS end-of-file mark are not counted).
// A multi-byte character cut off at the end of head is allowed. Empty
// content is text. UTF-16 without a byte-order mark and UTF-32 are not
// recognised.
func LooksLikeText(head []byte) bool {
	switch {
	case len(head) == 0:
		return true
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		return fewControls(head[3:]) && utf8Text(head[3:])
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		return utf16Text(head[2:], false)
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return utf16Text(head[2:], true)
	}
	return fewControls(head) && (utf8Text(head) || gb18030Text(head))
}

// textControls has a bit set for each C0 control allowed in text: \t \n
// \v \f \r, SUB (the DOS end-of-file mark) and ESC (colours in logs).
const textControls = 1<<'\t' | 1<<'\n' | 1<<'\v' | 1<<'\f' | 1<<'\r' | 1<<0x1a | 1<<0x1b

// isControl reports whether the code point c is a control that text
// rarely holds. NUL counts as one.
func isControl(c uint32) bool {
	return c < 0x20 && textControls>>c&1 == 0 || c == 0x7f
}

// fewControls reports whether b has no NUL and at most one control byte
// in 32.
func fewControls(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	n := 0
	for _, c := range b {
		if c < 0x20 && textControls>>c&1 == 0 || c == 0x7f {
			n++
		}
	}
	return n*32 <= len(b)
}

// utf8Text reports whether b is valid UTF-8 but for a character cut off at
// its end.
func utf8Text(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for i := len(b) - 1; i >= 0 && i >= len(b)-3; i-- {
		if utf8.RuneStart(b[i]) {
			return !utf8.FullRune(b[i:]) && utf8.Valid(b[:i])
		}
	}
	return false
}

// gb18030Text reports whether b is well-formed GB18030: ASCII, two-byte
// characters (lead 0x81–0xFE, trail 0x40–0xFE but 0x7F) and four-byte
// ones (lead, 0x30–0x39, 0x81–0xFE, 0x30–0x39); a character cut off at
// the end is allowed.
func gb18030Text(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			i++
			continue
		case c == 0x80 || c == 0xff:
			return false
		case i+1 == len(b):
			return true
		}
		d := b[i+1]
		switch {
		case d >= 0x40 && d <= 0xfe && d != 0x7f:
			i += 2
		case d >= 0x30 && d <= 0x39:
			if i+3 >= len(b) {
				return i+2 == len(b) || b[i+2] >= 0x81 && b[i+2] <= 0xfe
			}
			if b[i+2] < 0x81 || b[i+2] == 0xff || b[i+3] < 0x30 || b[i+3] > 0x39 {
				return false
			}
			i += 4
		default:
			return false
		}
	}
	return true
}

// utf16Text reports whether b, after a byte-order mark, is UTF-16 text: no
// NUL, surrogates in pairs, few controls. An odd last byte or a lone high
// surrogate at the end is a character cut off.
func utf16Text(b []byte, bigEndian bool) bool {
	unit := func(i int) uint32 {
		if bigEndian {
			return uint32(b[2*i])<<8 | uint32(b[2*i+1])
		}
		return uint32(b[2*i+1])<<8 | uint32(b[2*i])
	}
	n, bad := len(b)/2, 0
	for i := 0; i < n; i++ {
		u := unit(i)
		switch {
		case u == 0:
			return false
		case u >= 0xd800 && u < 0xdc00: // a high surrogate: a low one must follow
			if i+1 < n {
				i++
				if lo := unit(i); lo < 0xdc00 || lo > 0xdfff {
					bad++
				}
			}
		case u >= 0xdc00 && u <= 0xdfff, isControl(u):
			bad++
		}
	}
	return bad*32 <= n
}
