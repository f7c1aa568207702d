package archive

import (
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/klauspost/compress/zstd"

	"github.com/ferryhq/ferry"
)

// walkCompressed walks a compressed stream (gzip, bzip2, zstd). Its
// decompressed bytes are counted as they come out; a tar inside is walked
// as part of the same level ("x.tar.gz/docs/a.txt"), anything else is the
// stream's one entry, named by the gzip header or by the file's name
// without its extension ("notes.txt.gz/notes.txt").
func (w *walker) walkCompressed(lv *level, r io.Reader) error {
	in := bufio.NewReaderSize(&countReader{r: r, n: lv.in}, HeadLen)
	dec, name, done, err := w.decompressor(lv, in)
	if err != nil {
		return err
	}
	defer done()
	return w.walkDecoded(lv, dec, name)
}

// walkDecoded walks what a decompressor of lv's stream puts out, counted
// as it comes: a tar inside as part of the same level, anything else as
// the stream's one entry, named name or, for "", by the file's name
// without its extension.
func (w *walker) walkDecoded(lv *level, dec io.Reader, name string) error {
	lv.decompressed = true
	out := bufio.NewReaderSize(&meter{w: w, lv: lv, e: &Entry{Path: lv.path, PackedSize: -1}, r: dec, count: true}, HeadLen)
	head, err := out.Peek(HeadLen)
	if err != nil && err != io.EOF {
		return w.readErr(lv, lv.path, err)
	}
	if Detect(head) == Tar {
		return w.walkTar(lv, out)
	}
	if name == "" {
		name = strippedName(lv.path)
	}
	m := &member{name: name, nameOK: true, declared: -1, packed: -1}
	return w.entry(lv, m, func() (io.ReadCloser, error) { return io.NopCloser(out), nil })
}

// decompressor opens the stream of lv's format; done releases it and the
// dictionary memory it claimed.
func (w *walker) decompressor(lv *level, in *bufio.Reader) (io.Reader, string, func(), error) {
	nop := func() {}
	switch lv.format {
	case Gzip:
		zr, err := gzip.NewReader(in)
		if err != nil {
			return nil, "", nop, w.readErr(lv, lv.path, err)
		}
		name := ""
		if zr.Name != "" {
			name = path.Base(strings.ReplaceAll(zr.Name, `\`, "/"))
		}
		return zr, name, nop, nil
	case Bzip2:
		return bzip2.NewReader(in), "", nop, nil
	case Zstd:
		head, _ := in.Peek(18)
		window := max(zstdWindow(head), 1<<20)
		if err := w.claim(window, lv.path); err != nil {
			return nil, "", nop, err
		}
		zr, err := zstd.NewReader(in, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(uint64(window)), zstd.WithDecoderMaxMemory(uint64(window)))
		if err != nil {
			w.release(window)
			return nil, "", nop, w.readErr(lv, lv.path, err)
		}
		return &zstdReader{w: w, path: lv.path, window: window, d: zr}, "", func() { zr.Close(); w.release(window) }, nil
	}
	return nil, "", nop, errors.New("inspect/archive: not a compressed stream: " + string(lv.format))
}

// strippedName is the name of a compressed file's content: "a.txt.gz" →
// "a.txt", "x.tgz" → "x.tar", "data.zst" → "data", "y.txz" → "y.tar"; its base name alone.
func strippedName(p string) string {
	base := p[strings.LastIndexByte(p, '/')+1:]
	lower := strings.ToLower(base)
	for ext, repl := range map[string]string{".tgz": ".tar", ".tbz2": ".tar", ".tbz": ".tar", ".tzst": ".tar", ".txz": ".tar"} {
		if strings.HasSuffix(lower, ext) {
			return base[:len(base)-len(ext)] + repl
		}
	}
	for _, ext := range []string{".gz", ".gzip", ".bz2", ".zst", ".zstd", ".xz"} {
		if strings.HasSuffix(lower, ext) && len(base) > len(ext) {
			return base[:len(base)-len(ext)]
		}
	}
	return base + ".data"
}

// zstdWindow reads the window size a zstd frame header declares; 0 when
// head is not one.
func zstdWindow(h []byte) int64 {
	if len(h) < 6 || binary.LittleEndian.Uint32(h) != 0xfd2fb528 {
		return 0
	}
	fhd := h[4]
	if fhd&0x20 == 0 { // a window descriptor follows
		exp, mant := int64(h[5]>>3), int64(h[5]&7)
		base := int64(1) << (10 + exp)
		return base + base/8*mant
	}
	off := 5 + []int{0, 1, 2, 4}[fhd&3] // dictionary ID
	switch fhd >> 6 {                   // single segment: the window is the content size
	case 0:
		if len(h) > off {
			return int64(h[off])
		}
	case 1:
		if len(h) >= off+2 {
			return int64(binary.LittleEndian.Uint16(h[off:])) + 256
		}
	case 2:
		if len(h) >= off+4 {
			return int64(binary.LittleEndian.Uint32(h[off:]))
		}
	case 3:
		if len(h) >= off+8 {
			return int64(min(binary.LittleEndian.Uint64(h[off:]), 1<<62))
		}
	}
	return 1 << 62
}

// zstdReader turns the decoder's refusal of a larger window into the limit.
type zstdReader struct {
	w      *walker
	path   string
	window int64
	d      *zstd.Decoder
}

func (z *zstdReader) Read(p []byte) (int, error) {
	n, err := z.d.Read(p)
	if errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded) {
		err = z.w.fail(limitErr(RuleMaxDictionary, LimitDictionary, z.w.cfg.MaxDictionarySize, ferry.Bytes(z.window+1), displayPath(z.path)))
	}
	return n, err
}

// claim takes n bytes of dictionary memory from the budget, or returns
// 5003 max_dictionary_size.
func (w *walker) claim(n int64, path string) error {
	if n > int64(w.cfg.MaxDictionarySize)-w.dict {
		return limitErr(RuleMaxDictionary, LimitDictionary, w.cfg.MaxDictionarySize, ferry.Bytes(satAdd(w.dict, n)), displayPath(path))
	}
	w.dict += n
	return nil
}

func (w *walker) release(n int64) { w.dict -= n }
