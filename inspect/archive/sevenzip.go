package archive

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"unicode/utf8"

	"github.com/bodgit/sevenzip"
	"github.com/ulikunitz/xz/lzma"

	"github.com/ferryhq/ferry"
)

// 7z coder IDs the walker knows.
const (
	szCopy   = "\x00"
	szDelta  = "\x03"
	szLZMA   = "\x03\x01\x01"
	szLZMA2  = "\x21"
	szPPMd   = "\x03\x04\x01"
	szBCJ    = "\x03\x03\x01\x03"
	szBCJ2   = "\x03\x03\x01\x1b"
	szPPC    = "\x03\x03\x02\x05"
	szARM    = "\x03\x03\x05\x01"
	szSPARC  = "\x03\x03\x08\x05"
	szARM64  = "\x0a"
	szDeflat = "\x04\x01\x08"
	szBZip2  = "\x04\x02\x02"
	szAES    = "\x06\xf1\x07\x01"
)

const szMethods = "copy, LZMA, LZMA2, PPMd, Deflate, BZip2 and the BCJ, BCJ2, ARM, ARM64, PPC, SPARC and Delta filters"

// szFolderInfo is what the walker decided about one folder.
type szFolderInfo struct {
	encrypted   bool
	unsupported string // the first coder the walker cannot unpack, in hex
	memory      int64  // the dictionaries its coders claim
}

// sz7Info is what the guard learned of an archive.
type sz7Info struct {
	encryptedHeader bool
	files           uint64
	folders         []szFolderInfo
	memory          int64 // the most any one folder (or the header) claims
}

// walk7z walks a 7z archive in the order it stores its files, which is the
// order of the solid blocks: each block is decoded once, front to back
// (reading a solid archive out of order is quadratic). The header is
// checked by guard7z before github.com/bodgit/sevenzip reads it.
func (w *walker) walk7z(lv *level, ra io.ReaderAt, size int64) (err error) {
	path := displayPath(lv.path)
	info, err := w.guard7z(lv, ra, size)
	if err != nil {
		return err
	}
	if info.encryptedHeader {
		if w.cfg.Encrypted == EncryptedAllow {
			return nil // nothing can be seen, and policy lets it pass
		}
		return encryptedErr(path)
	}
	if err := w.claim(info.memory, lv.path); err != nil {
		return err
	}
	defer w.release(info.memory)
	defer func() {
		if p := recover(); p != nil { // a library bug must not take the server down
			err = w.finish(unreadable(SevenZip, path, fmt.Errorf("sevenzip panicked: %v", p)))
		}
	}()
	z, err := sevenzip.NewReader(&countReaderAt{r: ra, n: lv.in}, size)
	if err != nil {
		return w.readErr(lv, lv.path, err)
	}
	if uint64(len(z.File)) != info.files {
		return malformed(SevenZip, path, "its header cannot be read consistently", "文件头无法一致地读取")
	}
	for _, f := range z.File {
		if err := w.entry7z(lv, info, f); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) entry7z(lv *level, info *sz7Info, f *sevenzip.File) error {
	m := &member{name: f.Name, nameOK: utf8.ValidString(f.Name), dir: f.FileInfo().IsDir(),
		declared: int64(min(f.UncompressedSize, 1<<62)), packed: -1}
	if f.UncompressedSize > 0 && !m.dir {
		if f.Stream < 0 || f.Stream >= len(info.folders) {
			return malformed(SevenZip, displayPath(lv.path), "its header cannot be read consistently", "文件头无法一致地读取")
		}
		fo := info.folders[f.Stream]
		m.encrypted = fo.encrypted
		if fo.unsupported != "" {
			m.unsupported, m.supported = fo.unsupported, szMethods
		}
	}
	if f.Mode()&fs.ModeSymlink != 0 && !m.dir && !m.encrypted && m.unsupported == nil {
		if f.UncompressedSize > MaxPathBytes {
			return malformed(SevenZip, displayPath(lv.path+"/"+f.Name), "a link target is too long", "链接目标过长")
		}
		rc, err := f.Open()
		if err != nil {
			return w.readErr(lv, lv.path+"/"+f.Name, err)
		}
		target, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return w.readErr(lv, lv.path+"/"+f.Name, err)
		}
		m.link, m.linkTarget = true, string(target)
	}
	return w.entry(lv, m, func() (io.ReadCloser, error) { return f.Open() })
}

