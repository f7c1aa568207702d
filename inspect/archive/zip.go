package archive

import (
	"archive/zip"
	"compress/bzip2"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ferryhq/ferry"
)

// Zip compression methods the walker unpacks.
const (
	zipStore   = 0
	zipDeflate = 8
	zipBzip2   = 12
	zipAES     = 99 // WinZip AES: encrypted
)

const zipMethods = "store (0), deflate (8), bzip2 (12)"

// walkZip walks a zip archive: its central directory is scanned and its
// structure checked before any entry is unpacked.
func (w *walker) walkZip(lv *level, ra io.ReaderAt, size int64) error {
	zr, spans, err := w.openZip(lv, ra, size)
	if err != nil {
		return err
	}
	for i, f := range zr.File {
		if err := w.zipEntry(lv, ra, f, spans[i]); err != nil {
			return err
		}
	}
	return nil
}

// zipSpan is where an entry lies in the file: its local header at start,
// its data from data to end.
type zipSpan struct{ start, data, end int64 }

// openZip reads the archive's directory within the entry limit, opens it
// with archive/zip and checks what archive/zip does not: that the two
// agree, that every entry's local header matches its directory record,
// that entries lie inside the file before the directory and do not
// overlap (the overlapping-entry bomb), and that the declared sizes fit the
// expansion budget.
func (w *walker) openZip(lv *level, ra io.ReaderAt, size int64) (*zip.Reader, []zipSpan, error) {
	path := displayPath(lv.path)
	left := w.cfg.MaxEntries - w.entries
	dir, err := scanZipDir(ra, size, left)
	if errors.Is(err, errTooManyRecords) {
		return nil, nil, limitErr(RuleMaxEntries, LimitEntries, w.cfg.MaxEntries,
			uint64(w.entries)+max(dir.declared, uint64(len(dir.records))+1), path)
	}
	if err != nil {
		return nil, nil, unreadable(Zip, path, err)
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // names are the walker's to judge
		return nil, nil, unreadable(Zip, path, err)
	}
	if len(zr.File) != len(dir.records) {
		return nil, nil, malformed(Zip, path, "its central directory cannot be read consistently", "中央目录无法一致地读取")
	}
	zr.RegisterDecompressor(zipBzip2, func(r io.Reader) io.ReadCloser { return io.NopCloser(bzip2.NewReader(r)) })
	spans := make([]zipSpan, len(zr.File))
	var declared uint64
	for i, f := range zr.File {
		rec := dir.records[i]
		if f.CompressedSize64 != rec.csize || f.UncompressedSize64 != rec.usize || f.Method != rec.method || f.Flags != rec.flags {
			return nil, nil, malformed(Zip, path, "its central directory cannot be read consistently", "中央目录无法一致地读取")
		}
		sp, why := zipLocal(ra, f, rec, dir.start)
		if why != "" {
			return nil, nil, malformed(Zip, displayPath(lv.path+"/"+f.Name), why, zipReasonsZh[why])
		}
		spans[i] = sp
		declared = min(declared+f.UncompressedSize64, 1<<62)
	}
	if err := zipOverlap(spans); err != "" {
		return nil, nil, malformed(Zip, path, err, zipReasonsZh[err])
	}
	if declared > uint64(int64(w.cfg.MaxExpandedSize)-w.expanded) {
		return nil, nil, limitErr(RuleMaxExpanded, LimitExpanded, w.cfg.MaxExpandedSize,
			ferry.Bytes(satAdd(w.expanded, int64(declared))), path)
	}
	return zr, spans, nil
}

// Reasons a zip's structure is refused, and their Chinese.
const (
	whyLocalHeader = "an entry's local header is missing or outside the file"
	whyLocalDiffer = "an entry's local header disagrees with the central directory"
	whyDataOutside = "an entry's data lies beyond the file or inside the central directory"
	whyOverlap     = "entries overlap (a zip bomb construction)"
)

var zipReasonsZh = map[string]string{
	whyLocalHeader: "条目的本地文件头缺失或位于文件之外",
	whyLocalDiffer: "条目的本地文件头与中央目录不一致",
	whyDataOutside: "条目数据超出文件范围或位于中央目录之内",
	whyOverlap:     "条目相互重叠(一种压缩炸弹构造)",
}

// malformed is an unreadable archive with the reason it was refused.
func malformed(f Format, path, en, zh string) *ferry.Error {
	return unreadable(f, path, errors.New(en)).With("reason", ferry.Phrase{En: en, Zh: zh})
}

