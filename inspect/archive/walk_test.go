package archive

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/ferryhq/ferry"
)

func TestWalkFormats(t *testing.T) {
	inner := tarOf(t, ent("docs/a.txt", "hello from the inner tar"), file{Name: "docs", Dir: true})
	tgz := gz(t, "", inner)
	mid := zipOf(t, file{Name: "inner.tar.gz", Body: tgz}, ent("readme.txt", "mid"))
	outer := tarOf(t, file{Name: "mid.zip", Body: mid}, ent("top.txt", "top"))
	tests := []struct {
		name  string
		file  string
		data  []byte
		paths []string
	}{
		{"zip", "a.zip", zipOf(t, ent("a.txt", "alpha"), file{Name: "d", Dir: true}, ent("d/b.txt", "beta")),
			[]string{"a.zip/a.txt", "a.zip/d", "a.zip/d/b.txt"}},
		{"stored zip", "s.zip", zipOf(t, file{Name: "a.txt", Body: []byte("alpha"), Method: zip.Store}),
			[]string{"s.zip/a.txt"}},
		{"tar", "a.tar", tarOf(t, ent("./a.txt", "alpha"), ent("b/c.txt", "gamma")),
			[]string{"a.tar/a.txt", "a.tar/b/c.txt"}},
		{"tar.gz", "a.tar.gz", gz(t, "", tarOf(t, ent("a.txt", "alpha"))), []string{"a.tar.gz/a.txt"}},
		{"gzip file named by its header", "x.gz", gz(t, "notes.txt", []byte("notes")), []string{"x.gz/notes.txt"}},
		{"gzip file named by its name", "notes.txt.gz", gz(t, "", []byte("notes")), []string{"notes.txt.gz/notes.txt"}},
		{"tgz", "b.tgz", gz(t, "", []byte("not a tar")), []string{"b.tgz/b.tar"}},
		{"tar.zst", "a.tar.zst", zst(t, tarOf(t, ent("a.txt", "alpha")), 20), []string{"a.tar.zst/a.txt"}},
		{"tar.gz in zip in tar", "outer.tar", outer, []string{
			"outer.tar/mid.zip", "outer.tar/mid.zip/inner.tar.gz", "outer.tar/mid.zip/inner.tar.gz/docs/a.txt",
			"outer.tar/mid.zip/inner.tar.gz/docs", "outer.tar/mid.zip/readme.txt", "outer.tar/top.txt"}},
		{"zip named .jpg", "photo.jpg", zipOf(t, ent("a.txt", "x")), []string{"photo.jpg/a.txt"}},
		{"7z stored", "a.7z", sevenZipOf(t, szOpts{}, szFile{Name: "a.txt", Body: []byte("alpha")},
			szFile{Name: "d", Dir: true}, szFile{Name: "d/b.txt", Body: []byte("beta")}, szFile{Name: "empty.txt"}),
			[]string{"a.7z/a.txt", "a.7z/d", "a.7z/d/b.txt", "a.7z/empty.txt"}},
		{"7z solid LZMA", "s.7z", sevenZipOf(t, szOpts{Solid: true, LZMA: true}, szFile{Name: "a.txt", Body: []byte("alpha")},
			szFile{Name: "b.txt", Body: []byte(strings.Repeat("beta ", 1000))}, szFile{Name: "c.txt", Body: []byte("gamma")}),
			[]string{"s.7z/a.txt", "s.7z/b.txt", "s.7z/c.txt"}},
		{"7z with an encoded header", "h.7z", sevenZipOf(t, szOpts{EncodeHdr: []byte{0x00}}, szFile{Name: "a.txt", Body: []byte("alpha")}),
			[]string{"h.7z/a.txt"}},
		{"rar", "a.rar", rarOf(t, rarFile{Name: "a.txt", Body: []byte("alpha")}, rarFile{Name: "d", Dir: true},
			rarFile{Name: "d/b.txt", Body: []byte("beta")}), []string{"a.rar/a.txt", "a.rar/d", "a.rar/d/b.txt"}},
		{"bzip2 of nothing", "e.txt.bz2", []byte("BZh9\x17rE8P\x90\x00\x00\x00\x00"), []string{"e.txt.bz2/e.txt"}},
		{"not an archive", "a.txt", []byte("plain text"), nil},
		{"empty file", "e.zip", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := walkBytes(t, tc.file, tc.data, nil)
			if err != nil {
				t.Fatalf("Walk: %v (%s)", err, details(err))
			}
			if !slices.Equal(paths(got), tc.paths) {
				t.Fatalf("paths:\n got %q\nwant %q", paths(got), tc.paths)
			}
		})
	}
}

