package archive

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"fmt"
	"hash/crc32"
	"testing"

	"github.com/ferryhq/ferry"
)

// ratioEntry is a deflated entry of usize zeros whose compressed data is
// padded to exactly csize bytes (flate stops at its final block): its
// declared and real ratio is usize/csize.
func ratioEntry(tb testing.TB, name string, usize, csize int) rawEntry {
	tb.Helper()
	comp, crc := zerosDeflated(tb, usize)
	if len(comp) > csize {
		tb.Fatalf("%d zeros deflate to %d bytes, more than %d", usize, len(comp), csize)
	}
	comp = append(comp, make([]byte, csize-len(comp))...)
	return rawEntry{Name: name, Method: zip.Deflate, Comp: comp, CRC: crc, USize: uint64(usize), CSize: uint64(csize)}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func entries(n int) []file {
	var fs []file
	for i := range n {
		fs = append(fs, ent(fmt.Sprintf("f%d.txt", i), "x"))
	}
	return fs
}

// TestLimits puts every limit exactly at what the archive needs, and one
// below it.
func TestLimits(t *testing.T) {
	nested := zipOf(t, ent("a.txt", "a"), file{Name: "in.zip", Body: zipOf(t, ent("b.txt", "b"), ent("c.txt", "c"))}) // 4 entries
	stored := zipOf(t, file{Name: "a.bin", Body: randomBytes(3000), Method: zip.Store}, file{Name: "b.bin", Body: randomBytes(2000), Method: zip.Store})
	gzRandom := gz(t, "r.bin", randomBytes(5000))
	ratioAt := zipRaw(t, ratioEntry(t, "r.bin", 2_000_000, 20_000))
	ratioOver := zipRaw(t, ratioEntry(t, "r.bin", 2_000_001, 20_000))
	tarDepth3 := tarOf(t, file{Name: "b.tar", Body: tarOf(t, file{Name: "c.tar", Body: tarOf(t, ent("d.txt", "d"))})})
	tests := []struct {
		name string
		file string
		data []byte
		mod  func(*Config)
		want want
	}{
		{"entries at the limit", "e.zip", zipOf(t, entries(10)...), func(c *Config) { c.MaxEntries = 10 }, pass()},
		{"entries one over", "e.zip", zipOf(t, entries(11)...), func(c *Config) { c.MaxEntries = 10 },
			fails(ferry.CodeArchiveLimit, "limit_name", LimitEntries, "limit", 10, "actual", 11, "rule", nil)},
		{"entries across nesting at the limit", "n.zip", nested, func(c *Config) { c.MaxEntries = 4 }, pass()},
		{"entries across nesting one over", "n.zip", nested, func(c *Config) { c.MaxEntries = 3 }, limit(LimitEntries, "n.zip/in.zip")},
		{"tar entries one over", "e.tar", tarOf(t, entries(11)...), func(c *Config) { c.MaxEntries = 10 }, limit(LimitEntries, "e.tar/f10.txt")},
		{"7z entries one over", "e.7z", sevenZipOf(t, szOpts{}, szFile{Name: "a", Body: []byte("a")}, szFile{Name: "b", Body: []byte("b")}),
			func(c *Config) { c.MaxEntries = 1 }, limit(LimitEntries, "e.7z")},
		{"depth at the limit", "d.zip", nestedZips(t, 3, zip.Deflate), func(c *Config) { c.MaxDepth = 3 }, pass()},
		{"depth one over", "d.zip", nestedZips(t, 4, zip.Deflate), func(c *Config) { c.MaxDepth = 3 },
			fails(ferry.CodeArchiveLimit, "limit_name", LimitDepth, "limit", 3, "actual", 4, "path", "d.zip/level2.zip/level3.zip/level4.zip")},
		{"tar depth at the limit", "a.tar", tarDepth3, func(c *Config) { c.MaxDepth = 3 }, pass()},
		{"tar depth one over", "a.tar", tarDepth3, func(c *Config) { c.MaxDepth = 2 }, limit(LimitDepth, "a.tar/b.tar/c.tar")},
		{"depth 1 opens the archive only", "d.zip", nestedZips(t, 2, zip.Store), func(c *Config) { c.MaxDepth = 1 }, limit(LimitDepth, "d.zip/level2.zip")},
		{"expanded at the limit", "s.zip", stored, func(c *Config) { c.MaxExpandedSize = 5000 }, pass()},
		{"expanded one over, by declared sizes", "s.zip", stored, func(c *Config) { c.MaxExpandedSize = 4999 },
			fails(ferry.CodeArchiveLimit, "limit_name", LimitExpanded, "limit", ferry.Bytes(4999), "actual", ferry.Bytes(5000), "path", "s.zip")},
		{"expanded at the limit, streamed", "r.gz", gzRandom, func(c *Config) { c.MaxExpandedSize = 5000 }, pass()},
		{"expanded one over, streamed", "r.gz", gzRandom, func(c *Config) { c.MaxExpandedSize = 4999 },
			fails(ferry.CodeArchiveLimit, "limit_name", LimitExpanded, "limit", ferry.Bytes(4999), "actual", ferry.Bytes(5000))},
		{"ratio at the limit", "r.zip", ratioAt, nil, pass()},
		{"ratio one byte over", "r.zip", ratioOver, nil,
			fails(ferry.CodeArchiveLimit, "limit_name", LimitRatio, "limit", 100, "actual", 100, "path", "r.zip/r.bin")},
		{"ratio below the floor is not checked", "z.zip", zipRaw(t, ratioEntry(t, "z.bin", RatioFloor, 1100)), nil, pass()},
		{"ratio of a stream", "z.gz", gz(t, "z", make([]byte, 4<<20)), nil, limit(LimitRatio, "z.gz")},
		{"ratio of the whole chain", "c.zip", chainRatio(t), nil, fails(ferry.CodeArchiveLimit, "limit_name", LimitRatio, "scope", "archive")},
		{"dictionary at the limit", "a.tar.zst", zst(t, tarOf(t, ent("a.txt", "a")), 23), func(c *Config) { c.MaxDictionarySize = 8 << 20 }, pass()},
		{"dictionary one over", "a.tar.zst", zst(t, tarOf(t, ent("a.txt", "a")), 23), func(c *Config) { c.MaxDictionarySize = 8<<20 - 1 },
			fails(ferry.CodeArchiveLimit, "limit_name", LimitDictionary, "path", "a.tar.zst")},
		{"7z LZMA2 dictionary of 1 GiB", "d.7z", sevenZipOf(t, szOpts{Coder: []byte{0x21}, Props: []byte{36}}, szFile{Name: "a.txt", Body: []byte("a")}), nil,
			fails(ferry.CodeArchiveLimit, "limit_name", LimitDictionary, "path", "d.7z")},
		{"7z PPMd model of 1 GiB", "d.7z", sevenZipOf(t, szOpts{Coder: []byte{0x03, 0x04, 0x01}, Props: []byte{6, 0, 0, 0, 0x40}}, szFile{Name: "a.txt", Body: []byte("a")}), nil,
			limit(LimitDictionary, "d.7z")},
		{"rar dictionary of 1 GiB", "d.rar", rarBigDictionary(t), nil, limit(LimitDictionary, "d.rar")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.mod != nil {
				tc.mod(&cfg)
			}
			_, w, err := walkBytes(t, tc.file, tc.data, &cfg)
			if tc.want.Details != nil {
				if _, ok := tc.want.Details["rule"]; ok {
					delete(tc.want.Details, "rule")
					if fe, ok := coded(err); ok && fe.Rule != "inspect.archive."+fmt.Sprint(tc.want.Details["limit_name"]) {
						t.Fatalf("rule %q", fe.Rule)
					}
				}
			}
			tc.want.check(t, err)
			if w != nil && w.expanded > int64(cfg.MaxExpandedSize)+1 {
				t.Fatalf("read %d bytes past the limit %d", w.expanded, cfg.MaxExpandedSize)
			}
		})
	}
}

