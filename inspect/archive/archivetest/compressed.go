package archivetest

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

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