// guard7z reads the signature header and the header (decoding an encoded
// header itself, within the limits), parses it as the library will, and
// holds it to the limits: the entry count, the declared sizes, the ratio
// of each folder and the memory its decoders claim.
func (w *walker) guard7z(lv *level, ra io.ReaderAt, size int64) (*sz7Info, error) {
	path := displayPath(lv.path)
	bad := func(err error) (*sz7Info, error) { return nil, unreadable(SevenZip, path, err) }
	var sh [32]byte
	if _, err := ra.ReadAt(sh[:], 0); err != nil {
		return bad(err)
	}
	if crc32.ChecksumIEEE(sh[12:32]) != binary.LittleEndian.Uint32(sh[8:]) {
		return bad(errors.New("7z: start header checksum"))
	}
	nextOff, nextSize := binary.LittleEndian.Uint64(sh[12:]), binary.LittleEndian.Uint64(sh[20:])
	if nextSize == 0 {
		return &sz7Info{}, nil // an empty archive
	}
	left := uint64(max(w.cfg.MaxEntries-w.entries, 0))
	capHeader := min(uint64(1<<20)+512*left, 64<<20)
	if nextOff > uint64(size) || nextSize > uint64(size)-32 || nextOff > uint64(size)-32-nextSize {
		return bad(errors.New("7z: header beyond the file"))
	}
	if nextSize > capHeader {
		return nil, limitErr(RuleMaxEntries, LimitEntries, w.cfg.MaxEntries, fmt.Sprintf("a header of %d bytes", nextSize), path)
	}
	hdr := make([]byte, nextSize)
	if _, err := ra.ReadAt(hdr, 32+int64(nextOff)); err != nil {
		return bad(err)
	}
	if crc32.ChecksumIEEE(hdr) != binary.LittleEndian.Uint32(sh[28:]) {
		return bad(errors.New("7z: header checksum"))
	}
	info := &sz7Info{}
	p := &szParser{b: hdr[1:], maxItems: 4*left + 64}
	switch hdr[0] {
	case szHeader:
	case szEncodedHeader:
		s := p.streamsInfo()
		if p.err != nil {
			return bad(p.err)
		}
		dec, err := w.decode7zHeader(lv, ra, s, 32+int64(nextOff), capHeader)
		if err != nil || dec == nil {
			if errors.Is(err, errSzEncrypted) {
				info.encryptedHeader = true
				return info, nil
			}
			return nil, err
		}
		if len(dec) == 0 || dec[0] != szHeader {
			return bad(errors.New("7z: encoded header is not a header"))
		}
		p = &szParser{b: dec[1:], maxItems: 4*left + 64}
		info.memory = w.headerMemory(s)
	default:
		return bad(errors.New("7z: unknown header"))
	}
	h := p.header()
	if p.declaredFiles > left {
		return nil, limitErr(RuleMaxEntries, LimitEntries, w.cfg.MaxEntries, uint64(w.entries)+p.declaredFiles, path)
	}
	if p.err != nil {
		return bad(p.err)
	}
	info.files = h.files.count
	return info, w.check7zStreams(lv, info, h.streams, 32+int64(nextOff))
}

// check7zStreams checks where the packed data lies, the declared sizes and
// ratios of the folders, and what their coders need.
func (w *walker) check7zStreams(lv *level, info *sz7Info, s *szStreams, dataEnd int64) error {
	path := displayPath(lv.path)
	if s == nil {
		return nil
	}
	end := 32 + s.packPos
	for _, n := range s.packSizes {
		end += n
		if end < n || end > uint64(dataEnd) {
			return malformed(SevenZip, path, "its packed data lies beyond the file", "压缩数据超出文件范围")
		}
	}
	var total uint64
	k := 0
	for _, f := range s.folders {
		var packed uint64
		for range f.packedStreams {
			packed += s.packSizes[k]
			k++
		}
		unpack := f.unpackSize()
		total = min(total+unpack, 1<<62)
		if total > uint64(int64(w.cfg.MaxExpandedSize)-w.expanded) {
			return limitErr(RuleMaxExpanded, LimitExpanded, w.cfg.MaxExpandedSize, ferry.Bytes(satAdd(w.expanded, int64(total))), path)
		}
		if unpack > RatioFloor && float64(unpack) > w.cfg.MaxRatio*float64(max(packed, 1)) {
			return limitErr(RuleMaxRatio, LimitRatio, w.cfg.MaxRatio, ratioValue(float64(unpack)/float64(max(packed, 1))), path)
		}
		fi := szFolderInfo{}
		for i, c := range f.coders {
			var out uint64
			if i < len(f.sizes) {
				out = f.sizes[i]
			}
			mem, known := szCoderMemory(c, out)
			switch {
			case c.id == szAES:
				fi.encrypted = true
			case !known && fi.unsupported == "":
				fi.unsupported = hex.EncodeToString([]byte(c.id))
			}
			fi.memory += mem
		}
		info.memory = max(info.memory, fi.memory)
		info.folders = append(info.folders, fi)
	}
	return nil
}

