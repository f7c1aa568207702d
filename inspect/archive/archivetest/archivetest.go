// Package archivetest builds, at test time, the archives that ferry's
// archive inspector is tested with — bombs included (42.zip-style nesting,
// Fifield's overlapping entries, a gzip quine, 100 000 entries, sparse
// tar, deep nesting), and 7z and RAR5 archives built by hand, as no Go
// library writes them. None is ever committed: virus scanners flag
// repositories that carry bombs.
package archivetest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

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
