package keywords

import (
	"bufio"
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings DecodeText tells apart.
const (
	EncodingUTF8    = "utf-8"
	EncodingUTF16LE = "utf-16le"
	EncodingUTF16BE = "utf-16be"
	EncodingGB18030 = "gb18030"
)

// sniffLen is how much of a text DecodeText looks at.
const sniffLen = 8 << 10

// DecodeText returns r's text as UTF-8, and its encoding: UTF-16 when it
// starts with a byte-order mark (FF FE or FE FF), UTF-8 when its first
// 8 KiB are UTF-8 (with or without a byte-order mark), and GB18030 — a
// superset of GBK and GB 2312, what Chinese Windows writes — otherwise.
// Bytes the encoding cannot decode become U+FFFD, a separator.
//
// The UTF-8 of a UTF-8 text is its own bytes, so hit offsets are offsets in
// the file; for the other encodings they are offsets in its UTF-8 form.
func DecodeText(r io.Reader) (io.Reader, string, error) {
	br := bufio.NewReaderSize(r, sniffLen)
	head, err := br.Peek(sniffLen)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, "", err
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), EncodingUTF16LE, nil
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), EncodingUTF16BE, nil
	case validUTF8Head(head, len(head) == sniffLen):
		return br, EncodingUTF8, nil
	}
	return transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), EncodingGB18030, nil
}

// validUTF8Head reports whether head is UTF-8, but for a character cut
// off at its end when more follows.
func validUTF8Head(head []byte, more bool) bool {
	if utf8.Valid(head) {
		return true
	}
	if !more {
		return false
	}
	for i := len(head) - 1; i >= 0 && i >= len(head)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(head[i]) {
			return !utf8.FullRune(head[i:]) && utf8.Valid(head[:i])
		}
	}
	return false
}
