package archivetest

// Package archivetest builds, at test time, the archives that ferry's
// archive inspector is tested with — bombs included (42.zip-style nesting,
// Fifield's overlapping entries, a gzip quine, 100 000 entries, sparse
// tar, deep nesting), and 7z and RAR5 archives built by hand, as no Go
// library writes them. None is ever committed: virus scanners flag
// repositories that carry bombs.

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// File is one entry to build: a name and content; Method 0 stores it, the
// default deflates it.
type File struct {
	Name    string
	Body    []byte
	Dir     bool
	Method  uint16
	Flags   uint16 // extra general-purpose flags (zip)
	Extra   []byte // zip extra field
	Link    string // a symbolic link to this target (tar)
	Hard    string // a hard link to this target (tar)
	NonUTF8 bool   // zip: do not set the UTF-8 flag
}

func Ent(name, body string) File { return File{Name: name, Body: []byte(body)} }

// ZipOf builds a zip with archive/zip.
func ZipOf(tb testing.TB, files ...File) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, fl := range files {
		h := &zip.FileHeader{Name: fl.Name, Method: zip.Deflate, Flags: fl.Flags, Extra: fl.Extra, NonUTF8: fl.NonUTF8}
		if fl.Method != 0 || fl.Dir {
			h.Method = fl.Method
		}
		if fl.Dir && !strings.HasSuffix(h.Name, "/") {
			h.Name += "/"
		}
		if fl.Method == zip.Store || fl.Method == zip.Deflate || fl.Dir {
			w, err := zw.CreateHeader(h)
			if err != nil {
				tb.Fatal(err)
			}
			if _, err := w.Write(fl.Body); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		// another method: written raw, its "compressed" bytes the body
		h.CRC32 = crc32.ChecksumIEEE(fl.Body)
		h.CompressedSize64, h.UncompressedSize64 = uint64(len(fl.Body)), uint64(len(fl.Body))
		w, err := zw.CreateRaw(h)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(fl.Body)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// RawEntry is an entry written with CreateRaw: its compressed bytes and the
// sizes it declares, true or not.
type RawEntry struct {
	Name         string
	Method       uint16
	Comp         []byte
	CRC          uint32
	USize, CSize uint64
	Flags        uint16
}

func ZipRaw(tb testing.TB, entries ...RawEntry) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.Name, Method: e.Method, CRC32: e.CRC,
			CompressedSize64: e.CSize, UncompressedSize64: e.USize, Flags: e.Flags})
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(e.Comp)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// Deflate compresses b raw, as zip entries hold it.
func Deflate(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write(b)
	fw.Close()
	return buf.Bytes()
}

