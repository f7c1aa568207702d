// Package sniff is the inspector that judges a file's content against the
// type its name claims (1002 FILE_TYPE_MISMATCH), after its last byte
// arrived: an .exe named .pdf, a zip named .docx, an Android package
// named .zip.
//
// The first bytes are judged as the upload's were (policy.CheckContent):
// by the catalogue's signatures, and as text in UTF-8, GB18030 (GBK) or
// UTF-16 with a byte-order mark. Formats built on zip — Office Open XML
// (docx, xlsx, pptx, vsdx, xps), OpenDocument (odt, ods, odp, odg), EPUB,
// and the application packages (jar, apk, ipa, appx) — all start as a zip
// does, so their subtype is decided from the zip's central directory: the
// parts each format must have, and the OpenDocument and EPUB "mimetype"
// entry. A damaged zip is not judged here; the archive inspector refuses
// it.
package sniff
