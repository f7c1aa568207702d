package archive

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/therootcompany/xz"

	"github.com/ferryhq/ferry"
)

// xz (.xz, .txz, .tar.xz) is decoded with github.com/therootcompany/xz (a
// Go port of XZ Embedded: every filter the format defined up to xz 5.2 —
// LZMA2 with delta and the BCJ filters — about five times the speed of
// github.com/ulikunitz/xz here, which also allocates whatever dictionary a
// block declares, up to 4 GiB). Before a byte is decoded, the file's
// structure is read from its end, as xz --list does: each stream's footer
// and index give where its blocks are, and each block header its filters
// and dictionary. The largest dictionary comes out of max_dictionary_size
// (5003 when it does not fit) and bounds the decoder; a filter it does
// not know (ARM64 and RISC-V BCJ, newer than the port) is refused as a
// method that cannot be unpacked; a file whose structure does not add up
// is refused as unreadable. Only then does the decoder run, over the same
// bytes, its output counted and bounded like gzip's and a tar inside
// walked as part of the same level ("x.tar.xz/docs/a.txt").

// xzBlock is what a block header tells.
type xzBlock struct {
	dict int64 // the LZMA2 dictionary
}

const (
	xzHeaderLen  = 12
	xzFooterLen  = 12
	lzma2Filter  = 0x21
	xzMaxHeader  = 1024
	xzCheckEvery = 1024 // blocks between two looks at the context
)

var (
	xzMagic       = []byte{0xfd, '7', 'z', 'X', 'Z', 0}
	xzFooterMagic = []byte{'Y', 'Z'}
	errXzFormat   = errors.New("not a well-formed xz file")
)

// walkXz checks the xz file's blocks, claims the largest dictionary, then
// walks its decompressed content.
func (w *walker) walkXz(lv *level, ra io.ReaderAt, size int64) error {
	dict, method, err := w.xzDictionary(ra, size)
	if err != nil {
		return w.readErr(lv, lv.path, err)
	}
	if method != "" {
		return unsupportedMethod(Xz, method, xzFilters, displayPath(lv.path))
	}
	dict = max(dict, 4<<10)
	if err := w.claim(dict, lv.path); err != nil {
		return err
	}
	defer w.release(dict)
	in := bufio.NewReaderSize(&countReader{r: io.NewSectionReader(ra, 0, size), n: lv.in}, HeadLen)
	xr, err := xz.NewReader(in, uint32(dict))
	if err != nil {
		return w.readErr(lv, lv.path, w.xzErr(lv, err))
	}
	return w.walkDecoded(lv, &xzReader{w: w, lv: lv, r: xr}, "")
}

// xzDictionary reads the structure of the xz file in ra, streams from the
// last to the first, and returns the largest dictionary its blocks
// declare, or the first filter that is not LZMA2 alone ("" for none).
func (w *walker) xzDictionary(ra io.ReaderAt, size int64) (dict int64, method string, err error) {
	if size%4 != 0 { // every stream and its padding are whole 4-byte words
		return 0, "", errXzFormat
	}
	end := size
	streams := 0
	for {
		// Stream padding: zero words, after any stream. A stream ends
		// with "YZ", so the padding is found going back.
		var word [4]byte
		for end >= 4 {
			if _, err := ra.ReadAt(word[:], end-4); err != nil {
				return 0, "", err
			}
			if word != [4]byte{} {
				break
			}
			end -= 4
		}
		if end == 0 && streams > 0 {
			break
		}
		start, d, m, err := w.xzStream(ra, end)
		if err != nil || m != "" {
			return 0, m, err
		}
		dict = max(dict, d)
		end = start
		streams++
	}
	return dict, "", nil
}

// xzStream reads the stream that ends at end and returns where it starts,
// its largest dictionary, or a filter it cannot decode.
func (w *walker) xzStream(ra io.ReaderAt, end int64) (start, dict int64, method string, err error) {
	if end < xzHeaderLen+xzFooterLen {
		return 0, 0, "", errXzFormat
	}
	var foot [xzFooterLen]byte
	if _, err := ra.ReadAt(foot[:], end-xzFooterLen); err != nil {
		return 0, 0, "", err
	}
	if string(foot[10:]) != string(xzFooterMagic) {
		return 0, 0, "", errXzFormat
	}
	indexSize := (int64(binary.LittleEndian.Uint32(foot[4:8])) + 1) * 4
	indexStart := end - xzFooterLen - indexSize
	if indexStart < xzHeaderLen {
		return 0, 0, "", errXzFormat
	}
	// The index: its records give each block's unpadded size, in order.
	// A first pass finds where the blocks start; a second reads their
	// headers.
	records := func(each func(unpadded int64) error) error {
		br := bufio.NewReader(io.NewSectionReader(ra, indexStart, indexSize))
		if b, err := br.ReadByte(); err != nil || b != 0 {
			return errXzFormat
		}
		n, err := binary.ReadUvarint(br)
		if err != nil || n > uint64(indexSize) {
			return errXzFormat
		}
		for i := uint64(0); i < n; i++ {
			if i%xzCheckEvery == 0 {
				if err := w.ctx.Err(); err != nil {
					return err
				}
			}
			unpadded, err1 := binary.ReadUvarint(br)
			_, err2 := binary.ReadUvarint(br) // the uncompressed size: counted as it comes out
			if err1 != nil || err2 != nil || unpadded < 5 || unpadded > uint64(indexSize+end) {
				return errXzFormat
			}
			if err := each(int64(unpadded)); err != nil {
				return err
			}
		}
		return nil
	}
	var blocks int64
	if err := records(func(u int64) error { blocks += (u + 3) &^ 3; return nil }); err != nil {
		return 0, 0, "", err
	}
	start = indexStart - blocks - xzHeaderLen
	if start < 0 {
		return 0, 0, "", errXzFormat
	}
	var head [xzHeaderLen]byte
	if _, err := ra.ReadAt(head[:], start); err != nil {
		return 0, 0, "", err
	}
	if string(head[:6]) != string(xzMagic) || head[6] != foot[8] || head[7] != foot[9] {
		return 0, 0, "", errXzFormat
	}
	at := start + xzHeaderLen
	err = records(func(u int64) error {
		b, m, err := readXzBlockHeader(ra, at)
		if err != nil {
			return err
		}
		if m != "" {
			method = m
			return errStop
		}
		dict = max(dict, b.dict)
		at += (u + 3) &^ 3
		return nil
	})
	if errors.Is(err, errStop) {
		return 0, 0, method, nil
	}
	if err != nil {
		return 0, 0, "", err
	}
	return start, dict, "", nil
}