func TestWalkEntryContent(t *testing.T) {
	body := strings.Repeat("line of text\n", 500)
	for _, tc := range []struct {
		name string
		file string
		data []byte
	}{
		{"zip", "a.zip", zipOf(t, ent("a.txt", body))},
		{"tar.gz", "a.tar.gz", gz(t, "", tarOf(t, ent("a.txt", body)))},
		{"7z", "a.7z", sevenZipOf(t, szOpts{LZMA: true}, szFile{Name: "a.txt", Body: []byte(body)})},
		{"rar", "a.rar", rarOf(t, rarFile{Name: "a.txt", Body: []byte(body)})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := walkBytes(t, tc.file, tc.data, nil)
			if err != nil {
				t.Fatalf("Walk: %v", err)
			}
			if len(got) != 1 || got[0].Size != int64(len(body)) || got[0].Body != body[:64] {
				t.Fatalf("got %v, want one entry of %d bytes", got, len(body))
			}
		})
	}
}

func TestWalkHeadAndUnreadContent(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 10000)
	data := zipOf(t, file{Name: "a.bin", Body: body})
	c := DefaultConfig()
	var heads, sizes []int
	_, err := walk(t.Context(), bytes.NewReader(data), int64(len(data)), "a.zip", &c, func(e *Entry, r io.Reader) error {
		heads = append(heads, len(e.Head))
		return nil // content left unread: the walker reads it
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = sizes
	if !slices.Equal(heads, []int{HeadLen}) {
		t.Fatalf("heads %v", heads)
	}
}

func TestWalkNames(t *testing.T) {
	safeGBK := gbk(t, "季度报告/中文 名字.txt")
	trail5C := gbkTrail5C(t)
	tests := []struct {
		name  string
		entry string
		flags uint16
		want  want
		path  string // of the one entry, when it passes
	}{
		{"plain", "docs/a.txt", 0, pass(), "x.zip/docs/a.txt"},
		{"chinese utf-8", "报告 2024/数据.txt", 0, pass(), "x.zip/报告 2024/数据.txt"},
		{"dot prefix", "./a.txt", 0, pass(), "x.zip/a.txt"},
		{"traversal", "../../etc/passwd", 0, fails(ferry.CodeFileNameInvalid, "path", "x.zip/../../etc/passwd"), ""},
		{"inner traversal", "a/../../b.txt", 0, fails(ferry.CodeFileNameInvalid), ""},
		{"absolute", "/etc/passwd", 0, fails(ferry.CodeFileNameInvalid, "path", "x.zip//etc/passwd"), ""},
		{"drive letter", `C:\x`, 0, fails(ferry.CodeFileNameInvalid), ""},
		{"drive letter slash", "c:/x.txt", 0, fails(ferry.CodeFileNameInvalid), ""},
		{"backslash", `docs\a.txt`, 0, fails(ferry.CodeFileNameInvalid), ""},
		{"NUL", "a\x00.txt", 0, fails(ferry.CodeFileNameInvalid), ""},
		{"control", "a\x1b.txt", 0, fails(ferry.CodeFileNameInvalid), ""},
		{"bidi override", "invoice\u202efdp.exe", 0, fails(ferry.CodeFileNameInvalid), ""},
		{"reserved device", "docs/CON.txt", 0, fails(ferry.CodeFileNameInvalid), ""},
		{"element too long", strings.Repeat("a", 256) + ".txt", 0, fails(ferry.CodeFileNameInvalid), ""},
		{"element at the limit", strings.Repeat("a", 251) + ".txt", 0, pass(), "x.zip/" + strings.Repeat("a", 251) + ".txt"},
		{"GBK", safeGBK, 0, pass(), "x.zip/季度报告/中文 名字.txt"},
		{"GBK trail byte 0x5C", trail5C.raw, 0, pass(), "x.zip/" + trail5C.decoded},
		{"GBK traversal", gbk(t, "../../中文.txt"), 0, fails(ferry.CodeFileNameInvalid, "path", "x.zip/../../中文.txt"), ""},
		{"GBK absolute", gbk(t, "/中文.txt"), 0, fails(ferry.CodeFileNameInvalid), ""},
		{"invalid UTF-8 flagged as UTF-8", safeGBK, 0x800, fails(ferry.CodeFileNameInvalid), ""},
		{"neither UTF-8 nor GBK", "a\xff\xff.txt", 0, fails(ferry.CodeFileNameInvalid), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := zipOf(t, file{Name: tc.entry, Body: []byte("x"), Flags: tc.flags, NonUTF8: tc.flags == 0})
			got, _, err := walkBytes(t, "x.zip", data, nil)
			tc.want.check(t, err)
			if tc.path != "" && (len(got) != 1 || got[0].Path != tc.path) {
				t.Fatalf("paths %q, want %q", paths(got), tc.path)
			}
		})
	}
}

