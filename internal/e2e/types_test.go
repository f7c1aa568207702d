package e2e

import (
	"archive/zip"
	"bytes"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/ferryhq/ferry"
)

// ooxml writes an Office Open XML package: its content types, its package
// relationships and the given parts — a document that Word, Excel or
// PowerPoint opens.
func ooxml(t *testing.T, main, mainType string, parts map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/`+main+`" ContentType="`+mainType+`"/>
</Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="`+main+`"/>
</Relationships>`)
	for name, body := range parts {
		add(name, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func docxBytes(t *testing.T, text string) []byte {
	return ooxml(t, "word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
		map[string]string{"word/document.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>` + text + `</w:t></w:r></w:p></w:body></w:document>`})
}

func xlsxBytes(t *testing.T) []byte {
	return ooxml(t, "xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
		map[string]string{
			"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Q3" sheetId="1" r:id="rId1"/></sheets></workbook>`,
			"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
			"xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>42</v></c></row></sheetData></worksheet>`,
		})
}

// Documents are judged by what they are: a docx, an xlsx, UTF-8 and GBK
// text are accepted; a spreadsheet named .docx, a plain zip named .docx
// and an Android app named .zip are not (1002, with both types).
func TestContentIsJudgedByWhatItIs(t *testing.T) {
	e := start(t, nil)
	alice := e.user("alice", ferry.TierFree)
	e.user("bob", ferry.TierFree)
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("第三季度报告\r\n收入增长百分之十二。\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{
		"季度 报告.docx":  docxBytes(t, "第三季度报告"),
		"budget.xlsx": xlsxBytes(t),
		"notes.txt":   []byte("季度 报告 final 🚀\nline two\n"),
		"gbk 报告.txt":  gbk,
	} {
		id := e.send(alice, []string{"bob"}, name, content)
		if got := e.transfer(alice, id); got.State != ferry.StateAvailable {
			t.Errorf("%s: %s %+v", name, got.State, got.Error)
		}
	}
	for _, tc := range []struct {
		name     string
		content  []byte
		rule     string
		detected string
	}{
		{"report.docx", xlsxBytes(t), "types.document.docx", "xlsx"},
		{"photos.docx", zipBytes(t, 1000), "types.document.docx", "zip"},
		{"game.zip", zipOfEntries(t, "AndroidManifest.xml", "classes.dex"), "types.archive.zip", "apk"},
	} {
		c := e.create(alice, []string{"bob"}, tc.name, int64(len(tc.content)), "")
		b := e.wantError(e.patch(alice, c.UploadURL, 0, tc.content, nil), 415, ferry.CodeFileTypeMismatch)
		if b.Rule != tc.rule || b.Details["detected_type"] != tc.detected {
			t.Errorf("%s: %+v", tc.name, b)
		}
	}
}

// zipOfEntries writes a zip of small entries with the given names.
func zipOfEntries(t *testing.T, names ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
