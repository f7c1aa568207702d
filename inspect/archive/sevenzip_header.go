package archive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// The 7z header is parsed here before github.com/bodgit/sevenzip parses it:
// that library sizes its slices by counts it reads from the header (up to
// 2^32 of them), so a header of a few bytes could make it allocate
// gigabytes. This parser follows the library's reading step by step, so
// that both see the same fields, and refuses counts that the header's own
// length, the entry budget or the structure cannot back, and the indices
// that would make the library index out of range.

// Property IDs of the 7z header.
const (
	szEnd = iota
	szHeader
	szArchiveProperties
	szAdditionalStreamsInfo
	szMainStreamsInfo
	szFilesInfo
	szPackInfo
	szUnpackInfo
	szSubStreamsInfo
	szSize
	szCRC
	szFolder
	szCodersUnpackSize
	szNumUnpackStream
	szEmptyStream
	szEmptyFile
	szAnti
	szName
	szCTime
	szATime
	szMTime
	szWinAttributes
	szComment
	szEncodedHeader
	szStartPos
	szDummy
)

var errSzFormat = errors.New("7z: malformed header")

// szParser reads a header held in memory; the first error sticks.
type szParser struct {
	b   []byte
	err error
	// maxItems bounds every count of the header: files, folders,
	// streams. Counts beyond it are refused before the library sees them.
	maxItems uint64
	// declaredFiles is the file count of the FilesInfo, as declared.
	declaredFiles uint64
}

func (p *szParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%w: "+format, append([]any{errSzFormat}, args...)...)
	}
}

func (p *szParser) byte() byte {
	if p.err != nil {
		return 0
	}
	if len(p.b) == 0 {
		p.fail("truncated")
		return 0
	}
	c := p.b[0]
	p.b = p.b[1:]
	return c
}

func (p *szParser) bytes(n uint64) []byte {
	if p.err != nil {
		return nil
	}
	if n > uint64(len(p.b)) {
		p.fail("truncated")
		return nil
	}
	out := p.b[:n:n]
	p.b = p.b[n:]
	return out
}

// number reads a 7z NUMBER, as the library's readUint64.
func (p *szParser) number() uint64 {
	b := p.byte()
	l := bits.LeadingZeros8(^b)
	var v uint64
	if l < 7 {
		v |= uint64(b&((1<<(8-l))-1)) << (8 * l)
	}
	for i := range l {
		v |= uint64(p.byte()) << (8 * i)
	}
	return v
}

// count reads a count that the library allocates by: non-zero where the
// library wants it so, and at most maxItems.
func (p *szParser) count(nonZero bool) uint64 {
	v := p.number()
	if p.err == nil && (nonZero && v == 0 || v > p.maxItems) {
		p.fail("count %d out of range", v)
	}
	return v
}

// bools reads n bits; it returns how many are set.
func (p *szParser) bools(n uint64) (set uint64, vec []bool) {
	if p.err == nil && (n == 0 || n > p.maxItems) {
		p.fail("bit vector of %d", n)
	}
	b := p.bytes((n + 7) / 8)
	if p.err != nil {
		return 0, nil
	}
	vec = make([]bool, n)
	for i := range vec {
		vec[i] = b[i/8]&(0x80>>(i%8)) != 0
		if vec[i] {
			set++
		}
	}
	return set, vec
}

// optionalBools reads an "all defined" byte and, when it is 0, n bits; it
// returns how many are defined.
func (p *szParser) optionalBools(n uint64) uint64 {
	if p.err == nil && (n == 0 || n > p.maxItems) {
		p.fail("bit vector of %d", n)
	}
	if p.byte() != 0 {
		return n
	}
	set, _ := p.bools(n)
	return set
}

// crcs reads n digests, as the library's readCRC.
func (p *szParser) crcs(n uint64) []bool {
	if p.err == nil && (n == 0 || n > p.maxItems) {
		p.fail("digests of %d", n)
		return nil
	}
	var defined []bool
	if p.byte() != 0 {
		defined = make([]bool, n)
		for i := range defined {
			defined[i] = true
		}
	} else {
		_, defined = p.bools(n)
	}
	for _, d := range defined {
		if d {
			p.bytes(4)
		}
	}
	return defined
}

// szCoder is one coder of a folder.
type szCoder struct {
	id      string
	in, out uint64
	props   []byte
}

// szFold is one folder: a chain of coders that unpacks one or more pack
// streams into one output.
type szFold struct {
	coders        []szCoder
	in, out       uint64
	bindIn        map[uint64]bool
	bindOut       map[uint64]bool
	packedStreams uint64
	sizes         []uint64 // one per output stream of its coders
	streams       uint64   // files in it (substreams)
}

