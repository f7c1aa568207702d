package archivetest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
	"unicode/utf16"

	"github.com/ulikunitz/xz/lzma"
)

// SzFile is one file of a built 7z archive.
type SzFile struct {
	Name string
	Body []byte
	Dir  bool
}

// SzOpts chooses how SevenZipOf builds: one folder per file or one solid
// folder, stored or LZMA, or a coder of its own (AES to mark encryption).
type SzOpts struct {
	Solid     bool
	LZMA      bool
	Coder     []byte // a coder ID to use instead, with CoderProps
	Props     []byte
	EncodeHdr []byte // encode the header with this coder (AES: encrypted header)
	NumFiles  uint64 // declare this many files instead
}

// SevenZipOf hand-builds a 7z archive: no Go library writes them.
func SevenZipOf(tb testing.TB, o SzOpts, files ...SzFile) []byte {
	tb.Helper()
	type folder struct {
		packed  []byte
		unpack  uint64
		streams []uint64
	}
	var folders []folder
	coderID, props := []byte{0x00}, []byte(nil)
	switch {
	case o.Coder != nil:
		coderID, props = o.Coder, o.Props
	case o.LZMA:
		coderID = []byte{0x03, 0x01, 0x01}
	}
	pack := func(b []byte) ([]byte, []byte) {
		if !o.LZMA || o.Coder != nil {
			return b, props
		}
		var buf bytes.Buffer
		lw, err := lzma.WriterConfig{DictCap: 1 << 16, Size: int64(len(b))}.NewWriter(&buf)
		if err != nil {
			tb.Fatal(err)
		}
		lw.Write(b)
		lw.Close()
		raw := buf.Bytes()
		return raw[13:], raw[:5] // the classic header holds the coder's properties
	}
	var nonEmpty []SzFile
	for _, fl := range files {
		if len(fl.Body) > 0 && !fl.Dir {
			nonEmpty = append(nonEmpty, fl)
		}
	}
	if o.Solid && len(nonEmpty) > 0 {
		var all []byte
		var sizes []uint64
		for _, fl := range nonEmpty {
			all = append(all, fl.Body...)
			sizes = append(sizes, uint64(len(fl.Body)))
		}
		p, pr := pack(all)
		props = pr
		folders = append(folders, folder{packed: p, unpack: uint64(len(all)), streams: sizes})
	} else {
		for _, fl := range nonEmpty {
			p, pr := pack(fl.Body)
			props = pr
			folders = append(folders, folder{packed: p, unpack: uint64(len(fl.Body)), streams: []uint64{uint64(len(fl.Body))}})
		}
	}
	var data, h []byte
	num := func(v uint64) { h = append(h, SzNumber(v)...) }
	h = append(h, szHeader)
	if len(folders) > 0 {
		h = append(h, szMainStreamsInfo, szPackInfo)
		num(0)
		num(uint64(len(folders)))
		h = append(h, szSize)
		for _, fo := range folders {
			data = append(data, fo.packed...)
			num(uint64(len(fo.packed)))
		}
		h = append(h, szEnd, szUnpackInfo, szFolder)
		num(uint64(len(folders)))
		h = append(h, 0)
		for range folders {
			num(1)
			flag := byte(len(coderID))
			if props != nil {
				flag |= 0x20
			}
			h = append(h, flag)
			h = append(h, coderID...)
			if props != nil {
				num(uint64(len(props)))
				h = append(h, props...)
			}
		}
		h = append(h, szCodersUnpackSize)
		for _, fo := range folders {
			num(fo.unpack)
		}
		h = append(h, szEnd, szSubStreamsInfo)
		if o.Solid {
			h = append(h, szNumUnpackStream)
			for _, fo := range folders {
				num(uint64(len(fo.streams)))
			}
			h = append(h, szSize)
			for _, fo := range folders {
				for _, s := range fo.streams[:len(fo.streams)-1] {
					num(s)
				}
			}
		}
		h = append(h, szEnd, szEnd)
	}
	if len(files) > 0 {
		h = append(h, szFilesInfo)
		n := uint64(len(files))
		if o.NumFiles != 0 {
			n = o.NumFiles
		}
		num(n)
		if len(nonEmpty) != len(files) {
			bits := make([]byte, (len(files)+7)/8)
			for i, fl := range files {
				if len(fl.Body) == 0 || fl.Dir {
					bits[i/8] |= 0x80 >> (i % 8)
				}
			}
			h = append(h, szEmptyStream)
			num(uint64(len(bits)))
			h = append(h, bits...)
		}
		var names []byte
		for _, fl := range files {
			for _, u := range utf16.Encode([]rune(fl.Name)) {
				names = binary.LittleEndian.AppendUint16(names, u)
			}
			names = append(names, 0, 0)
		}
		h = append(h, szName)
		num(uint64(len(names) + 1))
		h = append(h, 0)
		h = append(h, names...)
		attrs := []byte{1, 0}
		for _, fl := range files {
			a := uint32(0x20)
			if fl.Dir {
				a = 0x10
			}
			attrs = binary.LittleEndian.AppendUint32(attrs, a)
		}
		h = append(h, szWinAttributes)
		num(uint64(len(attrs)))
		h = append(h, attrs...)
		h = append(h, szEnd)
	}
	h = append(h, szEnd)
	if o.EncodeHdr != nil { // a header "encoded" with the given coder (its bytes left as they are)
		plain := h
		hdrPos := uint64(len(data))
		data = append(data, plain...)
		h = []byte{szEncodedHeader, szPackInfo}
		num(hdrPos)
		num(1)
		h = append(h, szSize)
		num(uint64(len(plain)))
		h = append(h, szEnd, szUnpackInfo, szFolder)
		num(1)
		h = append(h, 0)
		num(1)
		h = append(h, byte(len(o.EncodeHdr))|0x20)
		h = append(h, o.EncodeHdr...)
		num(1)
		h = append(h, 0)
		h = append(h, szCodersUnpackSize)
		num(uint64(len(plain)))
		h = append(h, szEnd, szEnd)
	}
	out := []byte{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c, 0, 4}
	start := make([]byte, 20)
	binary.LittleEndian.PutUint64(start, uint64(len(data)))
	binary.LittleEndian.PutUint64(start[8:], uint64(len(h)))
	binary.LittleEndian.PutUint32(start[16:], crc32.ChecksumIEEE(h))
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(start))
	out = append(out, start...)
	out = append(out, data...)
	return append(out, h...)
}

// SzNumber writes a 7z NUMBER.
func SzNumber(v uint64) []byte {
	for n := 0; n < 8; n++ {
		if v < 1<<(7*(n+1)) {
			first := byte(uint(0xff00)>>n) | byte(v>>(8*n))
			b := []byte{first}
			for i := 0; i < n; i++ {
				b = append(b, byte(v>>(8*i)))
			}
			return b
		}
	}
	b := []byte{0xff}
	return binary.LittleEndian.AppendUint64(b, v)
}

// Property IDs of the 7z header (7-Zip's 7zFormat.txt), written out here
// apart from the parser's, so that the builder does not share its
// mistakes.
const (
	szEnd              = 0x00
	szHeader           = 0x01
	szMainStreamsInfo  = 0x04
	szFilesInfo        = 0x05
	szPackInfo         = 0x06
	szUnpackInfo       = 0x07
	szSubStreamsInfo   = 0x08
	szSize             = 0x09
	szFolder           = 0x0b
	szCodersUnpackSize = 0x0c
	szNumUnpackStream  = 0x0d
	szEmptyStream      = 0x0e
	szName             = 0x11
	szWinAttributes    = 0x15
	szEncodedHeader    = 0x17
)
