package archive

import (
	"bytes"
	"encoding/binary"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/inspect/archive/archivetest"
)

func TestWalkXz(t *testing.T) {
	tarball := tarOf(t, ent("docs/a.txt", "alpha"), ent("b.txt", "beta"))
	text := []byte(strings.Repeat("alpha beta gamma delta\n", 3000)) // 69 000 bytes
	one, two := []byte("first stream\n"), []byte("second stream\n")
	twoStreams := slices.Concat(xzOf(t, one, 1<<20, 0), make([]byte, 8), xzOf(t, two, 1<<20, 0), make([]byte, 4))
	for _, tc := range []struct {
		name, file string
		data       []byte
		paths      []string
		body       string // of the last entry: its first 64 bytes
		size       int64  // of the last entry
	}{
		{"tar.xz", "x.tar.xz", xzOf(t, tarball, 1<<20, 0), []string{"x.tar.xz/docs/a.txt", "x.tar.xz/b.txt"}, "beta", 4},
		{"txz", "x.txz", xzOf(t, tarball, 1<<20, 0), []string{"x.txz/docs/a.txt", "x.txz/b.txt"}, "beta", 4},
		{"text", "notes.txt.xz", xzOf(t, text, 1<<20, 0), []string{"notes.txt.xz/notes.txt"}, string(text[:64]), int64(len(text))},
		{"many blocks", "notes.txt.xz", xzOf(t, text, 1<<20, 4096), []string{"notes.txt.xz/notes.txt"}, string(text[:64]), int64(len(text))},
		{"two streams and padding", "two.xz", twoStreams, []string{"two.xz/two"}, "first stream\nsecond stream\n", int64(len(one) + len(two))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, w, err := walkBytes(t, tc.file, tc.data, nil)
			pass().check(t, err)
			if !slices.Equal(paths(got), tc.paths) {
				t.Fatalf("paths = %q, want %q", paths(got), tc.paths)
			}
			last := got[len(got)-1]
			if last.Body != tc.body || last.Size != tc.size {
				t.Errorf("last entry = %s, want body %q size %d", last, tc.body, tc.size)
			}
			if w.dict != 0 {
				t.Errorf("dictionary budget left claimed: %d", w.dict)
			}
		})
	}
	// Many blocks: the file really has them.
	if x := xzOf(t, text, 1<<20, 4096); bytes.Count(x, []byte{0x02, 0x00, 0x21, 0x01}) < 10 {
		t.Errorf("%d bytes of xz in blocks of 4096: fewer than 10 block headers", len(x))
	}
}