// unpackSize is the size of the folder's final output, as the library
// computes it: the last output stream that no bind pair consumes.
func (f *szFold) unpackSize() uint64 {
	for i := len(f.sizes) - 1; i >= 0; i-- {
		if !f.bindOut[uint64(i)] {
			return f.sizes[i]
		}
	}
	if len(f.sizes) == 0 {
		return 0
	}
	return f.sizes[len(f.sizes)-1]
}

// szStreams is a StreamsInfo: where packed data is and how it unpacks.
type szStreams struct {
	packPos    uint64
	packSizes  []uint64
	folders    []*szFold
	hasUnpack  bool
	hasSubs    bool
	subSizes   bool // the SubStreamsInfo gave sizes
	subStreams uint64
}

func (p *szParser) packInfo(s *szStreams) {
	s.packPos = p.number()
	n := p.count(true)
	id := p.byte()
	if id == szSize {
		s.packSizes = make([]uint64, 0, min(n, 1024))
		for range n {
			if p.err != nil {
				return
			}
			s.packSizes = append(s.packSizes, p.number())
		}
		id = p.byte()
	}
	if id == szCRC {
		p.crcs(n)
		id = p.byte()
	}
	if id != szEnd {
		p.fail("pack info")
	}
	if s.packSizes == nil && p.err == nil {
		s.packSizes = make([]uint64, 0) // no sizes: folders reading them would fail
	}
}

func (p *szParser) coder() szCoder {
	v := p.byte()
	c := szCoder{id: string(p.bytes(uint64(v & 0xf))), in: 1, out: 1}
	if v&0x10 != 0 {
		c.in, c.out = p.count(true), p.count(true)
		if p.err == nil && (c.in > 64 || c.out > 64) {
			p.fail("coder with %d inputs and %d outputs", c.in, c.out)
		}
	}
	if v&0x20 != 0 {
		n := p.count(true)
		c.props = p.bytes(n)
	}
	return c
}

func (p *szParser) folder() *szFold {
	f := &szFold{bindIn: map[uint64]bool{}, bindOut: map[uint64]bool{}}
	n := p.count(true)
	if p.err == nil && n > 64 {
		p.fail("folder with %d coders", n)
	}
	for range n {
		if p.err != nil {
			return f
		}
		c := p.coder()
		f.coders = append(f.coders, c)
		f.in += c.in
		f.out += c.out
	}
	if p.err == nil && f.in < f.out {
		p.fail("folder with more outputs than inputs")
	}
	if p.err != nil {
		return f
	}
	for range f.out - 1 {
		in, out := p.number(), p.number()
		if p.err == nil && (in >= f.in || out >= f.out || f.bindIn[in] || f.bindOut[out]) {
			p.fail("bind pair out of range")
		}
		f.bindIn[in], f.bindOut[out] = true, true
	}
	f.packedStreams = f.in - (f.out - 1)
	if f.packedStreams != 1 {
		for range f.packedStreams {
			if idx := p.number(); p.err == nil && idx >= f.in {
				p.fail("packed stream index out of range")
			}
		}
	}
	return f
}

func (p *szParser) unpackInfo(s *szStreams) {
	if p.byte() != szFolder {
		p.fail("unpack info")
	}
	n := p.count(true)
	if p.byte() != 0 {
		p.fail("external folders")
	}
	for range n {
		if p.err != nil {
			return
		}
		s.folders = append(s.folders, p.folder())
	}
	if p.byte() != szCodersUnpackSize {
		p.fail("unpack sizes")
	}
	for _, f := range s.folders {
		f.sizes = make([]uint64, f.out)
		for i := range f.sizes {
			f.sizes[i] = p.number()
		}
	}
	id := p.byte()
	if id == szCRC {
		p.crcs(n)
		id = p.byte()
	}
	if id != szEnd {
		p.fail("unpack info end")
	}
	s.hasUnpack = true
}

