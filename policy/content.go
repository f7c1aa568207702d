package policy

import "github.com/ferryhq/ferry"

// HeadLen is how many of a file's first bytes CheckContent needs: all of a
// file shorter than SniffLen, else SniffLen.
func HeadLen(size int64) int {
	return int(min(size, SniffLen))
}

// CheckContent judges a file's first bytes (HeadLen of its size) against
// the type its name claims, and returns 1002 FILE_TYPE_MISMATCH when they
// cannot be what the name says: an .exe named .pdf, say. The rule is the
// catalogue entry of the claimed type ("types.document.pdf"); the details
// name the extension, the claimed type and the type the content was
// recognised as. A name whose extension is not in the catalogue, and a
// type without signature that is not text, pass: whether they may be sent
// at all is the whitelist's question (1001). See TypeIndex.Consistent.
//
// The server applies it when an upload's first bytes arrive, and `ferry
// check` before any is sent; both answer alike.
func (p *Policy) CheckContent(name string, head []byte) *ferry.Error {
	ext := Ext(name)
	ok, declared, detected := p.index.Consistent(ext, head)
	if ok {
		return nil
	}
	group, _, _ := p.index.Lookup(ext)
	return ferry.E(ferry.CodeFileTypeMismatch).WithRule("types."+group+"."+declared).
		With("extension", ext).With("declared_type", declared).With("detected_type", detected)
}