// chainRatio is a zip whose entry (ratio 50) is a zip whose entry (ratio
// 50) is zeros: each step within max_ratio, the whole 2500 times its size.
func chainRatio(t *testing.T) []byte {
	inner := zipRaw(t, ratioEntry(t, "z.bin", 4_000_000, 80_000))
	comp := deflate(t, inner)
	csize := len(inner) / 50
	if len(comp) > csize {
		t.Fatalf("inner zip deflates to %d, want at most %d", len(comp), csize)
	}
	comp = append(comp, make([]byte, csize-len(comp))...)
	return zipRaw(t, rawEntry{Name: "in.zip", Method: zip.Deflate, Comp: comp, CRC: crc32.ChecksumIEEE(inner),
		USize: uint64(len(inner)), CSize: uint64(csize)})
}

// rarBigDictionary is a RAR5 archive whose one file, compressed, declares a
// 1 GiB dictionary (and size).
func rarBigDictionary(t *testing.T) []byte {
	out := []byte("Rar!\x1a\x07\x01\x00")
	out = append(out, rarBlock(1, nil, -1, rarVint(0))...)
	var body []byte
	body = append(body, rarVint(0)...)     // file flags
	body = append(body, rarVint(1<<30)...) // unpacked size
	body = append(body, rarVint(0x20)...)  // attributes
	comp := uint64(1)<<7 | uint64(13)<<10  // method 1, dictionary 128 KiB << 13 = 1 GiB
	body = append(body, rarVint(comp)...)  // compression information
	body = append(body, rarVint(0)...)     // Windows
	body = append(body, rarVint(7)...)     // name length
	body = append(body, "big.bin"...)
	out = append(out, rarBlock(2, nil, 16, body)...)
	out = append(out, bytes.Repeat([]byte{0}, 16)...)
	return append(out, rarBlock(5, nil, -1, rarVint(0))...)
}