// gbkTrail5C finds a Chinese character whose GBK form ends in 0x5C, the
// byte of a backslash: a name must be decoded before it is checked.
func gbkTrail5C(t *testing.T) struct{ raw, decoded string } {
	for r := rune(0x4e00); r < 0x9fa5; r++ {
		s := gbk(t, string(r))
		if len(s) == 2 && s[1] == '\\' {
			return struct{ raw, decoded string }{gbk(t, "目录/"+string(r)+".txt"), "目录/" + string(r) + ".txt"}
		}
	}
	t.Fatal("no GBK character with a 0x5C trail byte")
	return struct{ raw, decoded string }{}
}

func TestWalkNamesInOtherFormats(t *testing.T) {
	tests := []struct {
		name string
		file string
		data []byte
		want want
	}{
		{"tar traversal", "t.tar", tarOf(t, ent("../x", "x")), fails(ferry.CodeFileNameInvalid, "path", "t.tar/../x")},
		{"tar absolute", "t.tar", tarOf(t, ent("/etc/passwd", "x")), fails(ferry.CodeFileNameInvalid)},
		{"tar GBK", "t.tar", tarOf(t, file{Name: gbk(t, "中文.txt"), Body: []byte("x"), NonUTF8: true}), pass()},
		{"tar symlink out", "t.tar", tarOf(t, file{Name: "a/link", Link: "../../etc/passwd"}), fails(ferry.CodeFileNameInvalid, "path", "t.tar/a/link")},
		{"tar symlink absolute", "t.tar", tarOf(t, file{Name: "link", Link: "/etc/passwd"}), fails(ferry.CodeFileNameInvalid)},
		{"tar symlink inside", "t.tar", tarOf(t, file{Name: "a/b/link", Link: "../c.txt"}), pass()},
		{"tar hard link out", "t.tar", tarOf(t, file{Name: "a/b/link", Hard: "../x"}), fails(ferry.CodeFileNameInvalid)},
		{"tar hard link inside", "t.tar", tarOf(t, file{Name: "a/b/link", Hard: "a/c.txt"}), pass()},
		{"7z traversal", "s.7z", sevenZipOf(t, szOpts{}, szFile{Name: "../../x.txt", Body: []byte("x")}), fails(ferry.CodeFileNameInvalid, "path", "s.7z/../../x.txt")},
		{"rar traversal", "r.rar", rarOf(t, rarFile{Name: "../x.txt", Body: []byte("x")}), fails(ferry.CodeFileNameInvalid, "path", "r.rar/../x.txt")},
		{"gzip header name traversal is reduced to its base", "g.gz", gz(t, "../../x.txt", []byte("x")), pass()},
		{"gzip header name ..", "g.gz", gz(t, "..", []byte("x")), fails(ferry.CodeFileNameInvalid)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := walkBytes(t, tc.file, tc.data, nil)
			tc.want.check(t, err)
		})
	}
}

