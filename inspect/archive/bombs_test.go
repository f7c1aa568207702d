package archive

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
)

func TestBombFixtures(t *testing.T) {
	t.Run("gzip quine is a quine", func(t *testing.T) {
		zr, err := gzip.NewReader(bytes.NewReader(gzipQuine))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(out, gzipQuine) {
			t.Fatalf("gunzip(quine) = %d bytes, %v; want the quine", len(out), err)
		}
	})
	t.Run("overlap bomb is a valid zip", func(t *testing.T) {
		b := overlapBomb(t, 20, 1<<20)
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		for _, f := range zr.File[:3] {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(io.Discard, rc)
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err) // a checksum error would mean a broken construction
			}
			total += n
		}
		if total < 3<<20 || len(b) > 64<<10 {
			t.Fatalf("%d bytes expand to %d in 3 files: not a bomb", len(b), total)
		}
	})
}

// TestBombCorpus is the corpus of the content-inspection issue: every bomb
// gets its code, under the default configuration.
func TestBombCorpus(t *testing.T) {
	def := DefaultConfig()
	lnk := []byte("L\x00\x00\x00\x01\x14\x02\x00")
	many := manyEntries(t, 100000)
	tests := []struct {
		name string
		file string
		data []byte
		cfg  *Config
		want want
	}{
		{"42.zip style nesting", "42.zip", nested42(t, 3, 16<<20), nil,
			limit(LimitRatio, "42.zip/lvl2-0.zip/lvl1-0.zip/lvl0-0.zip/0.dll")},
		{"42.zip style, ratio lifted: expansion stops it", "42.zip", nested42(t, 3, 16<<20),
			cfgWith(func(c *Config) { c.MaxRatio = 1e9; c.MaxExpandedSize = 40 << 20 }), limit(LimitExpanded, "42.zip/lvl2-0.zip/lvl1-0.zip/lvl0-0.zip")},
		{"42.zip style, deeper than max_depth", "42.zip", nested42(t, 6, 1<<10), nil, limit(LimitDepth, "42.zip/lvl5-0.zip/lvl4-0.zip/lvl3-0.zip/lvl2-0.zip/lvl1-0.zip")},
		{"overlapping entries (Fifield)", "overlap.zip", overlapBomb(t, 100, 1<<20), nil,
			want{Code: ferry.CodeArchiveLimit, Details: map[string]any{"limit_name": LimitFormat, "reason": whyOverlap, "path": "overlap.zip"}}},
		{"100 000 entries", "many.zip", many, nil, limit(LimitEntries, "many.zip")},
		{"100 000 entries, end record lying", "many.zip", lieCount(many, 5), nil, limit(LimitEntries, "many.zip")},
		{"deep nesting", "deep.zip", nestedZips(t, 10, zip.Store), nil, limit(LimitDepth, "deep.zip/level2.zip/level3.zip/level4.zip/level5.zip/level6.zip")},
		{"deep nesting, deflated", "deep.zip", nestedZips(t, 10, zip.Deflate), nil, limit(LimitDepth, "deep.zip/level2.zip/level3.zip/level4.zip/level5.zip/level6.zip")},
		{"gzip quine", "quine.gz", gzipQuine, nil, limit(LimitDepth, "quine.gz"+strings.Repeat("/recursive", 5))},
		{"sparse tar, huge", "sparse.tar", sparseTar(t, "disk.img", 1<<40), nil, limit(LimitExpanded, "sparse.tar/disk.img")},
		{"sparse tar, within the budget", "sparse.tar", sparseTar(t, "disk.img", 64<<20), nil, limit(LimitRatio, "sparse.tar/disk.img")},
		{"huge declared size", "huge.tar", hugeTar(t, "big.bin", 1<<50), nil, limit(LimitExpanded, "huge.tar/big.bin")},
		{"traversal", "evil.zip", zipOf(t, ent("../../etc/passwd", "root::0:0")), nil,
			fails(ferry.CodeFileNameInvalid, "path", "evil.zip/../../etc/passwd")},
		{"absolute path", "evil.zip", zipOf(t, ent("/abs", "x")), nil, fails(ferry.CodeFileNameInvalid)},
		{"drive letter", "evil.zip", zipOf(t, ent(`C:\x`, "x")), nil, fails(ferry.CodeFileNameInvalid)},
		{"shortcut inside a zip", "links.zip", zipOf(t, ent("a.txt", "a"), file{Name: "invoice.pdf.lnk", Body: lnk}), nil,
			fails(ferry.CodeFileTypeBlocked, "extension", ".lnk", "path", "links.zip/invoice.pdf.lnk")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			if cfg == nil {
				cfg = &def
			}
			_, w, err := walkBytes(t, tc.file, tc.data, cfg)
			tc.want.check(t, err)
			if w.expanded > int64(cfg.MaxExpandedSize)+1 {
				t.Fatalf("read %d bytes, past the limit of %d", w.expanded, cfg.MaxExpandedSize)
			}
		})
	}
}

func TestBombBoundedness(t *testing.T) {
	t.Run("100 000 entries refused before any is read", func(t *testing.T) {
		_, w, err := walkBytes(t, "many.zip", manyEntries(t, 100000), nil)
		limit(LimitEntries, "many.zip").check(t, err)
		if w.entries != 0 || w.expanded != 0 {
			t.Fatalf("read %d entries, %d bytes before refusing", w.entries, w.expanded)
		}
	})
	t.Run("a lying count stops the scan at the limit", func(t *testing.T) {
		z := lieCount(manyEntries(t, 3000), 7)
		_, w, err := walkBytes(t, "many.zip", z, cfgWith(func(c *Config) { c.MaxEntries = 100 }))
		limit(LimitEntries, "many.zip").check(t, err)
		if w.entries != 0 {
			t.Fatalf("visited %d entries before refusing", w.entries)
		}
	})
	t.Run("sparse tar reads little", func(t *testing.T) {
		_, w, err := walkBytes(t, "s.tar", sparseTar(t, "disk.img", 64<<20), nil)
		limit(LimitRatio, "s.tar/disk.img").check(t, err)
		if w.expanded > RatioFloor+512<<10 { // the floor, and at most one read past it
			t.Fatalf("read %d bytes of holes before refusing", w.expanded)
		}
	})
	t.Run("a gzip of zeros stops one byte past the budget", func(t *testing.T) {
		const budget = 3 << 20
		data := gz(t, "zeros", make([]byte, 8<<20))
		_, w, err := walkBytes(t, "z.gz", data, cfgWith(func(c *Config) { c.MaxExpandedSize = budget; c.MaxRatio = 1e9 }))
		limit(LimitExpanded, "z.gz").check(t, err)
		if w.expanded != budget+1 {
			t.Fatalf("read %d bytes, want the budget + 1 = %d", w.expanded, budget+1)
		}
	})
	t.Run("42.zip stops at its first leaf", func(t *testing.T) {
		_, w, err := walkBytes(t, "42.zip", nested42(t, 3, 16<<20), nil)
		want{Code: ferry.CodeArchiveLimit, Details: map[string]any{"limit_name": LimitRatio}}.check(t, err)
		if w.expanded > 1<<20 {
			t.Fatalf("unpacked %d bytes", w.expanded)
		}
	})
}