// errStop ends a walk over the index early.
var errStop = errors.New("stop")

// readXzBlockHeader reads the block header at off.
func readXzBlockHeader(ra io.ReaderAt, off int64) (xzBlock, string, error) {
	var b [xzMaxHeader]byte
	if _, err := ra.ReadAt(b[:1], off); err != nil {
		return xzBlock{}, "", err
	}
	n := (int(b[0]) + 1) * 4
	if b[0] == 0 { // an index indicator where a block should be
		return xzBlock{}, "", errXzFormat
	}
	if _, err := ra.ReadAt(b[:n], off); err != nil {
		return xzBlock{}, "", err
	}
	h := b[2 : n-4] // after the size and flags, before the CRC32
	flags := b[1]
	if flags&0x3c != 0 {
		return xzBlock{}, "", errXzFormat
	}
	filters := int(flags&3) + 1
	for _, has := range []bool{flags&0x40 != 0, flags&0x80 != 0} { // compressed, uncompressed size
		if has {
			_, k := binary.Uvarint(h)
			if k <= 0 {
				return xzBlock{}, "", errXzFormat
			}
			h = h[k:]
		}
	}
	var blk xzBlock
	for i := 0; i < filters; i++ {
		id, k := binary.Uvarint(h)
		if k <= 0 {
			return xzBlock{}, "", errXzFormat
		}
		h = h[k:]
		psize, k := binary.Uvarint(h)
		if k <= 0 || psize > uint64(len(h)-k) {
			return xzBlock{}, "", errXzFormat
		}
		props := h[k : k+int(psize)]
		h = h[k+int(psize):]
		last := i == filters-1
		switch {
		case last && id == lzma2Filter:
			if len(props) != 1 || props[0] > 40 {
				return xzBlock{}, "", errXzFormat
			}
			blk.dict = lzma2Dict(props[0])
		case !last && id >= 0x03 && id <= 0x09: // delta, the BCJ filters of x86, PowerPC, IA-64, ARM, ARM-Thumb, SPARC
		default:
			return xzBlock{}, xzFilterName(id), nil
		}
	}
	return blk, "", nil
}

// xzFilters is what a refusal says the decoder takes.
const xzFilters = "xz: LZMA2, after delta or the BCJ filters of x86, PowerPC, IA-64, ARM, ARM-Thumb, SPARC"

// xzReader turns the decoder's refusals into coded errors.
type xzReader struct {
	w  *walker
	lv *level
	r  io.Reader
}

func (x *xzReader) Read(p []byte) (int, error) {
	n, err := x.r.Read(p)
	if err != nil && err != io.EOF {
		err = x.w.xzErr(x.lv, err)
	}
	return n, err
}

// xzErr is the coded error of a decoder's refusal, or err itself.
func (w *walker) xzErr(lv *level, err error) error {
	switch {
	case errors.Is(err, xz.ErrMemlimit):
		return w.fail(limitErr(RuleMaxDictionary, LimitDictionary, w.cfg.MaxDictionarySize, ferry.Bytes(w.dict+1), displayPath(lv.path)))
	case errors.Is(err, xz.ErrOptions), errors.Is(err, xz.ErrUnsupportedCheck):
		return w.fail(unsupportedMethod(Xz, err.Error(), xzFilters, displayPath(lv.path)))
	}
	return err
}

// lzma2Dict is the dictionary size an LZMA2 property byte declares.
func lzma2Dict(p byte) int64 {
	if p == 40 {
		return 1<<32 - 1
	}
	return int64(2|p&1) << (p/2 + 11)
}

// xzFilterName names an xz filter ID for a refusal.
func xzFilterName(id uint64) string {
	switch id {
	case 0x03:
		return "xz delta filter"
	case 0x04, 0x05, 0x06, 0x07, 0x08, 0x09:
		return "xz BCJ filter"
	case 0x0a:
		return "xz ARM64 BCJ filter"
	case 0x0b:
		return "xz RISC-V BCJ filter"
	case lzma2Filter:
		return "xz LZMA2 before another filter"
	}
	return fmt.Sprintf("xz filter 0x%x", id)
}