func TestWalkXzRefusals(t *testing.T) {
	lnk := []byte("L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00F")
	good := xzOf(t, []byte(strings.Repeat("some text\n", 500)), 1<<20, 0)
	hugeDict := archivetest.XzHugeDict(t, []byte("some text\n"))
	bcj := xzPatchBlock(good, func(h []byte) { h[archivetest.XzFilterAt(t, h)] = 0x04 }) // x86 BCJ
	arm64 := xzPatchBlock(good, func(h []byte) { h[archivetest.XzFilterAt(t, h)] = 0x0a })
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)/2] ^= 0x55
	bomb := xzOf(t, make([]byte, 8<<20), 1<<20, 0)
	// A checksum that fails only after more than the head of the content
	// was read: the visitor's read gets the coded error.
	long := xzOf(t, randomText(200_000), 1<<20, 0)
	long[len(long)-xzFooterLen-xzIndexLen(long)-5] ^= 0x01 // in the block's CRC64
	for _, tc := range []struct {
		name, file string
		data       []byte
		cfg        *Config
		want       want
	}{
		{"declared dictionary of 4 GiB", "d.xz", hugeDict, nil,
			fails(ferry.CodeArchiveLimit, "limit_name", LimitDictionary, "path", "d.xz", "limit", ferry.Bytes(128<<20))},
		{"dictionary over a lower limit", "d.xz", xzOf(t, []byte("x"), 8<<20, 0),
			cfgWith(func(c *Config) { c.MaxDictionarySize = 4 << 20 }), limit(LimitDictionary, "d.xz")},
		{"BCJ filter last", "b.tar.xz", bcj, nil,
			fails(ferry.CodeArchiveLimit, "limit_name", LimitMethod, "actual", "xz BCJ filter", "path", "b.tar.xz")},
		{"ARM64 filter", "b.tar.xz", arm64, nil,
			fails(ferry.CodeArchiveLimit, "limit_name", LimitMethod, "actual", "xz ARM64 BCJ filter", "path", "b.tar.xz")},
		{"truncated", "t.xz", good[:len(good)-8], nil, limit(LimitFormat, "t.xz")},
		{"not whole words", "t.xz", good[:len(good)-3], nil, limit(LimitFormat, "t.xz")},
		{"stream header only", "h.xz", good[:12], nil, limit(LimitFormat, "h.xz")},
		{"data corrupted", "c.xz", corrupt, nil, limit(LimitFormat, "c.xz")},
		{"block checksum", "c.txt.xz", long, nil, limit(LimitFormat, "c.txt.xz")},
		{"lnk inside", "l.tar.xz", xzOf(t, tarOf(t, ent("a.txt", "a"), file{Name: "docs/报告.lnk", Body: lnk}), 1<<20, 0), nil,
			fails(ferry.CodeFileTypeBlocked, "extension", ".lnk", "path", "l.tar.xz/docs/报告.lnk")},
		{"traversal name inside", "p.tar.xz", xzOf(t, tarOf(t, ent("../../etc/passwd", "x")), 1<<20, 0), nil,
			fails(ferry.CodeFileNameInvalid, "path", "p.tar.xz/../../etc/passwd")},
		{"8 MiB of zeros", "z.xz", bomb, nil, limit(LimitRatio, "z.xz")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, w, err := walkBytes(t, tc.file, tc.data, tc.cfg)
			tc.want.check(t, err)
			if w != nil && w.dict != 0 {
				t.Errorf("dictionary budget left claimed: %d", w.dict)
			}
		})
	}
}

// randomText is n bytes of letters that compress poorly.
func randomText(n int) []byte {
	b := randomBytes(n)
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return b
}

// xzIndexLen is the size of the index of the one stream x.
func xzIndexLen(x []byte) int {
	return (int(binary.LittleEndian.Uint32(x[len(x)-8:])) + 1) * 4
}

// TestWalkXzFilters walks what xz itself (xz-utils, installed by
// scripts/test-deps.sh) writes with the filters before LZMA2 that it
// offers: the decoder undoes them, and the entries come out whole.
func TestWalkXzFilters(t *testing.T) {
	xzBin, err := exec.LookPath("xz")
	if err != nil {
		t.Fatal("xz (xz-utils) is not installed: run make test-deps")
	}
	body := strings.Repeat("alpha beta gamma\n", 2000)
	tarball := tarOf(t, ent("docs/a.txt", body), ent("b.bin", string(randomBytes(5000))))
	for _, filters := range [][]string{{"--x86"}, {"--arm"}, {"--delta=dist=4"}, {"--x86", "--delta=dist=2"}} {
		t.Run(strings.Join(filters, " "), func(t *testing.T) {
			cmd := exec.Command(xzBin, append(append([]string{"-c", "-T1"}, filters...), "--lzma2=preset=6")...)
			cmd.Stdin = bytes.NewReader(tarball)
			x, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := walkBytes(t, "f.tar.xz", x, nil)
			pass().check(t, err)
			if !slices.Equal(paths(got), []string{"f.tar.xz/docs/a.txt", "f.tar.xz/b.bin"}) || got[0].Body != body[:64] || got[0].Size != int64(len(body)) {
				t.Fatalf("entries %v", got)
			}
		})
	}
}
