package archive

import (
	"bytes"
	"io"
)

// Format is a kind of archive or compressed stream, as Detect recognises it
// by its content.
type Format string

// The formats that Walk opens.
const (
	Zip      Format = "zip"
	Tar      Format = "tar"
	Gzip     Format = "gzip"
	Bzip2    Format = "bzip2"
	Zstd     Format = "zstd"
	Xz       Format = "xz"
	SevenZip Format = "7z"
	Rar      Format = "rar"
)

// HeadLen is how many of an entry's first bytes Entry.Head holds, and how
// many Detect looks at: enough for the tar signature at byte 257 and for
// type sniffing (policy.SniffLen).
const HeadLen = 4096

// Detect returns the format whose signature head starts with, or "" when it
// is none that Walk opens. A tar is recognised by its ustar magic (POSIX or
// GNU); pre-POSIX tar files without it are not.
func Detect(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return Zip
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b, 0x08}):
		return Gzip
	case len(head) >= 10 && bytes.HasPrefix(head, []byte("BZh")) && head[3] >= '1' && head[3] <= '9' &&
		(string(head[4:10]) == "1AY&SY" || string(head[4:10]) == "\x17rE8P\x90"):
		return Bzip2
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return Zstd
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		return Xz
	case bytes.HasPrefix(head, []byte{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c}):
		return SevenZip
	case bytes.HasPrefix(head, []byte("Rar!\x1a\x07\x00")), bytes.HasPrefix(head, []byte("Rar!\x1a\x07\x01\x00")):
		return Rar
	case len(head) >= 263 && (string(head[257:263]) == "ustar\x00" || string(head[257:263]) == "ustar "):
		return Tar
	}
	return ""
}

// randomAccess reports whether f needs to be read at any offset (zip's
// central directory is at its end, 7z's header too) rather than as a stream.
func (f Format) randomAccess() bool { return f == Zip || f == SevenZip || f == Xz }

// Entry is one member of an archive, at any depth of nesting.
type Entry struct {
	// Path is where the entry is in the chain of archives, the outer
	// file's name first: "outer.zip/inner.tar/docs/a.txt". Names are
	// decoded to UTF-8 (GBK names of Chinese Windows tools included).
	Path string
	// Name is the entry's name inside its own archive: "docs/a.txt",
	// without a trailing slash for folders.
	Name string
	// Depth is 1 for the entries of the outer archive, 2 for the entries
	// of an archive inside it, …
	Depth int
	// Format is the format of the archive that holds the entry.
	Format Format
	// IsDir and IsLink tell folders and links (symbolic or hard) apart
	// from files; LinkTarget is where a link points.
	IsDir, IsLink bool
	LinkTarget    string
	// Encrypted entries are visited only when the configuration allows
	// them; their content is not read.
	Encrypted bool
	// DeclaredSize is the size the archive claims, -1 where the format does
	// not say (a gzip stream's content).
	DeclaredSize int64
	// PackedSize is the compressed size, -1 where the format does not say
	// per entry (tar members, files of a 7z solid block).
	PackedSize int64
	// Size counts the bytes of content read so far. Once visit has
	// returned and the walker has read what it left, it is the actual
	// size.
	Size int64
	// Head is the first bytes of the content (up to HeadLen), for type
	// sniffing; nil for folders, links and encrypted entries.
	Head []byte
	// Archive is the format of the entry's content when it is itself an
	// archive that Walk opens next: its entries follow, with paths under
	// this one. "" otherwise.
	Archive Format
}

// VisitFunc is called for each entry, in the order the archive stores
// them, after the entry's name, type and declared size passed the checks.
// r reads the entry's content, counted and bounded by the limits as it is
// read (a limit reached returns the *ferry.Error that Walk then returns);
// it is nil for folders, links, encrypted entries and entries that are
// archives themselves (Entry.Archive), whose entries are visited next. What
// visit leaves unread the walker reads after it returns, to hold the
// archive to its limits and check its checksums; r is not valid after
// visit returns. A non-nil error stops the walk and is returned by Walk.
type VisitFunc func(e *Entry, r io.Reader) error