// TarOf builds a tar with archive/tar.
func TarOf(tb testing.TB, files ...File) []byte {
	tb.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, fl := range files {
		h := &tar.Header{Name: fl.Name, Mode: 0o644, Size: int64(len(fl.Body)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		switch {
		case fl.Dir:
			h.Typeflag, h.Size, h.Mode = tar.TypeDir, 0, 0o755
		case fl.Link != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, fl.Link, 0
		case fl.Hard != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeLink, fl.Hard, 0
		}
		if fl.NonUTF8 {
			h.Format = tar.FormatGNU
		}
		if err := tw.WriteHeader(h); err != nil {
			tb.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write(fl.Body)
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// Gz compresses b as a gzip file, named name in its header.
func Gz(tb testing.TB, name string, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Name = name
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// Xz compresses b as an xz stream with github.com/ulikunitz/xz: LZMA2
// with a dictionary of dict bytes, in blocks of blockSize bytes of b (0:
// the library's default).
func Xz(tb testing.TB, b []byte, dict int, blockSize int64) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw, err := xz.WriterConfig{DictCap: dict, BlockSize: blockSize}.NewWriter(&buf)
	if err != nil {
		tb.Fatal(err)
	}
	zw.Write(b)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// XzPatchBlock rewrites the header of the first block of the xz stream
// x: patch gets the header without its CRC32 (size byte, flags, fields,
// padding) and may change it in place; the CRC32 is made right again.
func XzPatchBlock(x []byte, patch func(h []byte)) []byte {
	out := bytes.Clone(x)
	n := (int(out[12]) + 1) * 4
	h := out[12 : 12+n]
	patch(h[:n-4])
	binary.LittleEndian.PutUint32(h[n-4:], crc32.ChecksumIEEE(h[:n-4]))
	return out
}

// XzFilterAt returns the offset, in the block header h that Xz wrote, of
// its one filter's ID (LZMA2, 0x21, followed by its property size 1 and
// the dictionary byte).
func XzFilterAt(tb testing.TB, h []byte) int {
	tb.Helper()
	at := 2
	for _, bit := range []byte{0x40, 0x80} { // compressed, uncompressed size
		if h[1]&bit != 0 {
			for h[at]&0x80 != 0 {
				at++
			}
			at++
		}
	}
	if h[at] != 0x21 || h[at+1] != 1 {
		tb.Fatalf("block header % x: not LZMA2 alone", h)
	}
	return at
}

// XzHugeDict is Xz of b whose block header declares the largest LZMA2
// dictionary, 4 GiB less a byte — which a decoder allocates as it starts
// the block, whatever the data needs.
func XzHugeDict(tb testing.TB, b []byte) []byte {
	tb.Helper()
	return XzPatchBlock(Xz(tb, b, 1<<20, 0), func(h []byte) { h[XzFilterAt(tb, h)+2] = 40 })
}

// Zst compresses b as a zstd frame that declares a window of 1<<windowLog
// bytes (the encoder shrinks it to small content; the header is patched).
func Zst(tb testing.TB, b []byte, windowLog int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf, zstd.WithSingleSegment(false))
	if err != nil {
		tb.Fatal(err)
	}
	zw.Write(b)
	zw.Close()
	out := buf.Bytes()
	if out[4]&0x20 != 0 {
		tb.Fatal("zstd frame without a window descriptor")
	}
	out[5] = byte(windowLog-10) << 3
	return out
}

// Gbk encodes s in GB18030 (GBK for the Chinese characters of the tests).
func Gbk(tb testing.TB, s string) string {
	tb.Helper()
	out, err := simplifiedchinese.GB18030.NewEncoder().String(s)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// SparseTar builds a GNU sparse tar entry (typeflag 'S', old GNU format)
// named name, whose expanded size is realSize and whose only data is a few
// bytes at its end: archive/tar cannot write these.
func SparseTar(tb testing.TB, name string, realSize int64) []byte {
	tb.Helper()
	data := []byte("tail")
	hdr := make([]byte, 512)
	copy(hdr, name)
	copy(hdr[100:], "0000644\x00")
	copy(hdr[108:], "0000000\x00")
	copy(hdr[116:], "0000000\x00")
	copy(hdr[124:], Octal(int64(len(data)), 12))
	copy(hdr[136:], Octal(0, 12))
	hdr[156] = 'S'
	copy(hdr[257:], "ustar  \x00")
	// one sparse entry at 386: offset and length, 12 bytes each
	copy(hdr[386:], Octal(realSize-int64(len(data)), 12))
	copy(hdr[398:], Octal(int64(len(data)), 12))
	hdr[482] = 0 // not extended
	copy(hdr[483:], RealSizeField(realSize))
	copy(hdr[148:], "        ")
	var sum int64
	for _, c := range hdr {
		sum += int64(c)
	}
	copy(hdr[148:], Octal(sum, 7)+"\x00")
	body := make([]byte, 512)
	copy(body, data)
	out := append(hdr, body...)
	return append(out, make([]byte, 1024)...)
}

// Octal writes v in n-1 Octal digits and a NUL.
func Octal(v int64, n int) string {
	s := strings.Repeat("0", n) + StrconvOctal(v)
	return s[len(s)-(n-1):] + "\x00"
}

func StrconvOctal(v int64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{byte('0' + v%8)}, b...)
		v /= 8
	}
	return string(b)
}

// RealSizeField is a 12-byte numeric field: Octal when it fits, else
// base-256 as GNU tar writes large numbers.
func RealSizeField(v int64) string {
	if v < 1<<33 {
		return Octal(v, 12)
	}
	b := make([]byte, 12)
	binary.BigEndian.PutUint64(b[4:], uint64(v))
	b[0] = 0x80
	return string(b)
}

// HugeTar is a tar whose one regular entry declares size bytes and holds
// none of them.
func HugeTar(tb testing.TB, name string, size int64) []byte {
	tb.Helper()
	hdr := make([]byte, 512)
	copy(hdr, name)
	copy(hdr[100:], "0000644\x00")
	copy(hdr[108:], "0000000\x00")
	copy(hdr[116:], "0000000\x00")
	copy(hdr[124:], RealSizeField(size))
	copy(hdr[136:], Octal(0, 12))
	hdr[156] = '0'
	copy(hdr[257:], "ustar\x0000")
	copy(hdr[148:], "        ")
	var sum int64
	for _, c := range hdr {
		sum += int64(c)
	}
	copy(hdr[148:], Octal(sum, 7)+"\x00")
	return append(hdr, make([]byte, 4096)...)
}

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

// RarFile is one file of a built RAR5 archive, stored.
type RarFile struct {
	Name      string
	Body      []byte
	Dir       bool
	Encrypted bool
}

// RarOf hand-builds a RAR5 archive of stored files: no Go library writes
// rar.
func RarOf(tb testing.TB, files ...RarFile) []byte {
	tb.Helper()
	out := []byte("Rar!\x1a\x07\x01\x00")
	out = append(out, RarBlock(1, nil, -1, RarVint(0))...)
	for _, fl := range files {
		var body []byte
		flags := uint64(0x0004) // CRC32 present
		if fl.Dir {
			flags |= 0x0001
		}
		body = append(body, RarVint(flags)...)
		body = append(body, RarVint(uint64(len(fl.Body)))...)
		body = append(body, RarVint(0x20)...)
		body = binary.LittleEndian.AppendUint32(body, crc32.ChecksumIEEE(fl.Body))
		body = append(body, RarVint(0)...) // stored
		body = append(body, RarVint(0)...) // Windows
		body = append(body, RarVint(uint64(len(fl.Name)))...)
		body = append(body, fl.Name...)
		var extra []byte
		if fl.Encrypted {
			rec := append(RarVint(1), RarVint(0)...) // type 1 (encryption), version 0
			rec = append(rec, RarVint(0)...)         // flags
			rec = append(rec, 15)                    // KDF count
			rec = append(rec, make([]byte, 32)...)   // salt, IV
			extra = append(RarVint(uint64(len(rec))), rec...)
		}
		out = append(out, RarBlock(2, extra, int64(len(fl.Body)), body)...)
		out = append(out, fl.Body...)
	}
	return append(out, RarBlock(5, nil, -1, RarVint(0))...)
}

func RarBlock(typ uint64, extra []byte, dataSize int64, body []byte) []byte {
	var flags uint64
	if extra != nil {
		flags |= 0x0001
	}
	if dataSize >= 0 {
		flags |= 0x0002
	}
	h := append(RarVint(typ), RarVint(flags)...)
	if extra != nil {
		h = append(h, RarVint(uint64(len(extra)))...)
	}
	if dataSize >= 0 {
		h = append(h, RarVint(uint64(dataSize))...)
	}
	h = append(h, body...)
	h = append(h, extra...)
	size := RarVint(uint64(len(h)))
	crc := crc32.ChecksumIEEE(append(append([]byte(nil), size...), h...))
	return append(binary.LittleEndian.AppendUint32(nil, crc), append(size, h...)...)
}

func RarVint(v uint64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func Crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// The bombs, built at test time.

// ZerosDeflated is n zero bytes deflated, and their CRC.
func ZerosDeflated(tb testing.TB, n int) ([]byte, uint32) {
	tb.Helper()
	zeros := make([]byte, n)
	return Deflate(tb, zeros), crc32.ChecksumIEEE(zeros)
}

// Nested42 builds a 42.zip-style bomb: a leaf zip of 16 entries of leaf
// bytes of zeros each, and levels of zips holding 16 copies of the level
// below, each copy written once deflated and reused raw.
func Nested42(tb testing.TB, levels, leaf int) []byte {
	tb.Helper()
	comp, crc := ZerosDeflated(tb, leaf)
	var entries []RawEntry
	for i := range 16 {
		entries = append(entries, RawEntry{Name: fmt.Sprintf("%d.dll", i), Method: zip.Deflate, Comp: comp, CRC: crc,
			USize: uint64(leaf), CSize: uint64(len(comp))})
	}
	z := ZipRaw(tb, entries...)
	for l := 0; l < levels; l++ {
		comp := Deflate(tb, z)
		crc := crc32.ChecksumIEEE(z)
		entries = entries[:0]
		for i := range 16 {
			entries = append(entries, RawEntry{Name: fmt.Sprintf("lvl%d-%d.zip", l, i), Method: zip.Deflate, Comp: comp, CRC: crc,
				USize: uint64(len(z)), CSize: uint64(len(comp))})
		}
		z = ZipRaw(tb, entries...)
	}
	return z
}

// OverlapBomb builds David Fifield's "better zip bomb" (non-recursive,
// overlapping files): one kernel of deflated data shared by every file,
// each file's data quoting the local headers of the files after it in
// non-compressed Deflate blocks, so that n files of roughly kernel bytes
// each take little more space than one. archive/zip reads it as valid.
func OverlapBomb(tb testing.TB, n, kernel int) []byte {
	tb.Helper()
	kernelOut := bytes.Repeat([]byte("a"), kernel)
	kcomp := Deflate(tb, kernelOut)

	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%04d.txt", i)
	}
	// Work from the last file back: file i's output is the local headers
	// of files i+1.. followed by the kernel's output, and its compressed
	// data is a quoting block header before each of those local headers.
	lh := make([][]byte, n)
	crcs := make([]uint32, n)
	usize := make([]uint64, n)
	csize := make([]uint64, n)
	suffixOut := kernelOut // the output of file i+1 and after
	suffixComp := len(kcomp)
	for i := n - 1; i >= 0; i-- {
		crcs[i] = crc32.ChecksumIEEE(suffixOut)
		usize[i] = uint64(len(suffixOut))
		csize[i] = uint64(suffixComp)
		lh[i] = LocalHeader(names[i], crcs[i], csize[i], usize[i])
		if i > 0 {
			// file i-1 quotes lh[i] in a stored block of 5 bytes' header
			suffixOut = append(append([]byte(nil), lh[i]...), suffixOut...)
			suffixComp += 5 + len(lh[i])
		}
	}
	var out []byte
	offsets := make([]int, n)
	for i := range n {
		offsets[i] = len(out)
		out = append(out, lh[i]...)
		if i+1 < n {
			l := len(lh[i+1])
			out = append(out, 0x00, byte(l), byte(l>>8), ^byte(l), ^byte(l>>8)) // stored block, not final
		}
	}
	out = append(out, kcomp...)
	cdStart := len(out)
	for i := range n {
		out = append(out, CentralHeader(names[i], crcs[i], csize[i], usize[i], uint32(offsets[i]))...)
	}
	return append(out, EndRecord(n, len(out)-cdStart, cdStart)...)
}

func LocalHeader(name string, crc uint32, csize, usize uint64) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0x04034b50)
	b = binary.LittleEndian.AppendUint16(b, 20)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint16(b, 8)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, crc)
	b = binary.LittleEndian.AppendUint32(b, uint32(csize))
	b = binary.LittleEndian.AppendUint32(b, uint32(usize))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(name)))
	b = binary.LittleEndian.AppendUint16(b, 0)
	return append(b, name...)
}

