package archive

import (
	"archive/tar"
	"errors"
	"io"
)

// walkTar walks a tar stream. Sparse entries (GNU and PAX) come out of
// archive/tar expanded, holes as zeros: their declared size is held to the
// expansion budget before anything is read, and the zeros to the ratio
// against the bytes the archive really holds while reading.
func (w *walker) walkTar(lv *level, r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) { // names are the walker's to judge
			return w.readErr(lv, lv.path, err)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue // defaults for the entries that follow, not an entry
		}
		_, pax := hdr.PAXRecords["path"]
		name, ok := decodeName(hdr.Name, pax)
		m := &member{name: name, nameOK: ok, declared: hdr.Size, packed: -1}
		switch hdr.Typeflag {
		case tar.TypeDir:
			m.dir = true
		case tar.TypeSymlink, tar.TypeLink:
			_, paxLink := hdr.PAXRecords["linkpath"]
			target, tok := decodeName(hdr.Linkname, paxLink)
			m.link, m.hardLink, m.linkTarget = true, hdr.Typeflag == tar.TypeLink, target
			m.nameOK = m.nameOK && tok
		}
		if err := w.entry(lv, m, func() (io.ReadCloser, error) { return io.NopCloser(tr), nil }); err != nil {
			return err
		}
	}
}
