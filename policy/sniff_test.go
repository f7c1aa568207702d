package policy

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/ferryhq/ferry"
)

// at builds a head that is exactly a signature: zeros up to its offset,
// then its bytes.
func sigHead(s Signature) []byte {
	return append(make([]byte, s.Offset), s.Bytes...)
}

// TestSniffEverySignature: every signature of the catalogue is found by
// Sniff on a head made of exactly it, and makes its type's extensions and
// those of the types built on it consistent.
func TestSniffEverySignature(t *testing.T) {
	types := DefaultTypes()
	ix := types.Index()
	n := 0
	for _, g := range types.Groups() {
		for _, ft := range types[g] {
			for _, s := range ft.Magic {
				n++
				head := sigHead(s)
				found := false
				for _, m := range ix.Sniff(head) {
					found = found || m.Type.Name == ft.Name && m.Group == g && m.Signature.String() == s.String()
				}
				if !found {
					t.Errorf("%s/%s: Sniff(%s) = %v, without it", g, ft.Name, s, matchNames(ix.Sniff(head)))
				}
				for _, ext := range ft.Extensions {
					if ok, _, _ := ix.Consistent(ext, head); !ok {
						t.Errorf("%s/%s: Consistent(%q, %s) = false", g, ft.Name, ext, s)
					}
				}
			}
			if ft.Container == "" {
				continue
			}
			for _, s := range typeNamed(types, ft.Container).Magic {
				for _, ext := range ft.Extensions {
					if ok, _, det := ix.Consistent(ext, sigHead(s)); !ok || det != ft.Container {
						t.Errorf("%s/%s: Consistent(%q, container %s) = %v, %q", g, ft.Name, ext, s, ok, det)
					}
				}
			}
		}
	}
	t.Logf("%d signatures", n)
}

// typeNamed finds the type called name.
func typeNamed(t Types, name string) *FileType {
	for _, fts := range t {
		for _, ft := range fts {
			if ft.Name == name {
				return ft
			}
		}
	}
	return nil
}

func matchNames(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Type.Name)
	}
	return out
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Real minimal heads.
var (
	headPNG     = mustHex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
	headJPEG    = mustHex("ffd8ffe000104a46494600010101004800480000ffdb004300")
	headPDF     = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
	headEXE     = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 48)...)
	headELF     = mustHex("7f454c4602010100000000000000000002003e0001000000")
	headOLE     = append(mustHex("d0cf11e0a1b11ae1"+"00000000000000000000000000000000"+"3e000300feff0900"), make([]byte, 32)...)
	headMP4     = append(mustHex("00000018"), []byte("ftypisom\x00\x00\x02\x00isomiso2avc1mp41")...)
	headMOV     = append(mustHex("00000014"), []byte("ftypqt  \x00\x00\x02\x00qt  ")...)
	headHEIC    = append(mustHex("00000018"), []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	headWAV     = []byte("RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00")
	headWEBP    = []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00")
	headCR2     = mustHex("49492a00100000004352020000000000")
	headMP3     = []byte("ID3\x04\x00\x00\x00\x00\x00\x00")
	headGBK     = mustHex("d6d0cec4cec4bcfe20b2e2cad40d0a") // "中文文件 测试\r\n" in GBK
	headUTF16LE = mustHex("fffe2d4e87650d000a00")           // BOM, "中文\r\n"
	headRandom  = func() []byte {
		b, x := make([]byte, 4096), uint32(2463534242)
		for i := range b {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			b[i] = byte(x)
		}
		return b
	}()
)

