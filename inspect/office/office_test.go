package office

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func text(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(NewTextReader(r))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTextReader(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<w:document><w:body><w:p><w:r><w:t>机</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>密</w:t></w:r></w:p><w:p><w:r><w:t>文件</w:t></w:r></w:p></w:body></w:document>`,
			"机密\n文件\n"},
		{`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><a>Tom &amp; Jerry &lt;3 &#26426;&#x5BC6; &quot;q&quot; &apos;a&apos; &nbsp; &bogus</a>`,
			`Tom & Jerry <3 机密 "q" 'a' &nbsp; &bogus`},
		{`<a><!-- 机密 in a comment is not text --><![CDATA[<机密>]]>x</a>`, "<机密>x"},
		{`<text:p text:style-name="P1">第一段<text:s/>续</text:p><text:h>标题</text:h>`, "第一段\n续\n标题\n"},
		{`<si><t>one</t></si><si><t>two</t></si>`, "one\ntwo\n"},
		{`<a:p><a:r><a:t>slide</a:t></a:r><a:br/><a:r><a:t>two</a:t></a:r></a:p>`, "slide\ntwo\n"},
		{`<a b="x>y" c='<'>t</a>`, "t"}, // a '>' inside an attribute value does not end the tag
		{`unclosed <tag`, "unclosed "},
	} {
		if got := text(t, strings.NewReader(tc.in)); got != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.in, got, tc.want)
		}
		// One byte at a time: every boundary falls somewhere.
		if got := text(t, iotest.OneByteReader(strings.NewReader(tc.in))); got != tc.want {
			t.Errorf("%q byte by byte:\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// A part larger than the reader's buffer, with entities and tags across
// every buffer boundary, reads whole, and memory does not grow with it.
func TestTextReaderStreams(t *testing.T) {
	var in, want bytes.Buffer
	for i := 0; i < 50000; i++ {
		in.WriteString(`<w:p><w:r><w:t>季度&amp;报告</w:t></w:r></w:p>`)
		want.WriteString("季度&报告\n")
	}
	if got := text(t, &in); got != want.String() {
		t.Fatalf("got %d bytes, want %d", len(got), want.Len())
	}
}

func TestTextPart(t *testing.T) {
	for name, want := range map[string]bool{
		"word/document.xml": true, "word/header1.xml": true, "word/footnotes.xml": true, "word/comments.xml": true,
		"word/styles.xml": false, "word/media/image1.png": false, "word/_rels/document.xml.rels": false,
		"xl/sharedStrings.xml": true, "xl/worksheets/sheet1.xml": true, "xl/styles.xml": false,
		"ppt/slides/slide3.xml": true, "ppt/notesSlides/notesSlide1.xml": true, "ppt/presentation.xml": false,
		"content.xml": true, "styles.xml": true, "meta.xml": true, "settings.xml": false,
		"docProps/core.xml": true, "[Content_Types].xml": false,
	} {
		if TextPart(name) != want {
			t.Errorf("TextPart(%q) = %v", name, !want)
		}
	}
}