// zipLocal reads an entry's local header and returns where the entry
// lies, or why it cannot be trusted: the header must be where the
// directory says, name the entry alike, use the same method and
// encryption, and the data must end before the central directory.
func zipLocal(ra io.ReaderAt, f *zip.File, rec zipRecord, dirStart int64) (zipSpan, string) {
	if rec.off < 0 || rec.off > dirStart-30 {
		return zipSpan{}, whyLocalHeader
	}
	buf := make([]byte, 30+len(f.Name))
	if _, err := ra.ReadAt(buf, rec.off); err != nil {
		return zipSpan{}, whyLocalHeader
	}
	if binary.LittleEndian.Uint32(buf) != 0x04034b50 {
		return zipSpan{}, whyLocalHeader
	}
	flags, method := binary.LittleEndian.Uint16(buf[6:]), binary.LittleEndian.Uint16(buf[8:])
	nameLen, extraLen := int64(binary.LittleEndian.Uint16(buf[26:])), int64(binary.LittleEndian.Uint16(buf[28:]))
	if method != f.Method || flags&zipEncryptedFlags != f.Flags&zipEncryptedFlags ||
		nameLen != int64(len(f.Name)) || string(buf[30:]) != f.Name {
		return zipSpan{}, whyLocalDiffer
	}
	data := rec.off + 30 + nameLen + extraLen
	if d, err := f.DataOffset(); err != nil || d != data {
		return zipSpan{}, whyLocalDiffer
	}
	if rec.csize > uint64(dirStart) || data > dirStart-int64(rec.csize) {
		return zipSpan{}, whyDataOutside
	}
	return zipSpan{start: rec.off, data: data, end: data + int64(rec.csize)}, ""
}

// zipOverlap checks that no two entries share bytes: sorted by start, each
// must begin at or after the end of the one before. O(n log n).
func zipOverlap(spans []zipSpan) string {
	sorted := slices.Clone(spans)
	slices.SortFunc(sorted, func(a, b zipSpan) int {
		switch {
		case a.start < b.start:
			return -1
		case a.start > b.start:
			return 1
		}
		return 0
	})
	for i := 1; i < len(sorted); i++ {
		if sorted[i].start < sorted[i-1].end {
			return whyOverlap
		}
	}
	return ""
}

// zipEncryptedFlags are the general-purpose flag bits that mean encryption:
// traditional PKWARE (bit 0) and strong encryption (bits 6 and 13).
const zipEncryptedFlags = 1 | 1<<6 | 1<<13

// zipEntry checks and visits one entry of a zip archive.
func (w *walker) zipEntry(lv *level, ra io.ReaderAt, f *zip.File, sp zipSpan) error {
	name, ok := zipName(f)
	m := &member{
		name: name, nameOK: ok,
		dir:       strings.HasSuffix(f.Name, "/") || f.Mode().IsDir(),
		encrypted: f.Flags&zipEncryptedFlags != 0 || f.Method == zipAES || hasZipExtra(f.Extra, 0x9901),
		declared:  int64(min(f.UncompressedSize64, 1<<62)),
		packed:    int64(f.CompressedSize64),
	}
	switch f.Method {
	case zipStore, zipDeflate, zipBzip2:
	default:
		m.unsupported, m.supported = f.Method, zipMethods
	}
	if f.Method == zipStore && !m.encrypted {
		m.section = io.NewSectionReader(ra, sp.data, sp.end-sp.data)
	}
	if f.Mode()&fs.ModeSymlink != 0 && !m.encrypted && !m.dir {
		m.link = true
		target, err := zipLinkTarget(f)
		if err != nil {
			return w.readErr(lv, lv.path+"/"+name, err)
		}
		m.linkTarget = target
	}
	return w.entry(lv, m, func() (io.ReadCloser, error) { return f.Open() })
}

// zipLinkTarget reads a symbolic link's target, its content.
func zipLinkTarget(f *zip.File) (string, error) {
	if f.UncompressedSize64 > MaxPathBytes {
		return "", errors.New("zip: link target too long")
	}
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxPathBytes+1))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// zipName decodes an entry's name: UTF-8 when flagged (bit 11) or valid,
// else the Info-ZIP Unicode path field when it belongs to this name, else
// GBK. ok is false for a name that is none of these.
func zipName(f *zip.File) (string, bool) {
	flagged := f.Flags&0x800 != 0
	if !flagged && !utf8.ValidString(f.Name) {
		if u, ok := zipUnicodePath(f); ok {
			return u, true
		}
	}
	return decodeName(f.Name, flagged)
}

// zipUnicodePath returns the name of the Info-ZIP Unicode Path extra field
// (0x7075) when its CRC says it was written for the entry's name.
func zipUnicodePath(f *zip.File) (string, bool) {
	b := zipExtra(f.Extra, 0x7075)
	if len(b) < 5 || b[0] != 1 || binary.LittleEndian.Uint32(b[1:]) != crc32.ChecksumIEEE([]byte(f.Name)) {
		return "", false
	}
	u := string(b[5:])
	return u, utf8.ValidString(u) && u != ""
}

func hasZipExtra(extra []byte, tag uint16) bool { return zipExtra(extra, tag) != nil }

// zipExtra returns the data of the first extra field with tag, or nil.
func zipExtra(extra []byte, tag uint16) []byte {
	for len(extra) >= 4 {
		t, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			return nil
		}
		if t == tag {
			return extra[:n:n]
		}
		extra = extra[n:]
	}
	return nil
}