func CentralHeader(name string, crc uint32, csize, usize uint64, off uint32) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0x02014b50)
	b = binary.LittleEndian.AppendUint16(b, 20)
	b = binary.LittleEndian.AppendUint16(b, 20)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint16(b, 8)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, crc)
	b = binary.LittleEndian.AppendUint32(b, uint32(csize))
	b = binary.LittleEndian.AppendUint32(b, uint32(usize))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(name)))
	b = append(b, make([]byte, 12)...) // extra, comment, disk, attributes
	b = binary.LittleEndian.AppendUint32(b, off)
	return append(b, name...)
}

func EndRecord(n, size, off int) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0x06054b50)
	b = append(b, 0, 0, 0, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(n))
	b = binary.LittleEndian.AppendUint16(b, uint16(n))
	b = binary.LittleEndian.AppendUint32(b, uint32(size))
	b = binary.LittleEndian.AppendUint32(b, uint32(off))
	return append(b, 0, 0)
}

// ManyEntries builds a zip of n tiny stored entries.
func ManyEntries(tb testing.TB, n int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range n {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("d%d/%d.txt", i/1000, i), Method: zip.Store})
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(w, "%d", i)
	}
	zw.Close()
	return buf.Bytes()
}

// NestedZips is depth zips each holding the next (stored or deflated),
// the innermost holding a.txt.
func NestedZips(tb testing.TB, depth int, method uint16) []byte {
	tb.Helper()
	z := ZipOf(tb, Ent("a.txt", "bottom"))
	for i := 1; i < depth; i++ {
		z = ZipOf(tb, File{Name: fmt.Sprintf("level%d.zip", depth-i+1), Body: z, Method: method})
	}
	return z
}