// szCoderMemory is the memory a coder's decoder allocates, as the decoders
// the library uses do: LZMA a dictionary of at most the output size,
// LZMA2 its whole dictionary, PPMd its model. known is false for a coder
// the walker does not unpack.
func szCoderMemory(c szCoder, out uint64) (mem int64, known bool) {
	switch c.id {
	case szLZMA:
		if len(c.props) != 5 {
			return 0, true // the decoder refuses it
		}
		return int64(max(min(uint64(le32(c.props[1:])), out), 4096)), true
	case szLZMA2:
		if len(c.props) != 1 || c.props[0] > 40 {
			return 0, true
		}
		return int64(2|c.props[0]&1) << (c.props[0]/2 + 11), true
	case szPPMd:
		if len(c.props) != 5 {
			return 0, true
		}
		return int64(le32(c.props[1:])), true
	case szCopy, szDelta, szBCJ, szBCJ2, szPPC, szARM, szSPARC, szARM64, szDeflat, szBZip2, szAES:
		return 0, true
	}
	return 0, false
}

var errSzEncrypted = errors.New("7z: encrypted header")

// headerMemory is what decoding the encoded header claims.
func (w *walker) headerMemory(s *szStreams) int64 {
	if len(s.folders) != 1 || len(s.folders[0].coders) != 1 {
		return 0
	}
	f := s.folders[0]
	mem, _ := szCoderMemory(f.coders[0], f.unpackSize())
	return mem
}

// decode7zHeader unpacks an encoded header: one folder of one coder, copy,
// LZMA or LZMA2 (what 7-Zip writes), its output at most capHeader bytes
// and its dictionary within the budget. errSzEncrypted for an encrypted
// header.
func (w *walker) decode7zHeader(lv *level, ra io.ReaderAt, s *szStreams, dataEnd int64, capHeader uint64) ([]byte, error) {
	path := displayPath(lv.path)
	if len(s.folders) != 1 || len(s.packSizes) < 1 {
		return nil, malformed(SevenZip, path, "its encoded header has no single folder", "编码的文件头不是单一的文件夹")
	}
	f := s.folders[0]
	for _, c := range f.coders {
		if c.id == szAES {
			return nil, errSzEncrypted
		}
	}
	unpack := f.unpackSize()
	if unpack == 0 || unpack > capHeader {
		return nil, limitErr(RuleMaxEntries, LimitEntries, w.cfg.MaxEntries, fmt.Sprintf("a header of %d bytes", unpack), path)
	}
	start, n := 32+s.packPos, s.packSizes[0]
	if start > uint64(dataEnd) || n > uint64(dataEnd)-start {
		return nil, malformed(SevenZip, path, "its packed data lies beyond the file", "压缩数据超出文件范围")
	}
	if len(f.coders) != 1 {
		return nil, unsupportedMethod(SevenZip, "header of several coders", "copy, LZMA, LZMA2", path)
	}
	mem, _ := szCoderMemory(f.coders[0], unpack)
	if err := w.claim(mem, lv.path); err != nil {
		return nil, err
	}
	defer w.release(mem)
	packed := io.NewSectionReader(ra, int64(start), int64(n))
	var r io.Reader
	c := f.coders[0]
	switch c.id {
	case szCopy:
		r = packed
	case szLZMA:
		if len(c.props) != 5 {
			return nil, malformed(SevenZip, path, "its header's LZMA properties are invalid", "文件头的 LZMA 参数无效")
		}
		var sz [8]byte
		binary.LittleEndian.PutUint64(sz[:], unpack)
		lr, err := lzma.ReaderConfig{DictCap: int(max(mem, lzma.MinDictCap))}.NewReader(
			io.MultiReader(bytes.NewReader(c.props), bytes.NewReader(sz[:]), packed))
		if err != nil {
			return nil, unreadable(SevenZip, path, err)
		}
		r = lr
	case szLZMA2:
		if mem == 0 {
			return nil, malformed(SevenZip, path, "its header's LZMA2 properties are invalid", "文件头的 LZMA2 参数无效")
		}
		lr, err := lzma.Reader2Config{DictCap: int(max(mem, lzma.MinDictCap))}.NewReader2(packed)
		if err != nil {
			return nil, unreadable(SevenZip, path, err)
		}
		r = lr
	default:
		return nil, unsupportedMethod(SevenZip, hex.EncodeToString([]byte(c.id)), "copy, LZMA, LZMA2", path)
	}
	out := make([]byte, unpack)
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, unreadable(SevenZip, path, err)
	}
	return out, nil
}
