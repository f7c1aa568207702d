package sniff

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// zipOf writes a zip of the named entries; "mimetype" is stored first and
// uncompressed, as OpenDocument and EPUB require.
func zipOf(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		method := zip.Deflate
		if e[0] == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, e[1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const types = `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`

func docx(t *testing.T) []byte {
	return zipOf(t, [2]string{"[Content_Types].xml", types}, [2]string{"_rels/.rels", "<Relationships/>"},
		[2]string{"word/document.xml", "<w:document/>"})
}

func xlsx(t *testing.T) []byte {
	return zipOf(t, [2]string{"[Content_Types].xml", types}, [2]string{"xl/workbook.xml", "<workbook/>"},
		[2]string{"xl/worksheets/sheet1.xml", "<worksheet/>"})
}

func pptx(t *testing.T) []byte {
	return zipOf(t, [2]string{"[Content_Types].xml", types}, [2]string{"ppt/presentation.xml", "<p:presentation/>"})
}

func odf(t *testing.T, mime string) []byte {
	return zipOf(t, [2]string{"mimetype", mime}, [2]string{"content.xml", "<office:document-content/>"},
		[2]string{"META-INF/manifest.xml", "<manifest/>"})
}

func apk(t *testing.T) []byte {
	return zipOf(t, [2]string{"AndroidManifest.xml", "\x03\x00\x08\x00"}, [2]string{"classes.dex", "dex\n035\x00"},
		[2]string{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"})
}

func jar(t *testing.T) []byte {
	return zipOf(t, [2]string{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"}, [2]string{"a/Main.class", "\xca\xfe\xba\xbe"})
}

func ipa(t *testing.T) []byte {
	return zipOf(t, [2]string{"Payload/Game.app/Info.plist", "<plist/>"}, [2]string{"Payload/Game.app/Game", "\xcf\xfa\xed\xfe"})
}

func plainZip(t *testing.T) []byte {
	return zipOf(t, [2]string{"photos/a.jpg", "\xff\xd8\xff\xe0"}, [2]string{"notes.txt", "hello"})
}

func utf16le(s string) []byte {
	out := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// file serves b as a ferry.File; seekOnly hides its ReadAt.
func file(name string, b []byte, seekOnly bool) *ferry.File {
	return &ferry.File{Name: name, Size: int64(len(b)), Open: func(context.Context) (io.ReadSeekCloser, error) {
		r := bytes.NewReader(b)
		if seekOnly {
			return struct {
				io.ReadSeeker
				io.Closer
			}{r, io.NopCloser(nil)}, nil
		}
		return readSeekCloser{r}, nil
	}}
}

type readSeekCloser struct{ *bytes.Reader }

func (readSeekCloser) Close() error { return nil }

func TestInspect(t *testing.T) {
	p := policy.Default()
	if err := p.Complete(); err != nil {
		t.Fatal(err)
	}
	in := &Inspector{Policy: func() *policy.Policy { return p }}
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("季度报告:收入增长百分之十二。\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	mz := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), make([]byte, 100)...)
	for _, tc := range []struct {
		name     string
		content  []byte
		rule     string // "" when accepted
		detected string
	}{
		{"季度 报告.docx", docx(t), "", ""},
		{"budget.xlsx", xlsx(t), "", ""},
		{"macro.xlsm", xlsx(t), "", ""},
		{"deck.pptx", pptx(t), "", ""},
		{"notes.odt", odf(t, "application/vnd.oasis.opendocument.text"), "", ""},
		{"sheet.ods", odf(t, "application/vnd.oasis.opendocument.spreadsheet"), "", ""},
		{"template.ott", odf(t, "application/vnd.oasis.opendocument.text-template"), "", ""},
		{"book.epub", odf(t, "application/epub+zip"), "", ""},
		{"photos.zip", plainZip(t), "", ""},
		{"a document in a zip.zip", docx(t), "", ""}, // a docx is a zip
		{"app.apk", apk(t), "", ""},
		{"tool.jar", jar(t), "", ""},
		{"mindmap.xmind", plainZip(t), "", ""}, // zip-based, parts unknown here: not judged
		{"utf8.txt", []byte("季度 报告 final 🚀\n"), "", ""},
		{"gbk.txt", gbk, "", ""},
		{"utf16.txt", utf16le("季度报告\r\n"), "", ""},
		{"plain zip named docx.docx", plainZip(t), "types.document.docx", "zip"},
		{"a sheet named docx.docx", xlsx(t), "types.document.docx", "xlsx"},
		{"a deck named xlsx.xlsx", pptx(t), "types.document.xlsx", "pptx"},
		{"a text named ods.ods", odf(t, "application/vnd.oasis.opendocument.text"), "types.document.ods", "odt"},
		{"an app named zip.zip", apk(t), "types.archive.zip", "apk"},
		{"an ios app named zip.zip", ipa(t), "types.archive.zip", "ipa"},
		{"a jar named docx.docx", jar(t), "types.document.docx", "jar"},
		{"an app named disk image.img", apk(t), "types.archive.img", "apk"},
		{"setup named pdf.pdf", mz, "types.document.pdf", "exe"},
		{"binary named txt.txt", []byte{0, 1, 2, 3, 0, 0, 0xff, 0xfe, 0}, "types.document.txt", "unknown binary"},
	} {
		for _, seekOnly := range []bool{false, true} {
			err := in.Inspect(t.Context(), file(tc.name, tc.content, seekOnly))
			if tc.rule == "" {
				if err != nil {
					t.Errorf("%s: %v, want accepted", tc.name, err)
				}
				continue
			}
			fe, ok := err.(*ferry.Error)
			if !ok || fe.Code != ferry.CodeFileTypeMismatch || fe.Rule != tc.rule || fe.Details["detected_type"] != tc.detected {
				t.Errorf("%s (seek only %v): %v, want 1002 at %s detecting %s", tc.name, seekOnly, err, tc.rule, tc.detected)
			}
		}
	}
}

// A damaged zip is not judged here: the archive inspector refuses it.
func TestDamagedZipIsLeftToTheArchiveInspector(t *testing.T) {
	p := policy.Default()
	p.Complete()
	in := &Inspector{Policy: func() *policy.Policy { return p }}
	b := docx(t)
	if err := in.Inspect(t.Context(), file("cut.docx", b[:len(b)/2], false)); err != nil {
		t.Errorf("damaged docx: %v", err)
	}
}
