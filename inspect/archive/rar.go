package archive

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/nwaples/rardecode/v2"

	"github.com/ferryhq/ferry"
)

// walkRar walks a rar archive (RAR 1.5 to 7) as a stream with
// github.com/nwaples/rardecode/v2. Its dictionary is bounded: a rar level
// takes half of the dictionary budget left (64 MiB by default, what
// WinRAR's defaults need), and an entry that declares more is refused with
// max_dictionary_size rather than allocated.
func (w *walker) walkRar(lv *level, r io.Reader) (err error) {
	path := displayPath(lv.path)
	dict := (int64(w.cfg.MaxDictionarySize) - w.dict) / 2
	if dict < 1<<20 {
		return limitErr(RuleMaxDictionary, LimitDictionary, w.cfg.MaxDictionarySize, ferry.Bytes(w.dict+1<<20), path)
	}
	if err := w.claim(dict, lv.path); err != nil {
		return err
	}
	defer w.release(dict)
	defer func() {
		if p := recover(); p != nil { // a library bug must not take the server down
			err = w.finish(unreadable(Rar, path, fmt.Errorf("rardecode panicked: %v", p)))
		}
	}()
	rr, err := rardecode.NewReader(&countReader{r: r, n: lv.in}, rardecode.MaxDictionarySize(dict))
	if err != nil {
		return w.rarErr(lv, lv.path, dict, err)
	}
	for {
		hdr, err := rr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return w.rarErr(lv, lv.path, dict, err)
		}
		m := &member{name: hdr.Name, nameOK: utf8.ValidString(hdr.Name), dir: hdr.IsDir,
			encrypted: hdr.Encrypted, declared: hdr.UnPackedSize, packed: -1}
		if hdr.UnKnownSize {
			m.declared = -1
		}
		if hdr.PackedSize > 0 && !hdr.Solid {
			m.packed = hdr.PackedSize
		}
		if hdr.LinkType != 0 {
			m.link, m.linkTarget = true, hdr.LinkTarget
			m.hardLink = hdr.LinkType == 2 || hdr.LinkType == 4 // hard link, file copy: from the root
		}
		if err := w.entry(lv, m, func() (io.ReadCloser, error) { return io.NopCloser(rr), nil }); err != nil {
			return w.rarErr(lv, lv.path+"/"+hdr.Name, dict, err)
		}
	}
}

// rarErr maps rardecode's refusals to the walker's.
func (w *walker) rarErr(lv *level, path string, dict int64, err error) error {
	switch {
	case errors.Is(err, rardecode.ErrArchiveEncrypted), errors.Is(err, rardecode.ErrArchivedFileEncrypted):
		if w.cfg.Encrypted == EncryptedAllow && w.failed == nil {
			return nil // encrypted headers: nothing more can be seen, and policy lets it pass
		}
		return w.finish(encryptedErr(displayPath(lv.path)))
	case errors.Is(err, rardecode.ErrDictionaryTooLarge):
		// the share this level was given, and that the entry wants more
		return w.finish(limitErr(RuleMaxDictionary, LimitDictionary, ferry.Bytes(dict),
			ferry.Bytes(dict+1), displayPath(path)))
	case errors.Is(err, rardecode.ErrMultiVolume):
		return w.finish(malformed(Rar, displayPath(lv.path), "it is one volume of a multi-volume archive", "它是分卷压缩包中的一卷"))
	}
	return w.readErr(lv, path, err)
}
