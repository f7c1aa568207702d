package office

import (
	"path"
	"strings"
)

// TextPart reports whether the entry name of an office package (a zip
// member such as "word/document.xml") holds text a reader sees: the body,
// headers, footers, notes and comments of a docx; the shared strings and
// sheets of an xlsx (inline strings live there); the slides and notes of a
// pptx; the content and styles of an OpenDocument file (styles carry
// headers and footers); and the document properties of both (title,
// subject, keywords).
func TextPart(name string) bool {
	name = strings.TrimPrefix(name, "/")
	dir, file := path.Split(name)
	if path.Ext(file) != ".xml" {
		return false
	}
	switch dir {
	case "word/":
		for _, p := range []string{"document", "header", "footer", "footnotes", "endnotes", "comments"} {
			if strings.HasPrefix(file, p) {
				return true
			}
		}
		return false
	case "xl/":
		return file == "sharedStrings.xml"
	case "xl/worksheets/", "ppt/slides/", "ppt/notesSlides/", "xl/comments/":
		return true
	case "docProps/":
		return file == "core.xml" || file == "app.xml"
	case "":
		return file == "content.xml" || file == "styles.xml" || file == "meta.xml"
	}
	return strings.HasPrefix(dir, "xl/") && strings.HasPrefix(file, "comments")
}
