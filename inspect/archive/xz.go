package archive

import "io"

// walkXz refuses xz for now: the available decoder allocates whatever
// dictionary each block declares.
func (w *walker) walkXz(lv *level, ra io.ReaderAt, size int64) error {
	return unsupportedMethod(Xz, "xz", "gzip, bzip2, zstd", displayPath(lv.path))
}