// GzipQuine is a gzip file that decompresses to itself: Russ Cox's quine
// ("Zip Files All The Way Down"), as Go's net/http tests carry it
// (BSD-style licence, The Go Authors). Hand-built bytes, checked below to
// be a quine.
var GzipQuine = []byte{
	0x1f, 0x8b, 0x08, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x72, 0x65, 0x63, 0x75, 0x72, 0x73,
	0x69, 0x76, 0x65, 0x00, 0x92, 0xef, 0xe6, 0xe0, 0x60, 0x00, 0x83, 0xa2, 0xd4, 0xe4, 0xd2, 0xa2,
	0xe2, 0xcc, 0xb2, 0x54, 0x06, 0x00, 0x00, 0x17, 0x00, 0xe8, 0xff, 0x92, 0xef, 0xe6, 0xe0, 0x60,
	0x00, 0x83, 0xa2, 0xd4, 0xe4, 0xd2, 0xa2, 0xe2, 0xcc, 0xb2, 0x54, 0x06, 0x00, 0x00, 0x17, 0x00,
	0xe8, 0xff, 0x42, 0x12, 0x46, 0x16, 0x06, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x42, 0x12, 0x46, 0x16,
	0x06, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x00, 0x14, 0x00, 0xeb, 0xff,
	0x42, 0x12, 0x46, 0x16, 0x06, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x00,
	0x14, 0x00, 0xeb, 0xff, 0x42, 0x88, 0x21, 0xc4, 0x00, 0x00, 0x14, 0x00, 0xeb, 0xff, 0x42, 0x88,
	0x21, 0xc4, 0x00, 0x00, 0x14, 0x00, 0xeb, 0xff, 0x42, 0x88, 0x21, 0xc4, 0x00, 0x00, 0x14, 0x00,
	0xeb, 0xff, 0x42, 0x88, 0x21, 0xc4, 0x00, 0x00, 0x14, 0x00, 0xeb, 0xff, 0x42, 0x88, 0x21, 0xc4,
	0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x17, 0x00, 0xe8, 0xff,
	0x42, 0x88, 0x21, 0xc4, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00,
	0x17, 0x00, 0xe8, 0xff, 0x42, 0x12, 0x46, 0x16, 0x06, 0x00, 0x00, 0x00, 0xff, 0xff, 0x01, 0x08,
	0x00, 0xf7, 0xff, 0x3d, 0xb1, 0x20, 0x85, 0xfa, 0x00, 0x00, 0x00, 0x42, 0x12, 0x46, 0x16, 0x06,
	0x00, 0x00, 0x00, 0xff, 0xff, 0x01, 0x08, 0x00, 0xf7, 0xff, 0x3d, 0xb1, 0x20, 0x85, 0xfa, 0x00,
	0x00, 0x00, 0x3d, 0xb1, 0x20, 0x85, 0xfa, 0x00, 0x00, 0x00,
}

// LieCount rewrites the entry counts of a zip's end record.
func LieCount(z []byte, n uint16) []byte {
	out := bytes.Clone(z)
	end := bytes.LastIndex(out, []byte("PK\x05\x06"))
	binary.LittleEndian.PutUint16(out[end+8:], n)
	binary.LittleEndian.PutUint16(out[end+10:], n)
	return out
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
