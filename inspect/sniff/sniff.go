package sniff

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"

	"github.com/ferryhq/ferry"
	"github.com/ferryhq/ferry/policy"
)

// Inspector judges content against its name's type. It is safe for
// concurrent use.
type Inspector struct {
	// Policy returns the policy in force: its type catalogue is the one
	// judged against.
	Policy func() *policy.Policy
}

var _ ferry.Inspector = (*Inspector)(nil)

// PerName marks the verdict as one about a transfer's name as much as its
// content: the same bytes may pass as report.zip and fail as report.docx,
// so the verdict is not kept with the content.
func (*Inspector) PerName() bool { return true }

// detectable are the zip-based document formats whose parts zipSubtype
// knows: a file named as one of them that is a plain zip is not one.
var detectable = map[string]bool{typeDocx: true, typeXlsx: true, typePptx: true, typeVsdx: true, typeXps: true,
	typeOdt: true, typeOds: true, typeOdp: true, typeOdg: true, typeEpub: true}

// programs are the zip-based application packages: not a plain zip,
// whatever the name says.
var programs = map[string]bool{typeJar: true, typeApk: true, typeIpa: true, typeAppx: true}

var zipMagic = []byte("PK\x03\x04")

// Inspect returns nil when f's content is plausibly what its name says,
// 1002 FILE_TYPE_MISMATCH (rule "types.GROUP.TYPE", details extension,
// declared_type and detected_type) when it is not, and any other error
// when the content cannot be read.
func (in *Inspector) Inspect(ctx context.Context, f *ferry.File) error {
	p := in.Policy()
	rc, err := f.Open(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	head := make([]byte, policy.HeadLen(f.Size))
	if _, err := io.ReadFull(rc, head); err != nil {
		return ferry.Wrap(ferry.CodeStorageUnavailable, "inspect/sniff: read", err)
	}
	if fe := p.CheckContent(f.Name, head); fe != nil {
		return fe
	}
	if !bytes.HasPrefix(head, zipMagic) {
		return nil
	}
	ext := policy.Ext(f.Name)
	group, declared, known := p.Index().Lookup(ext)
	if !known {
		return nil
	}
	sub, ok := zipSubtype(readerAt(rc), f.Size)
	if !ok || fits(declared.Name, sub) {
		return nil // a damaged zip is the archive inspector's to refuse
	}
	return ferry.E(ferry.CodeFileTypeMismatch).WithRule("types."+group+"."+declared.Name).
		With("extension", ext).With("declared_type", declared.Name).With("detected_type", sub)
}

// fits reports whether a zip of subtype sub may carry a name of the
// declared type: its own, a plain zip's (unless it is a program), or any
// zip-based type whose parts this package does not know.
func fits(declared, sub string) bool {
	switch {
	case declared == sub:
		return true
	case sub == typeZip:
		return !detectable[declared]
	case declared == typeZip:
		return !programs[sub]
	}
	return !detectable[declared] && !programs[declared] && !programs[sub]
}

// readerAt gives random access to r: its own ReadAt (an *os.File), or
// seeks and reads under a lock.
func readerAt(r io.ReadSeeker) io.ReaderAt {
	if ra, ok := r.(io.ReaderAt); ok {
		return ra
	}
	return &seekReaderAt{r: r}
}

type seekReaderAt struct {
	mu sync.Mutex
	r  io.ReadSeeker
}

func (s *seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(s.r, p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return n, err
}
