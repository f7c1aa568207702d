package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
)

// FuzzWalk walks arbitrary bytes within small limits. Whatever the input,
// the walk must end without a panic, with nil or a *ferry.Error (an archive
// that cannot be read is refused with a code, never passed on a raw error),
// and having read at most one byte past the expansion budget. The seeds
// are archives of every format, bombs among them, generated here; plain
// `go test` runs them as ordinary tests.
func FuzzWalk(f *testing.F) {
	seeds := [][]byte{
		zipOf(f, ent("a.txt", "alpha"), file{Name: "d", Dir: true}, file{Name: "s.bin", Body: []byte("stored"), Method: zip.Store}),
		zipOf(f, file{Name: gbk(f, "中文.txt"), Body: []byte("x"), NonUTF8: true}, file{Name: "e.txt", Body: []byte("x"), Flags: 1}),
		zipOf(f, file{Name: "in.zip", Body: zipOf(f, ent("b.txt", "b"))}, file{Name: "in.tar", Body: tarOf(f, ent("c.txt", "c"))}),
		tarOf(f, ent("a.txt", "alpha"), file{Name: "l", Link: "a.txt"}, file{Name: "d", Dir: true}),
		gz(f, "", tarOf(f, ent("a.txt", strings.Repeat("alpha ", 100)))),
		gz(f, "n.txt", []byte("notes")),
		zst(f, tarOf(f, ent("a.txt", "alpha")), 20),
		xzOf(f, tarOf(f, ent("a.txt", "alpha")), 1<<20, 0),
		xzOf(f, []byte(strings.Repeat("alpha beta ", 2000)), 1<<20, 4096),
		sevenZipOf(f, szOpts{}, szFile{Name: "a.txt", Body: []byte("alpha")}, szFile{Name: "d", Dir: true}, szFile{Name: "e"}),
		sevenZipOf(f, szOpts{Solid: true, LZMA: true}, szFile{Name: "a.txt", Body: []byte("alpha")}, szFile{Name: "b.txt", Body: []byte("beta")}),
		sevenZipOf(f, szOpts{EncodeHdr: []byte{0}}, szFile{Name: "a.txt", Body: []byte("alpha")}),
		rarOf(f, rarFile{Name: "a.txt", Body: []byte("alpha")}, rarFile{Name: "d", Dir: true}),
		overlapBomb(f, 4, 4096),
		nestedZips(f, 5, zip.Deflate),
		sparseTar(f, "s.img", 1<<30),
		gzipQuine,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := DefaultConfig()
		cfg.MaxDepth, cfg.MaxEntries, cfg.MaxExpandedSize, cfg.MaxDictionarySize = 3, 200, 4<<20, 16<<20
		w, err := walk(context.Background(), bytes.NewReader(data), int64(len(data)), "fuzz", &cfg, func(e *Entry, r io.Reader) error {
			if r != nil {
				_, err := io.Copy(io.Discard, r)
				return err
			}
			return nil
		})
		if err != nil {
			if _, ok := coded(err); !ok {
				t.Fatalf("uncoded error: %v", err)
			}
			if ferry.ErrorCode(err) == ferry.CodeInternal {
				t.Fatalf("internal error: %v", err)
			}
		}
		if w.expanded > int64(cfg.MaxExpandedSize)+1 {
			t.Fatalf("read %d bytes past the budget of %d", w.expanded, cfg.MaxExpandedSize)
		}
		if w.dict != 0 {
			t.Fatalf("dictionary memory not released: %d", w.dict)
		}
	})
}