func headZip(t *testing.T, names ...string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := w.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if n == "mimetype" {
			f.Write([]byte("application/epub+zip"))
		} else {
			f.Write([]byte("<xml/>"))
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func headGzip(t *testing.T, content []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(content)
	w.Close()
	return buf.Bytes()
}

func headTar(t *testing.T) []byte {
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	if err := w.WriteHeader(&tar.Header{Name: "a.txt", Mode: 0o644, Size: 2}); err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hi"))
	w.Close()
	return buf.Bytes()
}

func TestConsistent(t *testing.T) {
	ix := DefaultTypes().Index()
	docx := headZip(t, "[Content_Types].xml", "word/document.xml")
	epub := headZip(t, "mimetype", "META-INF/container.xml")
	for _, tc := range []struct {
		name               string
		ext                string
		head               []byte
		ok                 bool
		declared, detected string
	}{
		{"an exe named .pdf", ".pdf", headEXE, false, "pdf", "exe"},
		{"a bare MZ named .pdf", ".pdf", []byte("MZ"), false, "pdf", "exe"},
		{"a png named .jpg", ".jpg", headPNG, false, "jpeg", "png"},
		{"a png", ".png", headPNG, true, "png", "png"},
		{"a jpeg", ".JPEG", headJPEG, true, "jpeg", "jpeg"},
		{"a pdf", ".pdf", headPDF, true, "pdf", "pdf"},
		{"an elf named .txt", ".txt", headELF, false, "txt", "elf"},
		{"an elf named .so", ".so", headELF, true, "elf", "elf"},
		{"a docx named .docx", ".docx", docx, true, "docx", "zip"},
		{"a docx named .zip", ".zip", docx, true, "zip", "zip"},
		{"a zip named .xlsx (its entries decide later)", ".xlsx", docx, true, "xlsx", "zip"},
		{"a docx named .pdf", ".pdf", docx, false, "pdf", "zip"},
		{"a docx named .csv", ".csv", docx, false, "csv", "zip"},
		{"an epub", ".epub", epub, true, "epub", "epub"},
		{"an epub named .zip", ".zip", epub, true, "zip", "zip"},
		{"an epub named .pdf", ".pdf", epub, false, "pdf", "epub"},
		{"a gzip", ".gz", headGzip(t, []byte("x")), true, "gzip", "gzip"},
		{"a gzip named .tar.gz", ".tar.gz", headGzip(t, []byte("x")), true, "tgz", "gzip"},
		{"a gzip named .tgz", ".TGZ", headGzip(t, []byte("x")), true, "tgz", "gzip"},
		{"a tar", ".tar", headTar(t), true, "tar", "tar"},
		{"a tar named .tar.gz", ".tar.gz", headTar(t), false, "tgz", "tar"},
		{"a cut-off tar", ".tar", headTar(t)[:200], false, "tar", "unknown binary"},
		{"an ole doc", ".doc", headOLE, true, "doc", "ole"},
		{"an ole xls", ".xls", headOLE, true, "xls", "ole"},
		{"an ole msi", ".msi", headOLE, true, "msi", "ole"},
		{"an encrypted docx is OLE", ".docx", headOLE, true, "docx", "docx"},
		{"an ole named .pdf", ".pdf", headOLE, false, "pdf", "ole"},
		{"an ole named .zip", ".zip", headOLE, false, "zip", "ole"},
		{"an old QuickTime movie", ".mov", mustHex("0000006c6d6f6f76"), true, "mov", "mp4"},
		{"a flac with ID3 first", ".flac", headMP3, true, "flac", "flac"},
		{"an rtf named .doc", ".doc", []byte(`{\rtf1\ansi\deff0 {\fonttbl}}`), true, "doc", "text"},
		{"an html table named .xls", ".xls", []byte("<html><table><tr><td>1</td></tr></table></html>"), true, "xls", "text"},
		{"an mp4", ".mp4", headMP4, true, "mp4", "mp4"},
		{"a mov named .mp4", ".mp4", headMOV, true, "mp4", "mp4"},
		{"an mp4 named .mov", ".mov", headMP4, true, "mov", "mp4"},
		{"a mov", ".mov", headMOV, true, "mov", "mov"},
		{"a heic", ".heic", headHEIC, true, "heif", "heif"},
		{"a heic named .jpg", ".jpg", headHEIC, false, "jpeg", "heif"},
		{"a wav", ".wav", headWAV, true, "wav", "wav"},
		{"a wav named .avi", ".avi", headWAV, false, "avi", "wav"},
		{"a webp named .png", ".png", headWEBP, false, "png", "webp"},
		{"an mp3", ".mp3", headMP3, true, "mp3", "mp3"},
		{"a cr2", ".cr2", headCR2, true, "cr2", "cr2"},
		{"a cr2 named .tif", ".tif", headCR2, true, "tiff", "tiff"},
		{"a cr2 named .jpg", ".jpg", headCR2, false, "jpeg", "cr2"},
		{"a tiff named .nef", ".nef", mustHex("4d4d002a00000008"), true, "nef", "tiff"},
		{"UTF-8 Chinese text", ".txt", []byte("季度报告：销售额增长 12%。\n第二行\n"), true, "txt", "text"},
		{"GBK Chinese text", ".txt", headGBK, true, "txt", "text"},
		{"GBK 中文", ".txt", mustHex("d6d0cec4"), true, "txt", "text"},
		{"UTF-16LE with a BOM", ".txt", headUTF16LE, true, "txt", "text"},
		{"UTF-8 with a BOM", ".csv", []byte("\xef\xbb\xbf姓名,分数\n张三,90\n"), true, "csv", "text"},
		{"headRandom binary named .txt", ".txt", headRandom, false, "txt", "unknown binary"},
		{"text named .pdf", ".pdf", []byte("hello, world\n"), false, "pdf", "text"},
		{"go source", ".go", []byte("package main\n\nfunc main() {}\n"), true, "go", "text"},
		{"an svg", ".svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), true, "svg", "text"},
		{"an svgz", ".svgz", headGzip(t, []byte("<svg/>")), true, "svgz", "gzip"},
		{"a PEM key named .key", ".key", []byte("-----BEGIN PRIVATE KEY-----\nMIIE\n"), true, "key", "text"},
		{"empty content", ".pdf", nil, true, "", ""},
		{"an unknown extension", ".xyzzy", headEXE, true, "", ""},
		{"no extension", "", headEXE, true, "", ""},
		{"a format without a signature", ".iso", headEXE, true, "iso", ""},
		{"an mpeg-ts", ".ts", mustHex("474000100000b00d0001c100000001f0002ab104b2"), true, "mpeg-ts", ""},
		{"a lnk named .pdf", ".pdf", mustHex("4c0000000114020000000000c000000000000046"), false, "pdf", "lnk"},
		{"a sqlite file", ".sqlite", []byte("SQLite format 3\x00\x10\x00\x01\x01"), true, "sqlite", "sqlite"},
	} {
		ok, declared, detected := ix.Consistent(tc.ext, tc.head)
		if ok != tc.ok || declared != tc.declared || detected != tc.detected {
			t.Errorf("%s: Consistent(%q) = %v, %q, %q; want %v, %q, %q",
				tc.name, tc.ext, ok, declared, detected, tc.ok, tc.declared, tc.detected)
		}
	}
	var nilIndex *TypeIndex
	if ok, _, _ := nilIndex.Consistent(".pdf", headEXE); !ok {
		t.Error("a nil index refused")
	}
}

func TestSniffOrder(t *testing.T) {
	ix := DefaultTypes().Index()
	for _, tc := range []struct {
		name string
		head []byte
		want []string
	}{
		{"cr2 before tiff", headCR2, []string{"cr2", "tiff"}},
		{"mov before mp4", headMOV, []string{"mov", "mp4"}},
		{"heic before mp4", headHEIC, []string{"heif", "mp4"}},
		{"PostScript", []byte("%!PS-Adobe-3.0 EPSF-3.0\n"), []string{"eps", "ai", "ps"}},
		{"ID3 is mp3 first", headMP3, []string{"mp3", "aac", "flac"}},
		{"an exe", headEXE, []string{"exe", "dll"}},
		{"OLE, then the encrypted office formats", headOLE, []string{"ole", "docx", "pptx", "xlsx"}},
		{"zip only: not each format built on it", headZip(t, "a"), []string{"zip"}},
		{"text", []byte("plain words"), nil},
		{"empty", nil, nil},
	} {
		if got := matchNames(ix.Sniff(tc.head)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Sniff = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLooksLikeText(t *testing.T) {
	for _, tc := range []struct {
		name string
		head []byte
		want bool
	}{
		{"empty", nil, true},
		{"ascii", []byte("hello\tworld\r\n"), true},
		{"utf-8 chinese", []byte("中文文件名和内容"), true},
		{"utf-8 cut in a character", []byte("中文")[:5], true},
		{"utf-8 with a BOM", []byte("\xef\xbb\xbfabc"), true},
		{"invalid after a utf-8 BOM", []byte("\xef\xbb\xbf\xd6\xd0\xce\xc4"), false},
		{"gbk", headGBK, true},
		{"gb18030 four-byte", mustHex("8139ef30"), true},
		{"gbk cut in a character", mustHex("d6d0ce"), true},
		{"bad gbk trail", mustHex("d6d0ce20"), false},
		{"utf-16le", headUTF16LE, true},
		{"utf-16be", mustHex("feff4e2d6587000d000a"), true},
		{"utf-16 emoji", mustHex("fffe3dd880de"), true},
		{"utf-16 with NUL", mustHex("fffe410000004200"), false},
		{"utf-16 without BOM", mustHex("410042004300"), false},
		{"NUL", []byte("abc\x00def"), false},
		{"ANSI colours in a log", []byte("\x1b[31merror\x1b[0m: something failed\n"), true},
		{"DOS end of file", []byte("old text file\r\n\x1a"), true},
		{"many controls", []byte("a\x01b\x02c\x03d\x04"), false},
		{"headRandom", headRandom, false},
		{"png", headPNG, false},
	} {
		if got := LooksLikeText(tc.head); got != tc.want {
			t.Errorf("%s: LooksLikeText(% x) = %v, want %v", tc.name, tc.head[:min(len(tc.head), 16)], got, tc.want)
		}
	}
}

func BenchmarkSniff(b *testing.B) {
	ix := DefaultTypes().Index()
	for _, bc := range []struct {
		name string
		head []byte
	}{
		{"png", append(bytes.Clone(headPNG), make([]byte, SniffLen-len(headPNG))...)},
		{"text", bytes.Repeat([]byte("季度报告 quarterly report\n"), SniffLen/30)},
		{"cr2", append(bytes.Clone(headCR2), make([]byte, SniffLen-len(headCR2))...)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ix.Sniff(bc.head)
			}
		})
	}
}

func BenchmarkConsistent(b *testing.B) {
	ix := DefaultTypes().Index()
	pdf := append(bytes.Clone(headPDF), make([]byte, SniffLen-len(headPDF))...)
	text := bytes.Repeat([]byte("季度报告 quarterly report\n"), SniffLen/30)
	b.Run("pdf", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ix.Consistent(".pdf", pdf)
		}
	})
	b.Run("txt", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ix.Consistent(".txt", text)
		}
	})
	b.Run("exe-as-pdf", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ix.Consistent(".pdf", headEXE)
		}
	})
}

