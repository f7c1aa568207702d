package local

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/ferryhq/ferry"
)

// Permissions of everything the store creates: only the server's user may
// read uploads and blobs.
const (
	fileMode = 0o600
	dirMode  = 0o700
)

var (
	_ ferry.BlobStore  = (*Store)(nil)
	_ ferry.BlobLister = (*Store)(nil)
)

// Store is a ferry.BlobStore on a local folder. It is safe for concurrent
// use; see the package documentation for what the caller serialises.
type Store struct {
	uploads string
	blobs   string
	tmp     string
}

// Open returns the store rooted at root, creating root and its uploads,
// blobs and tmp folders (mode 0700) when they do not exist. Existing folders
// keep their modes.
func Open(root string) (*Store, error) {
	const op = "blob/local: open store"
	if root == "" {
		return nil, unavailable(op, errors.New("no root folder given"))
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, unavailable(op, err)
	}
	s := &Store{
		uploads: filepath.Join(abs, "uploads"),
		blobs:   filepath.Join(abs, "blobs"),
		tmp:     filepath.Join(abs, "tmp"),
	}
	if err := os.MkdirAll(abs, dirMode); err != nil {
		return nil, unavailable(op, err)
	}
	for _, dir := range []string{s.uploads, s.blobs, s.tmp} {
		if err := os.Mkdir(dir, dirMode); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, unavailable(op, err)
		}
		fi, err := os.Stat(dir)
		if err != nil {
			return nil, unavailable(op, err)
		}
		if !fi.IsDir() {
			return nil, unavailable(op, fmt.Errorf("%s is not a folder", dir))
		}
	}
	return s, nil
}

// uploadPath returns where upload id is staged; id must be valid.
func (s *Store) uploadPath(id string) string { return filepath.Join(s.uploads, id) }

// blobPath returns where the blob lives; sum must be valid.
func (s *Store) blobPath(sum string) string {
	return filepath.Join(s.blobs, sum[0:2], sum[2:4], sum)
}

// unavailable wraps an I/O failure as CodeStorageUnavailable. The cause,
// which names paths, is kept for logs only.
func unavailable(op string, err error) *ferry.Error {
	return ferry.E(ferry.CodeStorageUnavailable).WithOp(op).WithErr(err)
}

// notFound reports a missing upload or blob.
func notFound(op string, err error) *ferry.Error {
	return ferry.E(ferry.CodeNotFound).WithOp(op).WithErr(err)
}

// ioError maps a file system error: a missing file is CodeNotFound, anything
// else CodeStorageUnavailable.
func ioError(op string, err error) *ferry.Error {
	if errors.Is(err, fs.ErrNotExist) {
		return notFound(op, err)
	}
	return unavailable(op, err)
}

// syncDir makes the entries of folder dir durable. Windows cannot fsync a
// folder; NTFS journals its metadata instead.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