func (p *szParser) subStreamsInfo(s *szStreams) {
	s.hasSubs = true
	id := p.byte()
	for _, f := range s.folders {
		f.streams = 1
	}
	if id == szNumUnpackStream {
		for _, f := range s.folders {
			f.streams = p.number()
			if p.err == nil && f.streams > p.maxItems {
				p.fail("%d files in a folder", f.streams)
			}
		}
		id = p.byte()
	}
	var files uint64
	for _, f := range s.folders {
		files += f.streams
	}
	if p.err == nil && files > p.maxItems {
		p.fail("%d files in folders", files)
	}
	s.subStreams = files
	if id == szSize {
		s.subSizes = true
		for _, f := range s.folders {
			var total uint64
			for j := uint64(1); j < f.streams && p.err == nil; j++ {
				v := p.number()
				if total+v < total {
					p.fail("sizes overflow")
				}
				total += v
			}
			if p.err == nil && f.streams > 0 && total > f.unpackSize() {
				p.fail("file sizes exceed their folder")
			}
		}
		id = p.byte()
	}
	if id == szCRC {
		p.crcs(files)
		id = p.byte()
	}
	if id != szEnd {
		p.fail("substreams end")
	}
}

func (p *szParser) streamsInfo() *szStreams {
	s := &szStreams{}
	id := p.byte()
	if id == szPackInfo {
		p.packInfo(s)
		id = p.byte()
	}
	if id == szUnpackInfo {
		p.unpackInfo(s)
		id = p.byte()
	}
	if id == szSubStreamsInfo {
		if !s.hasUnpack {
			p.fail("substreams without folders")
		}
		p.subStreamsInfo(s)
		id = p.byte()
	}
	if id != szEnd {
		p.fail("streams info end")
	}
	if p.err == nil {
		p.checkStreams(s)
	}
	return s
}

// checkStreams holds the folders to what reading them needs: every pack
// stream they use has a size, and a folder of several files has their
// sizes.
func (p *szParser) checkStreams(s *szStreams) {
	var packed uint64
	for _, f := range s.folders {
		packed += f.packedStreams
		if f.streams > 1 && !s.subSizes {
			p.fail("folder of several files without their sizes")
		}
	}
	if len(s.folders) > 0 && packed > uint64(len(s.packSizes)) {
		p.fail("folders use %d pack streams of %d", packed, len(s.packSizes))
	}
}

// szFiles is what the walker needs of a FilesInfo.
type szFiles struct {
	count    uint64
	nonEmpty uint64
}

func (p *szParser) filesInfo() szFiles {
	n := p.number()
	p.declaredFiles = n
	if p.err == nil && (n == 0 || n > p.maxItems) {
		p.fail("%d files", n)
	}
	fi := szFiles{count: n}
	fi.nonEmpty = fi.count
	var empty uint64
	for p.err == nil {
		prop := p.byte()
		if prop == szEnd {
			break
		}
		length := p.number()
		switch prop {
		case szEmptyStream:
			empty, _ = p.bools(fi.count)
			fi.nonEmpty = fi.count - empty
		case szEmptyFile:
			p.bools(empty)
		case szCTime, szATime, szMTime:
			n := p.optionalBools(fi.count)
			if p.byte() != 0 {
				p.fail("external times")
			}
			p.bytes(8 * n)
		case szName:
			if length == 0 || length > uint64(len(p.b)) {
				p.fail("names")
			}
			if p.byte() != 0 {
				p.fail("external names")
			}
			p.bytes(length - 1)
		case szWinAttributes:
			n := p.optionalBools(fi.count)
			if p.byte() != 0 {
				p.fail("external attributes")
			}
			p.bytes(4 * n)
		case szDummy:
			p.bytes(length)
		default:
			p.fail("file property %d", prop)
		}
	}
	return fi
}

// szHeaderInfo is a parsed header.
type szHeaderInfo struct {
	streams *szStreams // nil when the archive has none
	files   szFiles
}

// header parses a Header (after its kHeader byte) and checks that files
// and streams agree as the library will map them.
func (p *szParser) header() szHeaderInfo {
	var h szHeaderInfo
	id := p.byte()
	if id == szArchiveProperties || id == szAdditionalStreamsInfo {
		p.fail("property %d", id)
	}
	if id == szMainStreamsInfo {
		h.streams = p.streamsInfo()
		id = p.byte()
	}
	if id == szFilesInfo {
		h.files = p.filesInfo()
		id = p.byte()
	}
	if id != szEnd {
		p.fail("header end")
	}
	if p.err != nil || h.streams == nil || h.files.count == 0 {
		return h
	}
	s := h.streams
	switch {
	case h.files.nonEmpty > 0 && (!s.hasSubs || len(s.folders) == 0):
		p.fail("files without folders")
	case s.hasSubs && h.files.nonEmpty != s.subStreams:
		p.fail("%d files with content in %d streams", h.files.nonEmpty, s.subStreams)
	}
	return h
}

// le32 reads a little-endian uint32 from the first bytes of b (0 if short).
func le32(b []byte) uint32 {
	if len(b) < 4 {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}