func TestCheckContent(t *testing.T) {
	p := Default()
	if err := p.Complete(); err != nil {
		t.Fatal(err)
	}
	mz := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 56)...)
	for _, tc := range []struct {
		name string
		head []byte
		rule string // "" when it passes
	}{
		{"report.pdf", []byte("%PDF-1.7\n"), ""},
		{"report.PDF", mz, "types.document.pdf"},
		{"photo.jpg", mz, "types.image.jpeg"},
		{"notes.txt", []byte("季度报告\n"), ""},
		{"notes.txt", mz, "types.document.txt"},
		{"setup.exe", mz, ""},
		{"disk.img", mz, ""},   // a type without a signature cannot be checked
		{"data.xyzzy", mz, ""}, // not in the catalogue: the whitelist decides
		{"empty.pdf", nil, ""}, // nothing to judge
		{"short.pdf", []byte("%P"), "types.document.pdf"},
	} {
		err := p.CheckContent(tc.name, tc.head)
		switch {
		case tc.rule == "" && err != nil:
			t.Errorf("%s: %v, want it to pass", tc.name, err)
		case tc.rule != "" && (err == nil || err.Code != ferry.CodeFileTypeMismatch || err.Rule != tc.rule):
			t.Errorf("%s: %v, want 1002 with rule %s", tc.name, err, tc.rule)
		}
	}
	err := p.CheckContent("invoice.pdf", mz)
	if err.Details["declared_type"] != "pdf" || err.Details["detected_type"] != "exe" || err.Details["extension"] != ".pdf" {
		t.Errorf("details %v", err.Details)
	}
	if HeadLen(10) != 10 || HeadLen(1<<40) != SniffLen {
		t.Error("HeadLen")
	}
}
