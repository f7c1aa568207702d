package sniff

import (
	"archive/zip"
	"io"
	"strings"
)

// Subtypes of zip, by the catalogue's type names.
const (
	typeZip  = "zip"
	typeDocx = "docx"
	typeXlsx = "xlsx"
	typePptx = "pptx"
	typeVsdx = "vsdx"
	typeXps  = "xps"
	typeOdt  = "odt"
	typeOds  = "ods"
	typeOdp  = "odp"
	typeOdg  = "odg"
	typeEpub = "epub"
	typeJar  = "jar"
	typeApk  = "apk"
	typeIpa  = "ipa"
	typeAppx = "appx"
)

// openDocument maps the content of an OpenDocument or EPUB "mimetype"
// entry to its type; templates are the same type as their documents.
var openDocument = map[string]string{
	"application/vnd.oasis.opendocument.text":                  typeOdt,
	"application/vnd.oasis.opendocument.text-template":         typeOdt,
	"application/vnd.oasis.opendocument.spreadsheet":           typeOds,
	"application/vnd.oasis.opendocument.spreadsheet-template":  typeOds,
	"application/vnd.oasis.opendocument.presentation":          typeOdp,
	"application/vnd.oasis.opendocument.presentation-template": typeOdp,
	"application/vnd.oasis.opendocument.graphics":              typeOdg,
	"application/vnd.oasis.opendocument.graphics-template":     typeOdg,
	"application/epub+zip":                                     typeEpub,
}

// maxMimetype bounds how much of a "mimetype" entry is read.
const maxMimetype = 128

// zipSubtype decides which zip-based format the archive in r is, from its
// central directory: "zip" when it is none of those the package knows.
// ok is false when r cannot be read as a zip.
func zipSubtype(r io.ReaderAt, size int64) (typ string, ok bool) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return "", false
	}
	has := make(map[string]bool, len(zr.File))
	var mimetype *zip.File
	for _, f := range zr.File {
		name := strings.TrimPrefix(f.Name, "/")
		has[name] = true
		if name == "mimetype" && mimetype == nil {
			mimetype = f
		}
	}
	if mimetype != nil {
		if t := openDocumentType(mimetype); t != "" {
			return t, true
		}
	}
	switch {
	case has["[Content_Types].xml"] && has["word/document.xml"]:
		return typeDocx, true
	case has["[Content_Types].xml"] && (has["xl/workbook.xml"] || has["xl/workbook.bin"]):
		return typeXlsx, true
	case has["[Content_Types].xml"] && has["ppt/presentation.xml"]:
		return typePptx, true
	case has["[Content_Types].xml"] && has["visio/document.xml"]:
		return typeVsdx, true
	case has["FixedDocumentSequence.fdseq"] || has["[Content_Types].xml"] && anyPrefix(has, "Documents/1/FixedDocument.fdoc"):
		return typeXps, true
	case has["AndroidManifest.xml"] && (has["classes.dex"] || anyPrefix(has, "lib/")):
		return typeApk, true
	case has["AppxManifest.xml"] || has["AppxMetadata/AppxBundleManifest.xml"]:
		return typeAppx, true
	case anyPayloadApp(has):
		return typeIpa, true
	case has["META-INF/MANIFEST.MF"] && anySuffix(has, ".class"):
		return typeJar, true
	}
	return typeZip, true
}

// openDocumentType reads a "mimetype" entry: the type it names, or "".
func openDocumentType(f *zip.File) string {
	if f.UncompressedSize64 > maxMimetype {
		return ""
	}
	rc, err := f.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxMimetype))
	if err != nil {
		return ""
	}
	return openDocument[strings.TrimSpace(string(b))]
}

func anyPrefix(has map[string]bool, prefix string) bool {
	for n := range has {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

func anySuffix(has map[string]bool, suffix string) bool {
	for n := range has {
		if strings.HasSuffix(n, suffix) {
			return true
		}
	}
	return false
}

// anyPayloadApp reports an iOS package: Payload/NAME.app/ with its
// Info.plist.
func anyPayloadApp(has map[string]bool) bool {
	for n := range has {
		if rest, ok := strings.CutPrefix(n, "Payload/"); ok {
			if app, file, ok := strings.Cut(rest, "/"); ok && strings.HasSuffix(app, ".app") && file == "Info.plist" {
				return true
			}
		}
	}
	return false
}