func TestWalkBlockedTypes(t *testing.T) {
	lnk := []byte("L\x00\x00\x00\x01\x14\x02\x00")
	tests := []struct {
		name string
		file string
		data []byte
		want want
	}{
		{"lnk in zip", "x.zip", zipOf(t, ent("a.txt", "a"), file{Name: "docs/报告.lnk", Body: lnk}),
			fails(ferry.CodeFileTypeBlocked, "extension", ".lnk", "path", "x.zip/docs/报告.lnk")},
		{"upper case", "x.zip", zipOf(t, file{Name: "A.LNK", Body: lnk}), fails(ferry.CodeFileTypeBlocked, "extension", ".lnk")},
		{"trailing dot", "x.tar", tarOf(t, file{Name: "a.url.", Body: lnk}), fails(ferry.CodeFileNameInvalid)},
		{"url in tar in zip", "x.zip", zipOf(t, file{Name: "in.tar", Body: tarOf(t, ent("go.url", "[InternetShortcut]"))}),
			fails(ferry.CodeFileTypeBlocked, "extension", ".url", "path", "x.zip/in.tar/go.url")},
		{"scf in 7z", "x.7z", sevenZipOf(t, szOpts{}, szFile{Name: "a.scf", Body: []byte("x")}), fails(ferry.CodeFileTypeBlocked, "extension", ".scf")},
		{"lnk in rar", "x.rar", rarOf(t, rarFile{Name: "a.lnk", Body: lnk}), fails(ferry.CodeFileTypeBlocked, "extension", ".lnk")},
		{"lnk link in tar", "x.tar", tarOf(t, file{Name: "a.lnk", Link: "b"}), fails(ferry.CodeFileTypeBlocked)},
		{"folder named .lnk passes", "x.zip", zipOf(t, file{Name: "a.lnk", Dir: true}), pass()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := walkBytes(t, tc.file, tc.data, nil)
			tc.want.check(t, err)
		})
	}
	t.Run("no blocked list", func(t *testing.T) {
		_, _, err := walkBytes(t, "x.zip", zipOf(t, file{Name: "a.lnk", Body: lnk}), cfgWith(func(c *Config) { c.Blocked = nil }))
		pass().check(t, err)
	})
}

// TestSevenZipSolidReadOnce walks a solid 7z block of many files and counts
// what is read of the archive: front to back once, not once per file (the
// quadratic cost of reading a solid archive out of order).
func TestSevenZipSolidReadOnce(t *testing.T) {
	var files []szFile
	for i := range 300 {
		files = append(files, szFile{Name: "f" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + ".txt", Body: randomBytes(2048)})
	}
	for i := range files {
		files[i].Name = "dir/" + files[i].Name + "-" + string(rune('0'+i/100)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
	}
	data := sevenZipOf(t, szOpts{Solid: true, LZMA: true}, files...)
	var read int64
	cfg := DefaultConfig()
	_, err := walk(t.Context(), &countReaderAt{r: bytes.NewReader(data), n: &read}, int64(len(data)), "s.7z", &cfg,
		func(e *Entry, r io.Reader) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if read > 3*int64(len(data)) {
		t.Fatalf("read %d bytes of a %d-byte archive", read, len(data))
	}
}
